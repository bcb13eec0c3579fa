#include <tutti/providers/redaction.hpp>

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace tutti::providers {
namespace {

char folded(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string folded(std::string_view text) {
  std::string out(text.size(), '\0');
  std::transform(text.begin(), text.end(), out.begin(), [](char c) { return folded(c); });
  return out;
}

// The longest run starting at text[at] that stands somewhere in `secret` (both folded).
std::size_t longest_run_at(std::string_view text, std::size_t at, std::string_view secret) {
  std::size_t best = 0;
  for (std::size_t s = 0; s < secret.size(); ++s) {
    std::size_t n = 0;
    while (at + n < text.size() && s + n < secret.size() && text[at + n] == secret[s + n]) {
      ++n;
    }
    best = std::max(best, n);
  }
  return best;
}

} // namespace

std::string redact(std::string_view text, std::string_view secret) {
  if (secret.size() < min_redacted_run || text.size() < min_redacted_run) {
    return std::string{text};
  }
  const auto key = folded(secret);
  const auto lower = folded(text);
  // Every window of the key, so that most positions of the text cost one look-up.
  std::unordered_set<std::string_view> windows;
  for (std::size_t s = 0; s + min_redacted_run <= key.size(); ++s) {
    windows.insert(std::string_view{key}.substr(s, min_redacted_run));
  }
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    if (at + min_redacted_run <= text.size() &&
        windows.count(std::string_view{lower}.substr(at, min_redacted_run)) != 0) {
      out += "[redacted]";
      at += longest_run_at(lower, at, key);
      continue;
    }
    out += text[at++];
  }
  return out;
}

} // namespace tutti::providers
