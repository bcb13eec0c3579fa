// Keeping a key out of error text. A server may quote a key back in its error ("Incorrect API
// key provided: sk-...", sometimes upper-cased or cut short): any run of eight or more of the
// key's characters, in any case, never reaches a result, a log or the terminal.
#pragma once

#include <string>
#include <string_view>

namespace tutti::providers {

/// The shortest run of a key's characters that is redacted.
inline constexpr std::size_t min_redacted_run = 8;

/// `text` with every run of at least min_redacted_run characters that also stands in `secret`
/// (compared case-insensitively) replaced by "[redacted]".
std::string redact(std::string_view text, std::string_view secret);

} // namespace tutti::providers
