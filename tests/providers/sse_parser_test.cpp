#include <tutti/providers/sse_parser.hpp>

#include <catch2/catch.hpp>

using namespace tutti::providers;

namespace {

const std::string stream = "event: content_block_delta\r\n"
                           "data: {\"text\":\"h\xc3\xa9llo\"}\r\n"
                           "\r\n"
                           ": keep-alive\n"
                           "data: first line\n"
                           "data: second line\n"
                           "\n"
                           "data: [DONE]\n\n";

std::vector<sse_event> parse_in_pieces(const std::string& text, std::size_t piece) {
  sse_parser parser;
  std::vector<sse_event> events;
  for (std::size_t at = 0; at < text.size(); at += piece) {
    auto more = parser.feed(std::string_view{text}.substr(at, piece));
    events.insert(events.end(), more.begin(), more.end());
  }
  CHECK_FALSE(parser.has_partial_event());
  return events;
}

} // namespace

TEST_CASE("server-sent events survive being split anywhere, even inside a UTF-8 character") {
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    INFO("pieces of " << piece << " bytes");
    auto events = parse_in_pieces(stream, piece);
    REQUIRE(events.size() == 3);
    CHECK(events[0].event == "content_block_delta");
    CHECK(events[0].data == "{\"text\":\"h\xc3\xa9llo\"}");
    CHECK(events[1].event.empty());
    CHECK(events[1].data == "first line\nsecond line");
    CHECK(events[2].data == "[DONE]");
  }
}

TEST_CASE("a stream cut inside an event leaves it unfinished, not invented") {
  sse_parser parser;
  CHECK(parser.feed("data: {\"partial\":").empty());
  CHECK(parser.has_partial_event());
}

TEST_CASE("newline-delimited JSON survives being split anywhere") {
  const std::string lines = "{\"a\":\"\xc3\xa9\"}\n\n{\"b\":2}\r\n{\"c\":3}";
  for (std::size_t piece = 1; piece <= lines.size(); ++piece) {
    ndjson_parser parser;
    std::vector<std::string> out;
    for (std::size_t at = 0; at < lines.size(); at += piece) {
      auto more = parser.feed(std::string_view{lines}.substr(at, piece));
      out.insert(out.end(), more.begin(), more.end());
    }
    CHECK(out == std::vector<std::string>{"{\"a\":\"\xc3\xa9\"}", "{\"b\":2}"});
    CHECK(parser.has_partial_line()); // {"c":3} has no newline yet
  }
}
