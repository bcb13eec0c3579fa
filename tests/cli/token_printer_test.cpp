#include "token_printer.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace tutti::engine;

namespace {

run_event token(std::string agent, std::string text) {
  run_event e;
  e.kind = run_event_kind::token;
  e.agent = std::move(agent);
  e.text = std::move(text);
  return e;
}

run_event finished(std::string agent) {
  run_event e;
  e.kind = run_event_kind::finished;
  e.agent = std::move(agent);
  return e;
}

} // namespace

TEST_CASE("one streamed agent's tokens go out as they come, without a label") {
  std::ostringstream out;
  tutti::cli::token_printer printer{out, {"a"}};
  printer.apply(token("a", "Hel"));
  CHECK(out.str() == "Hel"); // not held back for the line to end
  printer.apply(token("a", "lo"));
  printer.apply(token("c", "ignored"));
  printer.finish();
  CHECK(out.str() == "Hello\n");
}

TEST_CASE("several streamed agents print whole lines behind their names, never one agent's "
          "words inside another's line") {
  std::ostringstream out;
  tutti::cli::token_printer printer{out, {"a", "b"}};
  printer.apply(token("a", "Hel"));
  printer.apply(token("b", "Hi th"));
  printer.apply(token("a", "lo\nwor"));
  printer.apply(token("b", "ere\n"));
  printer.apply(token("a", "ld"));
  CHECK(out.str() == "[a] Hello\n[b] Hi there\n");
  printer.apply(finished("a")); // its unfinished line ends with it
  CHECK(out.str() == "[a] Hello\n[b] Hi there\n[a] world\n");
  printer.finish();
  CHECK(out.str() == "[a] Hello\n[b] Hi there\n[a] world\n");
}

TEST_CASE("an agent cut short ends its unfinished line saying so") {
  std::ostringstream out;
  tutti::cli::token_printer printer{out, {"a", "b"}};
  printer.apply(token("a", "half a sen"));
  auto cut = finished("a");
  cut.status = agent_status::failed;
  printer.apply(cut);
  CHECK(out.str() == "[a] half a sen [failed]\n");
}

TEST_CASE("held lines wait for the live view to take them") {
  std::ostringstream out;
  tutti::cli::token_printer printer{out, {"a"}, false, true};
  printer.apply(token("a", "one\ntw"));
  CHECK(out.str().empty());
  CHECK(printer.take_lines() == std::vector<std::string>{"one\n"});
  CHECK(printer.take_lines().empty());
  printer.finish();
  CHECK(out.str() == "tw\n");
}

TEST_CASE("a streamed fan-out agent's instances print whole lines behind their own names") {
  std::ostringstream out;
  tutti::cli::token_printer printer{out, {"fan"}};
  printer.apply(token("fan[0]", "first "));
  printer.apply(token("fan[1]", "second\n"));
  printer.apply(token("fan[0]", "done"));
  printer.apply(token("fanatic[0]", "not an instance of fan"));
  printer.apply(finished("fan[0]"));
  printer.finish();
  CHECK(out.str() == "[fan[1]] second\n[fan[0]] first done\n");
}
