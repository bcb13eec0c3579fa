// The server's soak test (CTest label "soak"): 1,000 runs from eight clients at once, through
// the run API and the OpenAI endpoint, with the run store. Every run is accounted for, and
// neither file descriptors nor memory grow once the kept runs are full.
#include "server/served_library.hpp"
#include "support/http_fetch.hpp"
#include "support/process_usage.hpp"

#include <tutti/server/http_server.hpp>
#include <tutti/store/run_store.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <thread>

using namespace tutti;
using json = nlohmann::json;

namespace {

constexpr int clients = 8;
constexpr int runs_per_client = 125;

} // namespace

TEST_CASE("1,000 runs through the server from eight clients: all accounted for, nothing grows") {
  test::temp_dir store_dir;
  auto opened = store::run_store::open(store_dir.path() / "runs.db");
  REQUIRE(opened);
  auto writer = std::make_shared<store::store_writer>(std::move(opened).value(), nullptr);
  server::service_settings settings;
  settings.kept_runs = 100;
  test::served_library lib{settings,
                           300,
                           {},
                           {{"tiny", "name = \"tiny\"\n[[agents]]\nname = \"one\"\nprovider = "
                                     "\"mock\"\nmock = { latency_ms = 1 }\n[[agents]]\nname = "
                                     "\"two\"\nprovider = \"mock\"\nmock = { latency_ms = 1 }\n"
                                     "depends_on = [\"one\"]\n"}},
                           writer};
  server::http_settings http;
  http.port = 0;
  server::http_server server{lib.service(), http};
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());

  std::atomic<int> completed{0};
  std::atomic<int> failed{0};
  std::atomic<int> done{0};
  long memory_at_half = 0;
  std::size_t files_at_half = 0;
  std::mutex mutex;
  std::vector<std::string> problems; // the first few, to say what went wrong
  auto client = [&](int c) {
    test::http_fetch fetch{url};
    for (int i = 0; i < runs_per_client; ++i) {
      const auto input = "client " + std::to_string(c) + " run " + std::to_string(i);
      bool ok = false;
      if (i % 2 == 0) {
        auto posted =
            fetch("POST", "/v1/runs", json{{"ensemble", "tiny"}, {"input", input}}.dump());
        if (posted.status == 201) {
          const auto id = json::parse(posted.body).at("id").get<std::string>();
          auto events = fetch("GET", "/v1/runs/" + id + "/events");
          auto run = json::parse(fetch("GET", "/v1/runs/" + id).body);
          if (events.error || events.body.find("\"run_finished\"") == std::string::npos) {
            std::lock_guard lock{mutex};
            problems.push_back("events of " + id + ": " +
                               (events.error ? events.error->message : events.body.substr(0, 300)));
          }
          ok = events.body.find("\"run_finished\"") != std::string::npos &&
               run.at("status") == "completed" &&
               run.at("agents").at("two").at("response").get<std::string>().find(input) !=
                   std::string::npos;
        }
      } else {
        auto answer = fetch(
            "POST", "/v1/chat/completions",
            json{{"model", "ensemble/tiny"}, {"messages", {{{"role", "user"}, {"content", input}}}}}
                .dump());
        if (answer.status != 200) {
          std::lock_guard lock{mutex};
          problems.push_back("completion: " + std::to_string(answer.status) + " " +
                             (answer.error ? answer.error->message : answer.body.substr(0, 300)));
        }
        ok = answer.status == 200 && json::parse(answer.body)
                                             .at("choices")[0]
                                             .at("message")
                                             .at("content")
                                             .get<std::string>()
                                             .find(input) != std::string::npos;
      }
      (ok ? completed : failed)++;
      if (++done == clients * runs_per_client / 2) {
        std::lock_guard lock{mutex};
        memory_at_half = test::resident_kib();
        files_at_half = test::open_files();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back(client, c);
  }
  for (auto& t : threads) {
    t.join();
  }
  for (std::size_t i = 0; i < std::min<std::size_t>(problems.size(), 5); ++i) {
    UNSCOPED_INFO(problems[i]);
  }
  CHECK(completed == clients * runs_per_client);
  CHECK(failed == 0);
  CHECK(lib.service().pending() == 0);
  CHECK(lib.service().runs().size() == settings.kept_runs);
  writer->flush();
  auto store = store::run_store::open(store_dir.path() / "runs.db");
  REQUIRE(store);
  store::run_filter all;
  all.limit = 5000;
  all.status = engine::run_status::completed;
  auto kept = (*store)->list(all);
  REQUIRE(kept);
  CHECK(kept->size() == static_cast<std::size_t>(clients * runs_per_client));
  INFO("memory at half: " << memory_at_half << " KiB, at the end: " << test::resident_kib()
                          << " KiB; files at half: " << files_at_half
                          << ", at the end: " << test::open_files());
  CHECK(test::open_files() <= files_at_half + 2);
#ifndef __SANITIZE_ADDRESS__ // AddressSanitizer keeps freed memory in quarantine, by design
  CHECK(test::resident_kib() - memory_at_half < 8 * 1024);
#endif
}
