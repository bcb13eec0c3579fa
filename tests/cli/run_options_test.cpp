// What one run can be asked for: prices and a cost limit, overrides, prompts in the JSON, a
// timeline; and the run JSON's own promises (schema version, UTC start, microseconds).
#include "support/temp_dir.hpp"
#include "support/tutti_in.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

using tutti::test::contains;
using tutti::test::temp_dir;
using tutti::test::tutti_in;

namespace {

// $1 a token in, $2 a token out: the mock counts a word as a token.
const std::string priced_config =
    "[prices.priced]\ninput_per_mtok = 1000000\noutput_per_mtok = 2000000\n";

// Three agents side by side on the priced model, each allowed 2 tokens out.
const std::string trio = R"(
name = "trio"
[[agents]]
name = "a"
provider = "mock"
model = "priced"
max_tokens = 2
[[agents]]
name = "b"
provider = "mock"
model = "priced"
max_tokens = 2
[[agents]]
name = "c"
provider = "mock"
model = "priced"
max_tokens = 2
[[agents]]
name = "d"
provider = "mock"
depends_on = ["c"]
)";

std::string read(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("known prices give each agent's cost and the total; unknown ones say so, not zero") {
  temp_dir dir;
  dir.write("tutti.toml", priced_config);
  dir.write("trio.toml", trio);
  auto r = tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--json", "--no-store"});
  REQUIRE(r.code == 0);
  auto run = nlohmann::json::parse(r.out);
  // "x" in (1 token, $1), "[a] x" out (2 tokens, $4).
  CHECK(run["agents"]["a"]["usage"] == nlohmann::json{{"input_tokens", 1}, {"output_tokens", 2}});
  CHECK(run["agents"]["a"]["cost_usd"] == 5.0);
  CHECK(run["agents"]["d"]["cost_usd"].is_null()); // the mock model has no price
  CHECK(run["totals"]["cost_usd"] == 15.0);
  CHECK(run["totals"]["agents_without_cost"] == 1);
  CHECK(run["totals"]["succeeded"] == 4);
  auto text =
      tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--no-store", "--show", "all"});
  CHECK(contains(text.err, "a  success  "));
  CHECK(contains(text.err, "  1 in, 2 out  $5.0000\n"));
  CHECK(contains(text.err, "; cost $15.0000 and 1 agent of unknown cost"));
}

TEST_CASE(
    "run --max-cost stops admitting agents once the spent and running estimate would pass it") {
  temp_dir dir;
  dir.write("tutti.toml", priced_config);
  dir.write("trio.toml", trio);
  // Each priced agent is estimated at 1 token in ($1) and its 2 tokens out ($4): two fit in
  // $12, the third would make $15.
  auto r = tutti_in(
      dir.path(), {"run", "trio.toml", "--input", "x", "--json", "--no-store", "--max-cost", "12"});
  CHECK(r.code == 1);
  auto run = nlohmann::json::parse(r.out);
  CHECK(run["max_cost_usd"] == 12.0);
  CHECK(run["agents"]["a"]["status"] == "success");
  CHECK(run["agents"]["b"]["status"] == "success");
  CHECK(run["agents"]["c"]["status"] == "skipped");
  CHECK(run["agents"]["c"]["error"].get<std::string>().starts_with("cost limit"));
  CHECK(run["agents"]["d"]["status"] == "skipped"); // it depends on c
  CHECK(contains(r.err, "warning: --max-cost: no price for model 'mock'; its agents count as "
                        "free"));
  auto roomy =
      tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--no-store", "--max-cost", "100"});
  CHECK(roomy.code == 0);
  CHECK(tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--max-cost", "-1"}).code == 2);
}

TEST_CASE("a price needs both rates, as numbers, and says where it is wrong") {
  temp_dir dir;
  dir.write("tutti.toml", "[prices.half]\ninput_per_mtok = 1\n[prices.text]\ninput_per_mtok = "
                          "\"cheap\"\noutput_per_mtok = 1\n");
  auto r = tutti_in(dir.path(), {"profiles"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "tutti.toml:1:1: prices.half.output_per_mtok: the price of model 'half' "
                        "needs output_per_mtok"));
  CHECK(contains(r.err, "tutti.toml:4:18: prices.text.input_per_mtok: expected a number"));
}

TEST_CASE("run --model, --profile, --set and --timeout change one run, and say what they cannot") {
  temp_dir dir;
  dir.write("tutti.toml", "[profiles.quick]\nprovider = \"mock\"\nmodel = \"fast\"\n"
                          "[profiles.smart]\nprovider = \"mock\"\nmodel = \"deep\"\n");
  dir.write("trio.toml", trio);
  auto json_of = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"run", "trio.toml", "--input", "x", "--json", "--no-store"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = tutti_in(dir.path(), args);
    INFO(r.err);
    REQUIRE(r.code != 2);
    return nlohmann::json::parse(r.out);
  };
  auto model = json_of({"--model", "other"});
  for (const auto& name : {"a", "b", "c", "d"}) {
    CHECK(model["agents"][name]["model"] == "other");
  }
  auto profile = json_of({"--profile", "smart"});
  CHECK(profile["agents"]["a"]["model"] == "deep");
  CHECK(profile["agents"]["d"]["profile"] == "smart");
  auto set = json_of({"--set", "b.model=solo", "--set", "c.prompt=Say {input} twice"});
  CHECK(set["agents"]["a"]["model"] == "priced");
  CHECK(set["agents"]["b"]["model"] == "solo");
  CHECK(set["agents"]["c"]["response"] == "[c] Say x twice");

  auto bad =
      tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--set", "e.model=m", "--set",
                            "a.modle=m", "--set", "a.temperature=5", "--set", "nonsense"});
  CHECK(bad.code == 2);
  CHECK(contains(bad.err, "error: --set e.model=m: no agent 'e' in trio"));
  CHECK(contains(bad.err, "error: --set a.modle=m: --set cannot change 'modle' (did you mean "
                          "'model'?)"));
  CHECK(contains(bad.err, "error: --set a.temperature=5: temperature must be between 0 and 2"));
  CHECK(contains(bad.err, "error: --set nonsense: give AGENT.FIELD=VALUE"));
  // Values are checked as the file's are: no crash on a provider tutti does not know, no empty
  // names, no prompt naming an agent it does not depend on.
  auto unchecked =
      tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--set", "a.provider=bogus",
                            "--set", "b.model=", "--set", "c.base_url=notaurl", "--model", ""});
  CHECK(unchecked.code == 2);
  CHECK(contains(unchecked.err, "error: --set a.provider=bogus: provider 'bogus' is not one of"));
  CHECK(contains(unchecked.err, "error: --set b.model=: model must not be empty"));
  CHECK(contains(unchecked.err, "error: --set c.base_url=notaurl: base_url 'notaurl' is not an"));
  CHECK(contains(unchecked.err, "error: --model: must not be empty"));
  dir.write("script.toml", "name = \"script\"\n[[agents]]\nname = \"s\"\nscript = [\"cat\"]\n");
  auto program = tutti_in(dir.path(), {"run", "script.toml", "--input", "x", "--set", "s.model=m",
                                       "--set", "s.temperature=1"});
  CHECK(program.code == 2);
  CHECK(contains(program.err, "error: --set s.model=m: model does not apply to 's', a script "
                              "agent, which runs a program rather than a model"));
  CHECK(contains(program.err, "error: --set s.temperature=1: temperature does not apply to 's'"));
  auto reference =
      tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--set", "a.prompt=P {agents.zz}"});
  CHECK(reference.code == 2);
  CHECK(contains(reference.err, "{agents.zz}"));
  auto unknown = tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--profile", "smrat"});
  CHECK(unknown.code == 2);
  CHECK(contains(unknown.err,
                 "error: --profile: unknown profile 'smrat'; the profiles are smart, quick"));

  dir.write("slow.toml", "name = \"slow\"\n[[agents]]\nname = \"s\"\nprovider = \"mock\"\n"
                         "mock = { latency_ms = 60000 }\n");
  auto deadline = json_of({"--timeout", "0.05"});
  (void)deadline;
  auto timed = tutti_in(dir.path(), {"run", "slow.toml", "--input", "x", "--json", "--no-store",
                                     "--timeout", "0.05"});
  CHECK(timed.code == 1);
  CHECK(nlohmann::json::parse(timed.out)["status"] == "timeout");
  // A run stopped before its last phase answers with what finished.
  dir.write("late.toml", "name = \"late\"\n[[agents]]\nname = \"early\"\nprovider = \"mock\"\n"
                         "[[agents]]\nname = \"late\"\nprovider = \"mock\"\ndepends_on = "
                         "[\"early\"]\nmock = { latency_ms = 60000 }\n");
  auto stopped =
      tutti_in(dir.path(), {"run", "late.toml", "--input", "x", "--no-store", "--timeout", "0.5"});
  CHECK(stopped.code == 1);
  CHECK(stopped.out == "## early\n\n[early] x\n");
  CHECK(contains(stopped.err, "timeout: 1 of 2 agents succeeded"));
  CHECK_FALSE(contains(stopped.err, "not counted")); // the cut-off call owes no usage
}

TEST_CASE("the run JSON has a schema version, a UTC start, times to the microsecond, the cap "
          "true to the mode, and prompts only when asked") {
  temp_dir dir;
  dir.write("trio.toml", trio);
  auto r = tutti_in(dir.path(),
                    {"run", "trio.toml", "--input", "x", "--json", "--no-store", "--sequential"});
  auto run = nlohmann::json::parse(r.out);
  CHECK(run["schema_version"] == 1);
  CHECK(std::regex_match(run["started_at"].get<std::string>(),
                         std::regex{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"}));
  CHECK(run["max_concurrent_agents"] == 1);
  CHECK_FALSE(run["agents"]["a"].contains("prompt"));
  // No time has more than three decimals.
  CHECK_FALSE(std::regex_search(r.out, std::regex{R"(_ms": -?\d+\.\d{4})"}));
  auto prompts = tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--json", "--no-store",
                                       "--include-prompts"});
  auto with = nlohmann::json::parse(prompts.out);
  CHECK(with["agents"]["a"]["prompt"] == "x");
  CHECK(with["agents"]["d"]["prompt"] == "x\n\n## c\n[c] x");
}

TEST_CASE("run --timeline and tutti timeline write the run's SVG; a file that is no run is an "
          "error") {
  temp_dir dir;
  dir.write("trio.toml", trio);
  auto r = tutti_in(dir.path(),
                    {"run", "trio.toml", "--input", "x", "--no-store", "--timeline", "run.svg"});
  CHECK(r.code == 0);
  CHECK(contains(r.err, "timeline written to run.svg"));
  const auto svg = read(dir.path() / "run.svg");
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("data-agent=\"d\"") != std::string::npos);

  auto json = tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--json", "--no-store"});
  dir.write("run.json", json.out);
  auto drawn = tutti_in(dir.path(), {"timeline", "run.json", "-o", "again.svg"});
  CHECK(drawn.code == 0);
  CHECK(read(dir.path() / "again.svg").find("data-agent=\"a\"") != std::string::npos);

  dir.write("junk.json", "{\"not\": \"a run\"}");
  auto junk = tutti_in(dir.path(), {"timeline", "junk.json", "-o", "x.svg"});
  CHECK(junk.code == 2);
  CHECK(contains(junk.err, "error: junk.json: not the JSON of a run"));
  auto nowhere = tutti_in(dir.path(), {"timeline", "run.json", "-o", "no/such/dir/x.svg"});
  CHECK(nowhere.code == 2);
  CHECK(
      contains(nowhere.err, "error: cannot write the timeline to no/such/dir/x.svg: No such file"));
  // A run checks its --timeline before it starts: nothing is spent to find out.
  auto unwritable = tutti_in(dir.path(), {"run", "trio.toml", "--input", "x", "--no-store",
                                          "--timeline", "no/such/dir/x.svg"});
  CHECK(unwritable.code == 2);
  CHECK(unwritable.out.empty());
  CHECK(contains(unwritable.err, "error: --timeline no/such/dir/x.svg: its folder does not exist"));
}
