#include <tutti/definition/duration_text.hpp>

namespace tutti::definition {

std::string duration_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms < 1000 && ms % 1000 != 0) {
    return std::to_string(ms) + " ms";
  }
  auto text = std::to_string(ms / 1000);
  if (auto fraction = ms % 1000; fraction != 0) {
    auto digits = std::to_string(1000 + fraction).substr(1); // keeps leading zeros: "050"
    digits.erase(digits.find_last_not_of('0') + 1);
    text += "." + digits;
  }
  return text + " s";
}

} // namespace tutti::definition
