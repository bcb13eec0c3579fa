#include "support/backend_at.hpp"

#include <tutti/resources/group_directory.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
constexpr auto backend = tutti::test::backend_at;
using tutti::resources::conflicting_limits;
using tutti::resources::group_directory;

namespace {

resolved_agent agent(std::string name, backend_spec b) {
  resolved_agent a;
  a.name = std::move(name);
  a.backend = std::move(b);
  a.model = "m";
  return a;
}

} // namespace

TEST_CASE("a directory lists the spellings that reach one server") {
  group_directory d;
  CHECK_FALSE(d.join(backend("ollama", provider_kind::ollama, "http://localhost:11434")).conflict);
  CHECK_FALSE(
      d.join(backend("compat", provider_kind::openai, "http://127.0.0.1:11434/v1")).conflict);
  CHECK_FALSE(d.join(backend("again", provider_kind::ollama, "http://localhost:11434")).conflict);
  CHECK(d.spellings("http://localhost:11434") ==
        std::vector<std::string>{"http://127.0.0.1:11434/v1"});
  CHECK(d.spellings("http://elsewhere:1").empty());
}

TEST_CASE("two backends that give one server different limits conflict, in any spelling") {
  auto ollama = backend("ollama", provider_kind::ollama, "http://localhost:11434");
  auto wide = backend("wide", provider_kind::openai, "http://[::1]:11434/v1");
  wide.max_concurrent = concurrency_limit::at_most(4);
  wide.where = {"tutti.toml", 7, 1};
  resolved_ensemble e;
  e.file = "e.toml";
  e.agents = {agent("a", ollama), agent("b", wide), agent("c", wide)};
  group_directory d;
  auto problems = conflicting_limits(e, d);
  REQUIRE(problems.size() == 1); // one problem per pair of backends
  CHECK(problems[0].where.file == "tutti.toml");
  CHECK(problems[0].where.line == 7);
  CHECK(problems[0].field == "backends.wide");
  CHECK(problems[0].message.find("'ollama' and 'wide' are the same server (group "
                                 "http://localhost:11434) with different limits (1 and 4)") !=
        std::string::npos);

  SECTION("the same limit in both is no conflict") {
    wide.max_concurrent = concurrency_limit::at_most(1);
    e.agents = {agent("a", ollama), agent("b", wide)};
    group_directory fresh;
    CHECK(conflicting_limits(e, fresh).empty());
  }
  SECTION("a backend that an earlier run put in the directory counts too") {
    group_directory earlier;
    earlier.join(wide);
    e.agents = {agent("a", ollama)};
    CHECK(conflicting_limits(e, earlier).size() == 1);
  }
}
