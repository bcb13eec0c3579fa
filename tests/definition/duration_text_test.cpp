#include <tutti/definition/duration_text.hpp>

#include <catch2/catch.hpp>

using tutti::definition::duration_text;
using namespace std::chrono_literals;

TEST_CASE("durations read as seconds, fractions of seconds or milliseconds") {
  CHECK(duration_text(30s) == "30 s");
  CHECK(duration_text(1500ms) == "1.5 s");
  CHECK(duration_text(2050ms) == "2.05 s");
  CHECK(duration_text(250ms) == "250 ms");
  CHECK(duration_text(0ms) == "0 s");
}
