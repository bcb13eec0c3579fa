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

} // namespace

TEST_CASE("streamed tokens are printed behind their agent's name, for the chosen agents only") {
  std::ostringstream out;
  tutti::cli::token_printer printer{out, {"a", "b"}};
  printer.apply(token("a", "Hel"));
  printer.apply(token("a", "lo"));
  printer.apply(token("c", "ignored"));
  printer.apply(token("b", "Hi"));
  printer.apply(token("a", "!"));
  run_event started;
  started.kind = run_event_kind::started;
  started.agent = "a";
  printer.apply(started);
  printer.finish();
  CHECK(out.str() == "[a] Hello\n[b] Hi\n[a] !\n");
}
