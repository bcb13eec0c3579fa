// The run store on real SQLite files in a temporary folder.
#include "support/temp_dir.hpp"

#include <tutti/engine/run_json.hpp>
#include <tutti/store/default_store_path.hpp>
#include <tutti/store/run_store.hpp>

#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace tutti::store;
using tutti::engine::agent_result;
using tutti::engine::agent_status;
using tutti::engine::run_result;
using tutti::engine::run_status;
using tutti::test::temp_dir;

namespace {

run_result skeleton(const std::string& id, const std::string& ensemble = "review") {
  run_result r;
  r.id = id;
  r.ensemble = ensemble;
  r.input = "def add(a, b)";
  r.max_concurrent_agents = 4;
  r.phases = {{"security", "style"}, {"synthesis"}};
  for (auto name : {"security", "style", "synthesis"}) {
    agent_result a;
    a.name = name;
    a.provider = "mock";
    a.model = "mock";
    a.backend = "mock";
    a.group = "mock";
    r.agents.push_back(a);
  }
  r.agents[2].phase = 1;
  return r;
}

run_origin origin() {
  return {"/ensembles/review.toml", "d1", {"h0", "h1", "h2"}};
}

// The skeleton's agents as they end: a success, a failure, a skip.
run_result finished(run_result r) {
  auto& ok = r.agents[0];
  ok.status = agent_status::success;
  ok.response = "no issues\nat all";
  ok.profile = "fast";
  ok.queued_ms = 0.5;
  ok.started_ms = 1.0;
  ok.finished_ms = 201.25;
  ok.duration_ms = 200.25;
  ok.attempts = 2;
  ok.usage = {12, 30};
  auto& bad = r.agents[1];
  bad.status = agent_status::failed;
  bad.error = "HTTP 429 from http://localhost:1";
  bad.error_code = tutti::providers::call_errc::rate_limited;
  bad.attempts = 3;
  r.agents[2].status = agent_status::skipped;
  r.agents[2].error = "dependency 'style' failed";
  r.status = run_status::partial;
  r.elapsed_ms = 250.5;
  return r;
}

std::unique_ptr<run_store> open_store(const std::filesystem::path& path, store_options o = {}) {
  auto opened = run_store::open(path, o);
  INFO((opened ? "" : opened.error().message));
  REQUIRE(opened);
  return std::move(opened).value();
}

void store_whole_run(run_store& s, const run_result& start, const run_result& end) {
  REQUIRE_FALSE(s.begin_run(start, origin()));
  for (std::size_t i = 0; i < end.agents.size(); ++i) {
    REQUIRE_FALSE(s.save_agent(end.id, i, end.agents[i]));
  }
  REQUIRE_FALSE(s.finish_run(end));
}

// A process id that no process has: one of a child that has ended.
pid_t ended_pid() {
  const pid_t child = fork();
  if (child == 0) {
    _exit(0);
  }
  waitpid(child, nullptr, 0);
  return child;
}

} // namespace

TEST_CASE("a stored run reads back exactly as it was printed, in a store made where asked") {
  temp_dir dir;
  const auto path = dir.path() / "deep" / "state" / "runs.db";
  auto s = open_store(path);
  auto end = finished(skeleton("20261126-100000-aaaaaa"));
  store_whole_run(*s, skeleton(end.id), end);
  auto loaded = s->load(end.id);
  REQUIRE(loaded);
  CHECK(tutti::engine::to_json(loaded->result) == tutti::engine::to_json(end));
  CHECK(loaded->origin.file == "/ensembles/review.toml");
  CHECK(loaded->origin.agent_hashes == std::vector<std::string>{"h0", "h1", "h2"});

  s.reset(); // and again from a new connection
  auto again = open_store(path)->load(end.id);
  REQUIRE(again);
  CHECK(tutti::engine::to_json(again->result) == tutti::engine::to_json(end));
}

TEST_CASE("a fan-out agent's instances are stored with it and read back in item order") {
  temp_dir dir;
  auto s = open_store(dir.path() / "runs.db");
  auto start = skeleton("20261126-100000-fafafa");
  start.agents[2].fan_out = "style";
  auto end = finished(start);
  auto& each = end.agents[2];
  each.status = agent_status::partial;
  each.error = "1 of 2 instances did not succeed: synthesis[1] failed: no";
  each.response = R"(["first",null])";
  for (int i = 0; i < 2; ++i) {
    auto instance = each;
    instance.fan_out.clear();
    instance.name = "synthesis[" + std::to_string(i) + "]";
    instance.status = i == 0 ? agent_status::success : agent_status::failed;
    instance.response = i == 0 ? "first" : "";
    instance.error = i == 0 ? "" : "no";
    each.instances.push_back(instance);
  }
  store_whole_run(*s, start, end);
  auto loaded = s->load(end.id);
  REQUIRE(loaded);
  const auto& back = loaded->result.agents[2];
  CHECK(back.status == agent_status::partial);
  REQUIRE(back.instances.size() == 2);
  CHECK(back.instances[1].name == "synthesis[1]");
  CHECK(back.instances[1].error == "no");
  CHECK(tutti::engine::to_json(loaded->result) == tutti::engine::to_json(end));
}

TEST_CASE("a run whose process ended before it did reads as interrupted, with what finished") {
  temp_dir dir;
  auto s = open_store(dir.path() / "runs.db");
  auto end = finished(skeleton("20261126-100000-bbbbbb"));
  REQUIRE_FALSE(s->begin_run(skeleton(end.id), origin()));
  REQUIRE_FALSE(s->save_agent(end.id, 0, end.agents[0]));
  auto live = s->load(end.id);
  REQUIRE(live);
  CHECK(live->result.status == run_status::running); // this process still lives
  CHECK(live->result.agents[0].response == "no issues\nat all");
  CHECK(live->result.agents[1].status == agent_status::pending); // not run yet
  CHECK(live->result.agents[1].error == "not finished yet");
  CHECK(live->result.elapsed_ms >= 0);
  auto refused = s->remove(end.id); // its process still writes to it
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == store_errc::running);
  CHECK(s->remove_older_than(std::chrono::system_clock::now() + std::chrono::hours{1}).value() ==
        0);

  {
    SQLite::Database db{(dir.path() / "runs.db").string(), SQLite::OPEN_READWRITE};
    SQLite::Statement kill{db, "UPDATE runs SET pid = ?"};
    kill.bind(1, static_cast<std::int64_t>(ended_pid()));
    kill.exec();
  }
  auto dead = s->load(end.id);
  REQUIRE(dead);
  CHECK(dead->result.status == run_status::interrupted);
  CHECK(dead->result.agents[1].error == "not finished when its process ended");
  CHECK(dead->result.elapsed_ms == 201.25); // up to the last agent known to have finished
  auto listed = s->list({});
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().status == run_status::interrupted);
  CHECK(listed->front().succeeded == 1);
  run_filter interrupted;
  interrupted.status = run_status::interrupted;
  CHECK(s->list(interrupted)->size() == 1);
  interrupted.status = run_status::running;
  CHECK(s->list(interrupted)->empty());
}

TEST_CASE("runs are listed newest first, by ensemble and status, up to a limit") {
  temp_dir dir;
  auto s = open_store(dir.path() / "runs.db");
  for (int i = 0; i < 5; ++i) {
    const auto id = "20261126-10000" + std::to_string(i) + "-cccccc";
    auto end = finished(skeleton(id, i % 2 == 0 ? "review" : "plan"));
    if (i == 4) {
      end.status = run_status::completed;
    }
    store_whole_run(*s, skeleton(id, end.ensemble), end);
  }
  auto all = s->list({});
  REQUIRE(all);
  REQUIRE(all->size() == 5);
  CHECK(all->front().id == "20261126-100004-cccccc");
  CHECK(all->front().agents == 3);
  CHECK(all->front().ended_at.has_value());
  run_filter f;
  f.ensemble = "review";
  CHECK(s->list(f)->size() == 3);
  f.status = run_status::completed;
  CHECK(s->list(f)->size() == 1);
  run_filter two;
  two.limit = 2;
  CHECK(s->list(two)->size() == 2);
}

TEST_CASE("a run is found by a unique prefix of its id, and removed by it") {
  temp_dir dir;
  auto s = open_store(dir.path() / "runs.db");
  for (auto id : {"20261126-100000-abc111", "20261126-100000-abc222"}) {
    store_whole_run(*s, skeleton(id), finished(skeleton(id)));
  }
  CHECK(s->load("20261126-100000-abc1")->result.id == "20261126-100000-abc111");
  auto ambiguous = s->load("20261126-100000-abc");
  REQUIRE_FALSE(ambiguous);
  CHECK(ambiguous.error().code == store_errc::ambiguous);
  CHECK(s->load("").error().code == store_errc::not_found);
  auto missing = s->load("nothing");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == store_errc::not_found);
  CHECK_THAT(missing.error().message, Catch::Contains("runs.db"));

  CHECK(s->remove("20261126-100000-abc2").value() == "20261126-100000-abc222");
  CHECK(s->list({})->size() == 1);
  CHECK(s->remove_older_than(std::chrono::system_clock::now() - std::chrono::hours{1}).value() ==
        0);
  CHECK(s->remove_older_than(std::chrono::system_clock::now() + std::chrono::hours{1}).value() ==
        1);
  CHECK(s->list({})->empty());
  SQLite::Database db{(dir.path() / "runs.db").string()};
  CHECK(db.execAndGet("SELECT count(*) FROM agents").getInt() == 0); // removed with their runs
}

TEST_CASE("a file that is no run store is an error naming it, and is left alone") {
  temp_dir dir;
  SECTION("not a database") {
    const auto path = dir.write("runs.db", std::string(8192, 'x'));
    auto opened = run_store::open(path);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == store_errc::not_a_store);
    CHECK_THAT(opened.error().message, Catch::Contains(path.string()));
    std::ifstream in{path};
    CHECK(std::string(std::istreambuf_iterator<char>{in}, {}) == std::string(8192, 'x'));
  }
  SECTION("another program's database") {
    const auto path = dir.path() / "app.db";
    SQLite::Database{path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE}.exec(
        "CREATE TABLE notes (text TEXT)");
    auto opened = run_store::open(path);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == store_errc::not_a_store);
    CHECK_THAT(opened.error().message, Catch::Contains("another program"));
  }
  SECTION("a store of a newer tutti") {
    const auto path = dir.path() / "runs.db";
    open_store(path);
    SQLite::Database{path.string(), SQLite::OPEN_READWRITE}.exec("PRAGMA user_version = 99");
    auto opened = run_store::open(path);
    REQUIRE_FALSE(opened);
    CHECK_THAT(opened.error().message, Catch::Contains("newer tutti (store schema 99"));
  }
}

TEST_CASE("a store that cannot be written says so as unwritable") {
  SECTION("its folder cannot be made") {
    auto opened = run_store::open("/proc/tutti-test/runs.db");
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == store_errc::unwritable);
    CHECK_THAT(opened.error().message, Catch::Contains("/proc/tutti-test/runs.db"));
  }
  SECTION("it is full") {
    temp_dir dir;
    store_options tiny;
    tiny.max_bytes = 64 * 1024;
    auto s = open_store(dir.path() / "runs.db", tiny);
    REQUIRE_FALSE(s->begin_run(skeleton("full"), origin()));
    auto big = finished(skeleton("full")).agents[0];
    big.response = std::string(256 * 1024, 'y');
    auto error = s->save_agent("full", 0, big);
    REQUIRE(error);
    CHECK(error->code == store_errc::unwritable);
    CHECK_THAT(error->message, Catch::Contains("full"));
  }
  SECTION("it is absent and may not be made") {
    store_options no_create;
    no_create.create = false;
    auto opened = run_store::open("/nonexistent/runs.db", no_create);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == store_errc::not_found);
  }
}

TEST_CASE("eight connections writing runs at once lose none") {
  temp_dir dir;
  const auto path = dir.path() / "runs.db";
  open_store(path); // created once, so that the writers race only on runs
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      auto s = run_store::open(path).value();
      for (int r = 0; r < 10; ++r) {
        const auto id = "w" + std::to_string(w) + "-r" + std::to_string(r);
        auto end = finished(skeleton(id));
        CHECK_FALSE(s->begin_run(skeleton(id), origin()));
        for (std::size_t i = 0; i < end.agents.size(); ++i) {
          CHECK_FALSE(s->save_agent(id, i, end.agents[i]));
        }
        CHECK_FALSE(s->finish_run(end));
      }
    });
  }
  for (auto& t : writers) {
    t.join();
  }
  run_filter all;
  all.limit = 1000;
  auto runs = open_store(path)->list(all);
  REQUIRE(runs);
  CHECK(runs->size() == 80);
  for (const auto& r : *runs) {
    CHECK(r.status == run_status::partial);
    CHECK(r.succeeded == 1);
  }
}

TEST_CASE("the default store lives under the XDG state folder") {
  using tutti::definition::fixed_environment;
  CHECK(default_store_path(fixed_environment({{"XDG_STATE_HOME", "/s"}, {"HOME", "/h"}})) ==
        std::filesystem::path{"/s/tutti/runs.db"});
  CHECK(default_store_path(fixed_environment({{"HOME", "/h"}})) ==
        std::filesystem::path{"/h/.local/state/tutti/runs.db"});
  CHECK_FALSE(default_store_path(fixed_environment({})));
}

TEST_CASE("many agents saved at once read back each in its place") {
  temp_dir dir;
  auto s = open_store(dir.path() / "runs.db");
  auto run = skeleton("many");
  run.agents.clear();
  run.phases = {{}};
  std::vector<finished_agent> finished;
  for (std::size_t i = 0; i < 70; ++i) { // more than two statements' worth, and a rest
    agent_result a;
    a.name = "a" + std::to_string(i);
    a.provider = a.model = a.backend = a.group = "mock";
    run.agents.push_back(a);
    run.phases[0].push_back(a.name);
    a.status = agent_status::success;
    a.response = "answer " + std::to_string(i);
    finished.push_back({i, a});
  }
  REQUIRE_FALSE(s->begin_run(run, origin()));
  REQUIRE_FALSE(s->save_agents(run.id, finished));
  auto loaded = s->load(run.id);
  REQUIRE(loaded);
  for (std::size_t i = 0; i < 70; ++i) {
    CHECK(loaded->result.agents[i].response == "answer " + std::to_string(i));
  }
  CHECK(s->list({})->front().succeeded == 70);
}
