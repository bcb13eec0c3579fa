// The store's writer thread on its own, without an engine, so that ThreadSanitizer can watch
// it: writes posted from several threads at once, flushes, and a failure.
#include "support/temp_dir.hpp"

#include <tutti/store/store_recorder.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace tutti::store;
using tutti::test::temp_dir;

namespace {

tutti::engine::run_result run_named(const std::string& id, std::size_t agents) {
  tutti::engine::run_result r;
  r.id = id;
  r.ensemble = "e";
  r.phases.emplace_back();
  for (std::size_t i = 0; i < agents; ++i) {
    tutti::engine::agent_result a;
    a.name = "a" + std::to_string(i);
    a.status = tutti::engine::agent_status::success;
    a.response = "out " + std::to_string(i);
    r.agents.push_back(a);
    r.phases[0].push_back(a.name);
  }
  return r;
}

} // namespace

TEST_CASE("writes posted from several threads are all committed in each thread's order") {
  temp_dir dir;
  const auto path = dir.path() / "runs.db";
  std::atomic<int> failures{0};
  auto writer = std::make_shared<store_writer>(run_store::open(path).value(),
                                               [&](const store_error&) { ++failures; });
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&, t] {
      const auto run = run_named("run" + std::to_string(t), 50);
      writer->post([run](run_store& s) { return s.begin_run(run, {}); });
      for (std::size_t i = 0; i < run.agents.size(); ++i) {
        writer->post(
            [id = run.id, i, a = run.agents[i]](run_store& s) { return s.save_agent(id, i, a); });
        if (i % 10 == 0) {
          writer->flush();
        }
      }
      writer->post([run](run_store& s) { return s.finish_run(run); });
    });
  }
  for (auto& p : posters) {
    p.join();
  }
  writer->flush();
  CHECK(failures == 0);
  auto reader = run_store::open(path).value();
  auto runs = reader->list({});
  REQUIRE(runs);
  REQUIRE(runs->size() == 4);
  for (const auto& r : *runs) {
    CHECK(r.succeeded == 50);
    CHECK(reader->load(r.id)->result.agents[49].response == "out 49");
  }
}

TEST_CASE("after a failed write the writer reports once, drops the rest and still flushes") {
  temp_dir dir;
  std::atomic<int> failures{0};
  store_writer writer{run_store::open(dir.path() / "runs.db").value(),
                      [&](const store_error&) { ++failures; }};
  // An agent of a run that was never begun: the store refuses it.
  writer.post([](run_store& s) { return s.save_agent("nobody", 0, run_named("x", 1).agents[0]); });
  writer.flush();
  CHECK(failures == 1);
  CHECK(writer.failure().has_value());
  writer.post([](run_store& s) { return s.begin_run(run_named("later", 1), {}); });
  writer.flush();
  CHECK(failures == 1);
  CHECK(run_store::open(dir.path() / "runs.db").value()->list({})->empty());
}
