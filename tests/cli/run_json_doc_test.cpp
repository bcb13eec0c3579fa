// docs/run-json.md against the program: the keys a run prints and the keys the page lists are
// the same.
#include "support/temp_dir.hpp"
#include "support/tutti_in.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using tutti::test::temp_dir;
using tutti::test::tutti_in;

namespace {

// Every key path of `j`: "totals.cost_usd", "agents.*.usage.input_tokens",
// "resources[].wait_ms.p50"; caps[] is documented as resources[], and a fan-out's instances
// and a nested run's agents, but for their name, as agents.
void collect(const nlohmann::json& j, const std::string& path, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      const bool is_agent_key =
          (path == "agents.*.instances[]" || path == "agents.*.runs[].agents[]") && key != "name";
      const auto name = path == "agents" ? "agents.*"
                        : is_agent_key   ? "agents.*." + key
                        : path.empty()   ? key
                                         : path + "." + key;
      if (path != "agents") {
        out.insert(name);
      }
      collect(value, name, out);
    }
  } else if (j.is_array() && !path.empty() && path != "phases") {
    for (const auto& item : j) {
      collect(item, (path == "caps" ? std::string{"resources"} : path) + "[]", out);
    }
  }
}

std::set<std::string> documented() {
  std::ifstream file{std::string{TUTTI_SOURCE_DIR} + "/docs/run-json.md"};
  std::stringstream text;
  text << file.rdbuf();
  std::set<std::string> keys;
  static const std::regex row{R"(^\| `([a-z0-9_.*\[\]]+)` \|)"};
  std::string line;
  while (std::getline(text, line)) {
    std::smatch m;
    if (std::regex_search(line, m, row)) {
      keys.insert(m[1]);
    }
  }
  return keys;
}

} // namespace

TEST_CASE("docs/run-json.md lists every key a run's JSON has, and no other") {
  temp_dir dir;
  // A run that has it all: a retry wait, a failure, a skip, prompts, prices.
  dir.write("tutti.toml", "[prices.priced]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\n"
                          "[profiles.spare]\nprovider = \"mock\"\n");
  dir.write("all.toml", "name = \"all\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\nmodel = "
                        "\"priced\"\nfallback = [\"spare\"]\n[[agents]]\nname = \"b\"\nprovider = "
                        "\"mock\"\nmock = { fail "
                        "= \"no\" }\n[[agents]]\nname = \"c\"\nprovider = \"mock\"\ndepends_on = "
                        "[\"b\"]\n[[agents]]\nname = \"d\"\nprovider = "
                        "\"mock\"\ndepends_on = "
                        "[\"a\"]\nfan_out = true\n[[agents]]\nname = \"e\"\nensemble = "
                        "\"inner.toml\"\n");
  dir.write("inner.toml", "name = \"inner\"\n[[agents]]\nname = \"i\"\nprovider = \"mock\"\n");
  auto r = tutti_in(
      dir.path(), {"run", "all.toml", "--input", "x", "--json", "--no-store", "--include-prompts"});
  REQUIRE(r.code == 1);
  auto run = nlohmann::json::parse(r.out);
  REQUIRE(run["agents"]["d"]["instances"].size() == 1);
  REQUIRE(run["agents"]["a"].contains("profile_attempts"));
  REQUIRE(run["agents"]["e"]["runs"].size() == 1);
  // A retry's wait, as a rate-limited call would leave it, so its keys are seen too.
  run["agents"]["a"]["retry_waits"] = {{{"start_ms", 1.0}, {"end_ms", 2.0}}};
  std::set<std::string> printed;
  collect(run, "", printed);
  const auto listed = documented();
  REQUIRE(listed.size() > 40); // the page was found and read
  for (const auto& key : printed) {
    INFO(key);
    CHECK(listed.count(key) == 1);
  }
  for (const auto& key : listed) {
    INFO(key);
    CHECK(printed.count(key) == 1);
  }
}
