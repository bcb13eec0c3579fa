// The recorder on a real engine run and a real store file.
#include "support/ensemble_text.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_json.hpp>
#include <tutti/store/fingerprint.hpp>
#include <tutti/store/store_recorder.hpp>

#include <catch2/catch.hpp>

#include <mutex>

using namespace tutti::store;
using tutti::test::temp_dir;

namespace {

const char* pipeline = R"(
name = "pipeline"
[[agents]]
name = "draft"
provider = "mock"
[[agents]]
name = "review"
provider = "mock"
depends_on = ["draft"]
)";

tutti::definition::config default_config() {
  return tutti::definition::parse_config("", "", tutti::definition::fixed_environment({})).value();
}

} // namespace

TEST_CASE("a recorded run is in the store, as run() returned it, once the writer is flushed") {
  temp_dir dir;
  const auto path = dir.path() / "runs.db";
  auto writer = std::make_shared<store_writer>(run_store::open(path).value(), nullptr);
  tutti::engine::engine engine{default_config()};
  const auto e = tutti::test::ensemble_from(pipeline);
  tutti::engine::run_options options;
  options.observer = std::make_shared<run_recorder>(writer, origin_of(e));
  auto result = engine.run(e, "hello", options);
  writer->flush();
  auto stored = run_store::open(path).value()->load(result.id);
  REQUIRE(stored);
  CHECK(tutti::engine::to_json(stored->result) == tutti::engine::to_json(result));
  CHECK(stored->origin.definition_hash == ensemble_fingerprint(e));
}

TEST_CASE("a store that fails is reported once and the writes after it are dropped") {
  temp_dir dir;
  store_options tiny;
  tiny.max_bytes = 64 * 1024;
  std::mutex mutex;
  std::vector<std::string> failures;
  auto writer = std::make_shared<store_writer>(
      run_store::open(dir.path() / "runs.db", tiny).value(), [&](const store_error& e) {
        std::lock_guard lock{mutex};
        failures.push_back(e.message);
      });
  tutti::engine::engine engine{default_config()};
  auto e = tutti::test::ensemble_from(pipeline);
  tutti::engine::run_options options;
  options.observer = std::make_shared<run_recorder>(writer, origin_of(e));
  auto result = engine.run(e, std::string(300 * 1024, 'z'), options); // too big for the store
  writer->flush();
  CHECK(result.status == tutti::engine::run_status::completed); // the run went on
  std::lock_guard lock{mutex};
  REQUIRE(failures.size() == 1);
  CHECK_THAT(failures[0], Catch::Contains("full"));
}
