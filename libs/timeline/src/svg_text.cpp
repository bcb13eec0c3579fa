#include "svg_text.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace tutti::timeline {

std::ostream& operator<<(std::ostream& os, num n) {
  return os << (std::isfinite(n.value) && n.value != 0 ? n.value : 0.0);
}

std::ostream& operator<<(std::ostream& os, const xml& x) {
  std::size_t chars = 0;
  for (const char ch : x.text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && chars++ == x.max_chars) {
      return os << "…";
    }
    switch (c) {
    case '&':
      os << "&amp;";
      break;
    case '<':
      os << "&lt;";
      break;
    case '>':
      os << "&gt;";
      break;
    case '"':
      os << "&quot;";
      break;
    case '\'':
      os << "&apos;";
      break;
    default:
      os << (c < 0x20 ? ' ' : ch);
    }
  }
  return os;
}

std::string decimal(double v) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << num{v};
  auto text = std::move(os).str();
  if (text.ends_with(".0")) {
    text.resize(text.size() - 2);
  }
  return text == "-0" ? "0" : text;
}

std::string duration_text(double ms) {
  return std::abs(ms) < 1000 ? decimal(ms) + " ms" : decimal(ms / 1000) + " s";
}

} // namespace tutti::timeline
