// The run store through the real binary: a run killed with SIGKILL keeps what finished, and a
// resume pays for the rest only; several processes write one store at once.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <tutti/mock_server/mock_server.hpp>
#include <tutti/store/run_store.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <set>
#include <thread>

using tutti::test::child_process;
using tutti::test::read_file;
using tutti::test::temp_dir;

namespace {

const std::filesystem::path tutti_binary = TUTTI_BINARY;

// Six agents on the mock server, one at a time, 300 ms each: a run long enough to kill.
void write_ensemble(const temp_dir& dir, const std::string& base_url) {
  std::ofstream{dir.path() / "tutti.toml"} << "[backends.server]\nprovider = \"openai\"\n"
                                              "base_url = \"" +
                                                  base_url + "/v1\"\n";
  std::string e = "name = \"six\"\nmax_concurrent_agents = 1\n";
  for (int i = 1; i <= 6; ++i) {
    e += "[[agents]]\nname = \"a" + std::to_string(i) +
         "\"\nbackend = \"server\"\nmodel = \"sleep-300\"\n";
    if (i > 1 && i % 2 == 0) {
      e += "depends_on = [\"a" + std::to_string(i - 1) + "\"]\n";
    }
  }
  std::ofstream{dir.path() / "six.toml"} << e;
}

// The run's JSON without what only says when and how fast: timings, ids, statistics of the
// process's own calls and which results were reused.
nlohmann::json without_timings(const std::string& text) {
  auto j = nlohmann::json::parse(text);
  for (auto key :
       {"id", "resumed_from", "started_at", "elapsed_ms", "total_agent_ms",
        "totals" /* a resumed run counts only the calls it made */, "resources", "caps"}) {
    j.erase(key);
  }
  for (auto& [name, agent] : j["agents"].items()) {
    for (auto key : {"queued_ms", "started_ms", "finished_ms", "duration_ms", "reused"}) {
      agent.erase(key);
    }
  }
  return j;
}

std::size_t succeeded_in(const std::filesystem::path& store) {
  auto s = tutti::store::run_store::open(store);
  if (!s) {
    return 0;
  }
  auto runs = s.value()->list({});
  return runs && !runs->empty() ? runs->front().succeeded : 0;
}

} // namespace

TEST_CASE("a run killed with SIGKILL keeps what finished, and its resume calls only the rest") {
  tutti::mock_server::server server;
  temp_dir dir;
  write_ensemble(dir, server.base_url());
  const auto run_args = [](const std::string& store) {
    return std::vector<std::string>{"run", "six.toml", "--input", "go", "--json", "--store", store};
  };

  child_process clean{tutti_binary, run_args("clean.db"), dir.path(), dir.path() / "clean.json"};
  REQUIRE(clean.wait() == 0);
  const auto clean_json = read_file(dir.path() / "clean.json");

  const auto store = dir.path() / "runs.db";
  {
    child_process doomed{tutti_binary, run_args("runs.db"), dir.path(), dir.path() / "doomed.json"};
    for (int i = 0; i < 200 && succeeded_in(store) < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds{25});
    }
    doomed.kill_hard();
    REQUIRE(doomed.wait() == 128 + SIGKILL);
  }
  auto s = tutti::store::run_store::open(store).value();
  auto runs = s->list({}).value();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == tutti::engine::run_status::interrupted);
  const auto kept = runs[0].succeeded;
  REQUIRE(kept >= 3);
  REQUIRE(kept < 6);

  child_process show{tutti_binary,
                     {"runs", "show", runs[0].id, "--stats", "--store", "runs.db"},
                     dir.path(),
                     dir.path() / "shown.txt"};
  REQUIRE(show.wait() == 0);
  const auto shown = read_file(dir.path() / "shown.txt");
  CHECK(shown.find("pending\n  not finished when its process ended") != std::string::npos);
  CHECK(shown.find("\ninterrupted: " + std::to_string(kept) + " of 6 agents had succeeded") !=
        std::string::npos);
  CHECK(shown.find("resources: none recorded") != std::string::npos);

  const auto requests_before = server.overall().requests;
  child_process resume{tutti_binary,
                       {"resume", runs[0].id, "--json", "--store", "runs.db"},
                       dir.path(),
                       dir.path() / "resumed.json"};
  REQUIRE(resume.wait() == 0);
  CHECK(server.overall().requests - requests_before == 6 - kept);
  const auto resumed_json = read_file(dir.path() / "resumed.json");
  CHECK(without_timings(resumed_json) == without_timings(clean_json));
  auto resumed = nlohmann::json::parse(resumed_json);
  CHECK(resumed["resumed_from"] == runs[0].id);
  std::size_t reused = 0;
  for (const auto& [name, agent] : resumed["agents"].items()) {
    reused += agent["reused"].get<bool>() ? 1 : 0;
  }
  CHECK(reused == kept);
  CHECK(s->list({}).value().front().resumed_from == runs[0].id);
}

TEST_CASE("eight processes running into one store at once all keep their runs") {
  tutti::mock_server::server server;
  temp_dir dir;
  std::ofstream{dir.path() / "pair.toml"}
      << "name = \"pair\"\n[[agents]]\nname = \"one\"\nprovider = \"mock\"\n"
         "[[agents]]\nname = \"two\"\nprovider = \"mock\"\ndepends_on = [\"one\"]\n";
  std::vector<std::unique_ptr<child_process>> runs;
  for (int i = 0; i < 8; ++i) {
    runs.push_back(std::make_unique<child_process>(
        tutti_binary,
        std::vector<std::string>{"run", "pair.toml", "--input", "run " + std::to_string(i),
                                 "--quiet", "--store", "shared.db"},
        dir.path(), dir.path() / ("out" + std::to_string(i))));
  }
  for (auto& r : runs) {
    CHECK(r->wait() == 0);
  }
  auto s = tutti::store::run_store::open(dir.path() / "shared.db").value();
  auto kept = s->list({}).value();
  REQUIRE(kept.size() == 8);
  std::set<std::string> inputs;
  for (const auto& r : kept) {
    CHECK(r.status == tutti::engine::run_status::completed);
    CHECK(r.succeeded == 2);
    inputs.insert(s->load(r.id).value().result.input);
  }
  CHECK(inputs.size() == 8);
}
