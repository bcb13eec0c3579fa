// Writing SVG text: coordinates that are always numbers, and people's text escaped for XML.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace tutti::timeline {

// A coordinate: NaN or infinity in an SVG attribute makes the whole document invalid.
struct num {
  double value;
};

std::ostream& operator<<(std::ostream& os, num n);

// Text for XML content or a quoted attribute, clipped to `max_chars` characters (code points,
// so a clip never splits one). Control characters are not allowed in XML 1.0 at all.
struct xml {
  std::string_view text;
  std::size_t max_chars = std::string_view::npos;
};

std::ostream& operator<<(std::ostream& os, const xml& x);

/// One decimal, without a trailing ".0": labels read "2 s", "0.5 s", "12.5 ms".
std::string decimal(double v);

/// "12.5 ms" below a second, "2.5 s" from there.
std::string duration_text(double ms);

} // namespace tutti::timeline
