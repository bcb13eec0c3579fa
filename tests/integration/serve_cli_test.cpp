// `tutti serve` and `tutti run --server` as separate processes: one authority for a local
// server whatever the number of clients, priorities across clients, Ctrl-C in a client, and
// SIGTERM to the server.
#include "support/child_process.hpp"
#include "support/eventually.hpp"
#include "support/http_fetch.hpp"
#include "support/temp_dir.hpp"

#include <tutti/mock_server/mock_server.hpp>
#include <tutti/store/run_store.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <memory>
#include <regex>

using namespace tutti;
using tutti::test::child_process;
using tutti::test::eventually;
using tutti::test::http_fetch;
using tutti::test::read_file;
using tutti::test::temp_dir;
using json = nlohmann::json;

namespace {

const std::filesystem::path tutti_binary = TUTTI_BINARY;

// A served folder: "box" is a mock server as a local server (one request at a time), "cloud"
// another as a remote API (one server cannot be both: its limit would be two); "sleep-100"
// and "sleep-5000" run one agent on box, "pair" two on cloud.
class served_folder {
 public:
  served_folder(const mock_server::server& backend, const mock_server::server& cloud,
                const std::string& store_args = {}) {
    dir_.write("tutti.toml", "[backends.box]\nprovider = \"ollama\"\nbase_url = \"" +
                                 backend.base_url() +
                                 "\"\nresource = \"local-server\"\n"
                                 "[backends.cloud]\nprovider = \"openai\"\nbase_url = \"" +
                                 cloud.base_url() + "/v1\"\nresource = \"remote-api\"\n");
    for (auto model : {"sleep-100", "sleep-5000"}) {
      dir_.write(std::string{"ensembles/"} + model + ".toml",
                 std::string{"name = \""} + model +
                     "\"\n[[agents]]\nname = \"only\"\nbackend = \"box\"\nmodel = \"" + model +
                     "\"\n");
    }
    dir_.write("ensembles/pair.toml",
               "name = \"pair\"\n[[agents]]\nname = \"quick\"\nbackend = \"cloud\"\nmodel = "
               "\"sleep-10\"\n[[agents]]\nname = \"long\"\nbackend = \"cloud\"\nmodel = "
               "\"sleep-20000\"\n");
    std::vector<std::string> args{"serve", "--port", "0"};
    if (store_args.empty()) {
      args.emplace_back("--no-store");
    } else {
      args.emplace_back("--store");
      args.push_back(store_args);
    }
    server_ =
        std::make_unique<child_process>(tutti_binary, args, dir_.path(), dir_.path() / "serve.out");
    std::string port;
    REQUIRE(eventually([&] {
      static const std::regex listening{"listening on http://127\\.0\\.0\\.1:([0-9]+)"};
      const auto out = read_file(dir_.path() / "serve.out");
      std::smatch found;
      if (!std::regex_search(out, found, listening)) {
        return false;
      }
      port = found[1].str(); // before `out`, which it points into, is gone
      return true;
    }));
    url_ = "http://127.0.0.1:" + port;
  }

  child_process& server() { return *server_; }
  const std::string& url() const { return url_; }
  const temp_dir& dir() const { return dir_; }

  std::unique_ptr<child_process> client(const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> all{"run", "--server", url_};
    all.insert(all.end(), args.begin(), args.end());
    return std::make_unique<child_process>(tutti_binary, all, dir_.path(),
                                           dir_.path() / (name + ".out"));
  }

 private:
  temp_dir dir_;
  std::unique_ptr<child_process> server_;
  std::string url_;
};

} // namespace

TEST_CASE("eight client processes through one server: the local server sees one request at a "
          "time") {
  mock_server::server backend;
  mock_server::server cloud;
  served_folder folder{backend, cloud};
  std::vector<std::unique_ptr<child_process>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(
        folder.client("c" + std::to_string(i),
                      {"sleep-100", "--input", "client " + std::to_string(i), "--json"}));
  }
  for (int i = 0; i < 8; ++i) {
    INFO("client " << i << ": "
                   << read_file(folder.dir().path() / ("c" + std::to_string(i) + ".out.err")));
    CHECK(clients[i]->wait() == 0);
    auto result = json::parse(read_file(folder.dir().path() / ("c" + std::to_string(i) + ".out")));
    CHECK(result.at("status") == "completed");
    CHECK(result.at("agents").at("only").at("response") == "echo: client " + std::to_string(i));
  }
  CHECK(backend.of_model("sleep-100").requests == 8);
  CHECK(backend.of_model("sleep-100").peak_in_flight == 1);
  folder.server().signal(SIGTERM);
  CHECK(folder.server().wait_for(std::chrono::seconds{5}) == 0);
}

TEST_CASE("runs of priority 9 submitted while the server is busy are served before those of 1") {
  mock_server::server backend;
  mock_server::server cloud;
  served_folder folder{backend, cloud};
  http_fetch fetch{folder.url()};
  auto busy = fetch("POST", "/v1/runs", R"({"ensemble": "sleep-100", "input": "busy"})");
  REQUIRE(busy.status == 201);
  REQUIRE(eventually([&] { return backend.of_model("sleep-100").in_flight == 1; }));
  std::vector<std::string> low;
  std::vector<std::string> high;
  for (int i = 0; i < 3; ++i) {
    auto l =
        fetch("POST", "/v1/runs", R"({"ensemble": "sleep-100", "input": "low", "priority": 1})");
    REQUIRE(l.status == 201);
    low.push_back(json::parse(l.body).at("id").get<std::string>());
  }
  for (int i = 0; i < 3; ++i) {
    auto h =
        fetch("POST", "/v1/runs", R"({"ensemble": "sleep-100", "input": "high", "priority": 9})");
    REQUIRE(h.status == 201);
    high.push_back(json::parse(h.body).at("id").get<std::string>());
  }
  // When each started, on the server's clock: its submission plus its agent's start.
  auto started_at = [&](const std::string& id) {
    auto stream = fetch("GET", "/v1/runs/" + id + "/events"); // returns at the run's end
    REQUIRE(stream.status == 200);
    auto listed = json::parse(fetch("GET", "/v1/runs").body).at("runs");
    auto run = json::parse(fetch("GET", "/v1/runs/" + id).body);
    for (const auto& r : listed) {
      if (r.at("id") == id) {
        return r.at("submitted_unix_ms").get<double>() +
               run.at("agents").at("only").at("started_ms").get<double>();
      }
    }
    FAIL("run " << id << " is not listed");
    return 0.0;
  };
  double last_high = 0;
  for (const auto& id : high) {
    last_high = std::max(last_high, started_at(id));
  }
  for (const auto& id : low) {
    CHECK(started_at(id) > last_high);
  }
  CHECK(backend.of_model("sleep-100").peak_in_flight == 1);
}

TEST_CASE("Ctrl-C in a client cancels its run on the server, which lets go of the backend") {
  mock_server::server backend;
  mock_server::server cloud;
  served_folder folder{backend, cloud};
  auto client = folder.client("c", {"sleep-5000", "--input", "x", "--json"});
  REQUIRE(eventually([&] { return backend.of_model("sleep-5000").in_flight == 1; }));
  client->signal(SIGINT);
  CHECK(client->wait() == 1);
  auto result = json::parse(read_file(folder.dir().path() / "c.out"));
  CHECK(result.at("status") == "cancelled");
  CHECK(eventually([&] { return backend.abandoned() == 1; }));
}

TEST_CASE("SIGTERM stops the server at once, keeping in the store what its runs finished, and "
          "its client prints them") {
  mock_server::server backend;
  temp_dir store_dir;
  const auto store = store_dir.path() / "runs.db";
  mock_server::server cloud;
  served_folder folder{backend, cloud, store.string()};
  http_fetch fetch{folder.url()};
  auto client = folder.client("c", {"pair", "--input", "x", "--json"});
  std::string id;
  REQUIRE(eventually([&] {
    auto runs = json::parse(fetch("GET", "/v1/runs").body).at("runs");
    if (runs.empty()) {
      return false;
    }
    id = runs[0].at("id").get<std::string>();
    return json::parse(fetch("GET", "/v1/runs/" + id).body).at("agents").at("quick").at("status") ==
           "success";
  }));
  folder.server().signal(SIGTERM);
  CHECK(folder.server().wait_for(std::chrono::seconds{5}) == 0);
  INFO(read_file(folder.dir().path() / "c.out.err"));
  CHECK(client->wait() == 1);
  const auto text = read_file(folder.dir().path() / "c.out");
  const auto agents = text.find("\"agents\"");
  CHECK(text.find("\"quick\"", agents) < text.find("\"long\"", agents)); // definition order
  auto printed = json::parse(text);
  CHECK(printed.at("status") == "cancelled");
  CHECK(printed.at("agents").at("quick").at("response") == "echo: x");
  auto opened = store::run_store::open(store);
  REQUIRE(opened);
  auto kept = (*opened)->load(id);
  REQUIRE(kept);
  CHECK(kept->result.status == engine::run_status::cancelled);
  CHECK(kept->result.find("quick")->status == engine::agent_status::success);
  CHECK(kept->result.find("quick")->response == "echo: x");
  CHECK(kept->result.find("long")->status != engine::agent_status::success);
}
