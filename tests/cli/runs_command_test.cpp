// tutti run with a store, tutti runs and tutti resume, in-process on the mock.
#include "support/ensemble_text.hpp"
#include "support/temp_dir.hpp"
#include "support/tutti_in.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using tutti::test::contains;
using tutti::test::temp_dir;
using tutti::test::tutti_in;

namespace {

const std::string& chain = tutti::test::chain_with_a_failure;

std::string id_in(const std::string& json) {
  return nlohmann::json::parse(json)["id"].get<std::string>();
}

} // namespace

TEST_CASE("runs show prints a kept run as run printed it: the same JSON, and as text every "
          "agent's status and response with the same summary") {
  temp_dir dir;
  dir.write("chain.toml", chain);
  auto json_run =
      tutti_in(dir.path(), {"run", "chain.toml", "--input", "x", "--json", "--store", "runs.db"});
  CHECK(json_run.code == 1);
  const auto id = id_in(json_run.out);
  auto shown = tutti_in(dir.path(), {"runs", "show", id, "--json", "--store", "runs.db"});
  CHECK(shown.code == 0);
  CHECK(shown.out == json_run.out);

  auto text_run = tutti_in(dir.path(), {"run", "chain.toml", "--input", "y", "--store", "runs.db"});
  CHECK(contains(text_run.err, "kept as run "));
  auto listed =
      nlohmann::json::parse(tutti_in(dir.path(), {"runs", "--json", "--store", "runs.db"}).out);
  REQUIRE(listed.size() == 2);
  const auto text_id = listed[0]["id"].get<std::string>();
  CHECK(listed[0]["status"] == "partial");
  CHECK(listed[0]["succeeded"] == 2);
  CHECK(listed[0]["agents"] == 3);
  const auto shown_text = tutti_in(dir.path(), {"runs", "show", text_id, "--store", "runs.db"}).out;
  const auto summary = text_run.err.substr(text_run.err.find("partial: "));
  CHECK(contains(shown_text, summary.substr(0, summary.find("kept as run"))));
  CHECK(contains(shown_text, "first  success"));
  CHECK(contains(shown_text, "\n  [first] y\n"));
  CHECK(contains(shown_text, "broken  failed"));
  CHECK(contains(shown_text, "\n  model exploded\n"));
  CHECK(text_run.out == "[second] y\n\n## first\n[first] y\n"); // the last phase's answer
}

TEST_CASE("runs lists by ensemble and status, and rm removes by id or age") {
  temp_dir dir;
  dir.write("chain.toml", chain);
  dir.write("tutti.toml", "[store]\npath = \"state/kept.db\"\n");
  dir.write("ok.toml", "name = \"ok\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n");
  auto none = tutti_in(dir.path(), {"runs"});
  CHECK(none.code == 0);
  CHECK(contains(none.err, "no runs kept yet"));
  CHECK(tutti_in(dir.path(), {"runs", "--json"}).out == "[]\n");
  tutti_in(dir.path(), {"run", "chain.toml", "--input", "x"});
  tutti_in(dir.path(), {"run", "ok.toml", "--input", "x"});
  tutti_in(dir.path(), {"run", "ok.toml", "--input", "y"});
  CHECK(std::filesystem::exists(dir.path() / "state" / "kept.db")); // [store] path

  auto table = tutti_in(dir.path(), {"runs"});
  CHECK(table.code == 0);
  CHECK(contains(table.out, "ENSEMBLE"));
  CHECK(contains(table.out, "2 of 3"));
  auto count = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"runs", "--json"});
    return nlohmann::json::parse(tutti_in(dir.path(), args).out).size();
  };
  CHECK(count({}) == 3);
  CHECK(count({"--ensemble", "ok"}) == 2);
  CHECK(count({"--status", "partial"}) == 1);
  CHECK(count({"--limit", "1"}) == 1);
  CHECK(tutti_in(dir.path(), {"runs", "--status", "great"}).code == 2);

  const auto newest = nlohmann::json::parse(tutti_in(dir.path(), {"runs", "--json"}).out)[0];
  auto removed = tutti_in(dir.path(), {"runs", "rm", newest["id"].get<std::string>()});
  CHECK(removed.code == 0);
  CHECK(contains(removed.out, "removed run " + newest["id"].get<std::string>()));
  CHECK(count({}) == 2);
  CHECK(tutti_in(dir.path(), {"runs", "rm", "--older-than", "soon"}).code == 2);
  auto too_old = tutti_in(dir.path(), {"runs", "rm", "--older-than", "999999d"});
  CHECK(too_old.code == 2); // would wrap the clock round to the future and remove everything
  CHECK(contains(too_old.err, "up to a century"));
  CHECK(count({}) == 2);
  auto neither = tutti_in(dir.path(), {"runs", "rm"});
  CHECK(neither.code == 2);
  CHECK(contains(neither.err, "give a run ID or --older-than AGE\n"));
  CHECK(tutti_in(dir.path(), {"runs", "rm", "--older-than", "1d"}).code == 0);
  CHECK(count({}) == 2);
  auto all = tutti_in(dir.path(), {"runs", "rm", "--older-than", "0s"});
  CHECK(contains(all.out, "removed 2 runs"));
  CHECK(count({}) == 0);
  auto missing = tutti_in(dir.path(), {"runs", "show", "20990101"});
  CHECK(missing.code == 2);
  CHECK(contains(missing.err, "no run 20990101 in "));
}

TEST_CASE("a store that is not one stops a run with an error naming it, and one that cannot be "
          "written lets the run go on with a warning") {
  temp_dir dir;
  dir.write("chain.toml", chain);
  const auto junk = dir.write("junk.db", std::string(4096, 'j'));
  auto refused = tutti_in(dir.path(), {"run", "chain.toml", "--input", "x", "--store", "junk.db"});
  CHECK(refused.code == 2);
  CHECK(contains(refused.err, "error: " + junk.string() + ": not a SQLite database"));
  CHECK(contains(refused.err, "--no-store"));
  CHECK(refused.out.empty());
  CHECK(tutti_in(dir.path(), {"runs", "--store", "junk.db"}).code == 2);
  auto empty = tutti_in(dir.path(), {"run", "chain.toml", "--input", "x", "--store", ""});
  CHECK(empty.code == 2);
  CHECK(contains(empty.err, "must not be empty"));
  CHECK(tutti_in(dir.path(), {"run", "chain.toml", "--input", "x", "--no-store"}).code == 1);

  auto unwritable = tutti_in(
      dir.path(), {"run", "chain.toml", "--input", "x", "--store", "/proc/tutti-nowhere/runs.db"});
  CHECK(unwritable.code == 1); // the run's own verdict: one agent fails
  CHECK(contains(unwritable.err, "warning: /proc/tutti-nowhere/runs.db: cannot create"));
  CHECK(contains(unwritable.out, "[second] x\n"));
}

TEST_CASE("resume reuses what succeeded, refuses a changed ensemble unless forced") {
  temp_dir dir;
  dir.write("chain.toml", chain);
  auto first =
      tutti_in(dir.path(), {"run", "chain.toml", "--input", "x", "--json", "--store", "runs.db"});
  const auto id = id_in(first.out);

  auto resumed = tutti_in(dir.path(), {"resume", id, "--json", "--store", "runs.db"});
  CHECK(resumed.code == 1); // broken fails again
  auto r = nlohmann::json::parse(resumed.out);
  CHECK(r["resumed_from"] == id);
  CHECK(r["input"] == "x");
  CHECK(r["agents"]["first"]["reused"] == true);
  CHECK(r["agents"]["second"]["reused"] == true);
  CHECK(r["agents"]["broken"]["reused"] == false);
  CHECK(r["agents"]["broken"]["attempts"] == 1);

  dir.write("chain.toml", std::string{chain}.replace(chain.find("name = \"second\""), 15,
                                                     "name = \"second\"\nprompt = \"{input}!\""));
  auto refused = tutti_in(dir.path(), {"resume", id, "--store", "runs.db"});
  CHECK(refused.code == 2);
  CHECK(contains(refused.err, "changed since run " + id + " (agents second)"));
  CHECK(contains(refused.err, "--force"));
  auto forced = tutti_in(dir.path(), {"resume", id, "--force", "--json", "--store", "runs.db"});
  auto f = nlohmann::json::parse(forced.out);
  CHECK(f["agents"]["first"]["reused"] == true);
  CHECK(f["agents"]["second"]["reused"] == false);
  CHECK(f["agents"]["second"]["response"] == "[second] x!");

  CHECK(tutti_in(dir.path(), {"resume", "nope", "--store", "runs.db"}).code == 2);
  std::filesystem::remove(dir.path() / "chain.toml");
  auto gone = tutti_in(dir.path(), {"resume", id, "--store", "runs.db"});
  CHECK(gone.code == 2);
  CHECK(contains(gone.err, "no longer exists"));
}
