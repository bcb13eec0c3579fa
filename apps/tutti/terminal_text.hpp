// Model output shown on a terminal. A model (or a hostile server) can answer with NUL, colour
// codes, cursor movement or an OSC sequence that retitles the window or writes the clipboard;
// on a terminal those are shown as escapes, never obeyed. Pipes and --json keep bytes exact.
#pragma once

#include <string>
#include <string_view>

namespace tutti::cli {

/// `text` with control characters other than newline and tab (C0, DEL, and C1 as UTF-8)
/// written as visible escapes: ESC as "\x1b", U+009B as "\u009b".
std::string terminal_safe(std::string_view text);

} // namespace tutti::cli
