#include "terminal_text.hpp"

#include <catch2/catch.hpp>

using tutti::cli::terminal_safe;

TEST_CASE("control characters are shown, not obeyed, and text, newlines, tabs and UTF-8 are kept") {
  CHECK(terminal_safe("plain\ttext\nnext line") == "plain\ttext\nnext line");
  CHECK(terminal_safe("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");
  CHECK(terminal_safe(std::string{"a\0b", 3}) == "a\\x00b");
  CHECK(terminal_safe("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
  CHECK(terminal_safe("\x1b[2J\r\x7f") == "\\x1b[2J\\x0d\\x7f");
  CHECK(terminal_safe("csi \xc2\x9b"
                      "31m") == "csi \\u009b31m");
  CHECK(terminal_safe("nbsp \xc2\xa0") == "nbsp \xc2\xa0");
}
