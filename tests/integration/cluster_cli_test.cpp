// Several processes, one authority: `tutti serve --cluster-port` and `tutti run --authority`
// as separate processes against one loopback mock server that takes one request at a time.
// What a process shows alone: the server's own count, kill -9 of a node, a restarted
// authority, and (as root) nodes in network namespaces of their own, over TLS.
#include "support/child_process.hpp"
#include "support/eventually.hpp"
#include "support/http_fetch.hpp"
#include "support/temp_dir.hpp"

#include <tutti/mock_server/mock_server.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <memory>
#include <regex>
#include <unistd.h>

using namespace tutti;
using tutti::test::child_process;
using tutti::test::eventually;
using tutti::test::read_file;
using tutti::test::temp_dir;
using json = nlohmann::json;

namespace {

const std::filesystem::path tutti_binary = TUTTI_BINARY;

// An ensemble of `count` agents on the box, all of model `model`.
std::string ensemble_of(const std::string& name, int count, const std::string& model) {
  std::string text = "name = \"" + name + "\"\n";
  for (int i = 0; i < count; ++i) {
    text += "[[agents]]\nname = \"a" + std::to_string(i) + "\"\nbackend = \"box\"\nmodel = \"" +
            model + "\"\n";
  }
  return text;
}

// `tutti serve ARGS` in `dir`, once it listens: its HTTP URL and, when it publishes, the
// port of its resource authority.
struct served {
  std::unique_ptr<child_process> process;
  std::string http_url;
  std::uint16_t cluster_port = 0;
};

served start_serve(const std::filesystem::path& dir, const std::vector<std::string>& args,
                   const std::filesystem::path& out) {
  served s;
  s.process = std::make_unique<child_process>(tutti_binary, args, dir, out);
  const bool publishes = std::find(args.begin(), args.end(), "--cluster-port") != args.end();
  std::string port;
  REQUIRE(eventually([&] {
    static const std::regex published{"resource authority published at [^ ]*:([0-9]+)"};
    static const std::regex listening{"listening on (http://127\\.0\\.0\\.1:[0-9]+)"};
    const auto text = read_file(out);
    std::smatch at_port;
    std::smatch at_url;
    if ((publishes && !std::regex_search(text, at_port, published)) ||
        !std::regex_search(text, at_url, listening)) {
      return false;
    }
    port = publishes ? at_port[1].str() : "0"; // before `text`, which they point into, is gone
    s.http_url = at_url[1].str();
    return true;
  }));
  s.cluster_port = static_cast<std::uint16_t>(std::stoi(port));
  return s;
}

// The box's group as a server's HTTP API shows it.
json box_group(const std::string& http_url) {
  tutti::test::http_fetch fetch{http_url};
  auto reply = json::parse(fetch("GET", "/v1/resources", "").body);
  for (const auto& g : reply.at("groups")) {
    if (g.at("resource") == "local-server") {
      return g;
    }
  }
  return json::object();
}

// A folder whose tutti.toml makes `backend` a local server ("box"); the authority serves from
// its own subfolder with the same configuration, and nodes run ensembles from this one.
class cluster_folder {
 public:
  /// The nodes reach the box at `backend`'s URL, the authority at `authority_url` (by default
  /// the same); both configurations end with `extra_config`.
  explicit cluster_folder(const mock_server::server& backend, const std::string& extra_config = {},
                          const std::string& authority_url = {}) {
    auto config = [&](const std::string& url) {
      return "[backends.box]\nprovider = \"ollama\"\nbase_url = \"" + url +
             "\"\nresource = \"local-server\"\n" + extra_config;
    };
    dir_.write("tutti.toml", config(backend.base_url()));
    dir_.write("authority/tutti.toml",
               config(authority_url.empty() ? backend.base_url() : authority_url));
    dir_.write("authority/ensembles/.keep", "");
  }

  // Starts the authority (again) and returns its port; `port` 0 picks a free one.
  std::uint16_t start_authority(std::uint16_t port = 0,
                                const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"serve",      "--port",         "0",
                                  "--no-store", "--cluster-port", std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    authority_ = start_serve(dir_.path() / "authority", args,
                             dir_.path() / ("authority" + std::to_string(++starts_) + ".out"));
    return authority_.cluster_port;
  }

  // The authority's view of the box's group, from its HTTP API.
  json group_at_authority() const { return box_group(authority_.http_url); }

  child_process& authority() { return *authority_.process; }
  const temp_dir& dir() const { return dir_; }

  // `tutti run ENSEMBLE --authority ... --json EXTRA...` as a node process named `name`,
  // through `ip WRAPPER...` when given (`ip netns exec NAME`).
  std::unique_ptr<child_process> node(const std::string& name, const std::string& ensemble,
                                      const std::string& authority,
                                      const std::vector<std::string>& extra = {},
                                      const std::vector<std::string>& wrapper = {}) {
    std::vector<std::string> args = wrapper;
    std::filesystem::path program = tutti_binary;
    if (!wrapper.empty()) {
      program = "/usr/sbin/ip";
      args.push_back(tutti_binary.string());
    }
    for (auto a :
         {std::string{"run"}, ensemble, std::string{"--authority"}, authority,
          std::string{"--json"}, std::string{"--no-store"}, std::string{"--input"}, name}) {
      args.push_back(a);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<child_process>(program, args, dir_.path(),
                                           dir_.path() / (name + ".out"));
  }

  json result_of(const std::string& name) const {
    INFO(read_file(dir_.path() / (name + ".out.err")));
    return json::parse(read_file(dir_.path() / (name + ".out")));
  }

 private:
  temp_dir dir_;
  served authority_;
  int starts_ = 0;
};

std::string loopback(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

void check_all_succeeded(const json& result, std::size_t count) {
  INFO(result.dump());
  CHECK(result.at("status") == "completed");
  CHECK(result.at("agents").size() == count);
  for (const auto& [name, agent] : result.at("agents").items()) {
    INFO(name << ": " << agent.dump());
    CHECK(agent.at("status") == "success");
  }
}

} // namespace

TEST_CASE("two node processes through one authority: the local server sees one request at a "
          "time") {
  mock_server::server backend;
  cluster_folder folder{backend};
  const auto port = folder.start_authority();
  folder.dir().write("three.toml", ensemble_of("three", 3, "sleep-100"));
  auto first = folder.node("first", "three.toml", loopback(port));
  auto second = folder.node("second", "three.toml", loopback(port));
  CHECK(first->wait() == 0);
  CHECK(second->wait() == 0);
  check_all_succeeded(folder.result_of("first"), 3);
  check_all_succeeded(folder.result_of("second"), 3);
  CHECK(backend.of_model("sleep-100").requests == 6);
  CHECK(backend.of_model("sleep-100").peak_in_flight == 1);
}

TEST_CASE("a priority-9 run on one node goes before a priority-1 run that waited longer on "
          "another") {
  mock_server::server backend;
  cluster_folder folder{backend};
  const auto port = folder.start_authority();
  folder.dir().write("busy.toml", ensemble_of("busy", 1, "sleep-20000"));
  folder.dir().write("low.toml", ensemble_of("low", 1, "sleep-300"));
  folder.dir().write("high.toml", ensemble_of("high", 1, "sleep-301"));
  auto busy = folder.node("busy", "busy.toml", loopback(port));
  REQUIRE(eventually([&] { return backend.of_model("sleep-20000").in_flight == 1; }));
  auto low = folder.node("low", "low.toml", loopback(port), {"--priority", "1"});
  // The low run waits at the authority before the high one is even started.
  REQUIRE(eventually([&] { return folder.group_at_authority().value("pending", 0) == 1; }));
  auto high = folder.node("high", "high.toml", loopback(port), {"--priority", "9"});
  REQUIRE(eventually([&] { return folder.group_at_authority().value("pending", 0) == 2; }));
  busy->signal(SIGINT); // its run is cancelled, and its slot given back
  REQUIRE(eventually([&] {
    return backend.of_model("sleep-301").requests + backend.of_model("sleep-300").requests > 0;
  }));
  CHECK(backend.of_model("sleep-301").requests == 1);
  CHECK(backend.of_model("sleep-300").requests == 0);
  CHECK(busy->wait() == 1);
  CHECK(low->wait() == 0);
  CHECK(high->wait() == 0);
  // The authority never lent two slots at once. (The backend may count the cancelled request a
  // moment longer, until it sees its connection closed: a loaded machine saw 2 there.)
  CHECK(folder.group_at_authority().value("peak_active", 0) == 1);
}

TEST_CASE("kill -9 of a node mid-run frees its slot at the authority within a second") {
  mock_server::server backend;
  cluster_folder folder{backend};
  const auto port = folder.start_authority();
  folder.dir().write("long.toml", ensemble_of("long", 1, "sleep-20000"));
  folder.dir().write("short.toml", ensemble_of("short", 1, "sleep-100"));
  auto doomed = folder.node("doomed", "long.toml", loopback(port));
  REQUIRE(eventually([&] { return backend.of_model("sleep-20000").in_flight == 1; }));
  auto waiting = folder.node("waiting", "short.toml", loopback(port));
  REQUIRE(eventually([&] { return folder.group_at_authority().value("pending", 0) == 1; }));
  doomed->kill_hard();
  const auto killed_at = std::chrono::steady_clock::now();
  REQUIRE(eventually([&] { return backend.of_model("sleep-100").requests == 1; }));
  CHECK(std::chrono::steady_clock::now() - killed_at < std::chrono::seconds{1});
  CHECK(waiting->wait() == 0);
  check_all_succeeded(folder.result_of("waiting"), 1);
}

TEST_CASE("an authority killed and restarted mid-run: every run of every node is accounted "
          "for") {
  mock_server::server backend;
  cluster_folder folder{backend};
  const auto port = folder.start_authority();
  folder.dir().write("busy.toml", ensemble_of("busy", 1, "sleep-20000"));
  folder.dir().write("three.toml", ensemble_of("three", 3, "sleep-300"));
  auto busy = folder.node("busy", "busy.toml", loopback(port));
  REQUIRE(eventually([&] { return backend.of_model("sleep-20000").in_flight == 1; }));
  auto first = folder.node("first", "three.toml", loopback(port));
  auto second = folder.node("second", "three.toml", loopback(port));
  REQUIRE(eventually([&] { return folder.group_at_authority().value("pending", 0) == 6; }));
  folder.authority().kill_hard();
  folder.authority().wait();
  CHECK(folder.start_authority(port) == port);
  busy->signal(SIGINT);
  CHECK(busy->wait() == 1); // cancelled, and what it held is no one's now
  CHECK(first->wait() == 0);
  CHECK(second->wait() == 0);
  check_all_succeeded(folder.result_of("first"), 3);
  check_all_succeeded(folder.result_of("second"), 3);
  CHECK(backend.of_model("sleep-300").requests == 6);
}

TEST_CASE("a node whose authority stays away fails its waiting agents after "
          "authority_timeout_seconds, saying so, and never hangs") {
  mock_server::server backend;
  cluster_folder folder{backend, "[cluster]\nauthority_timeout_seconds = 1\n"};
  const auto port = folder.start_authority();
  folder.dir().write("three.toml", ensemble_of("three", 3, "sleep-500"));
  auto node = folder.node("node", "three.toml", loopback(port));
  REQUIRE(eventually([&] { return backend.of_model("sleep-500").in_flight == 1; }));
  folder.authority().kill_hard();
  CHECK(node->wait() == 1);
  auto result = folder.result_of("node");
  CHECK(result.at("status") == "partial");
  int failed = 0;
  for (const auto& [name, agent] : result.at("agents").items()) {
    if (agent.at("status") == "failed") {
      ++failed;
      CHECK(agent.at("error").get<std::string>().find(
                "the authority " + loopback(port) + " of " + backend.base_url() +
                " has not answered for 1 s") != std::string::npos);
    }
  }
  CHECK(failed == 2);
}

TEST_CASE("a wrong authority address is an error at start, naming it") {
  mock_server::server backend;
  cluster_folder folder{backend};
  folder.dir().write("one.toml", ensemble_of("one", 1, "sleep-1"));
  const auto http_port = std::to_string(backend.port()); // something that is no authority
  auto node = folder.node("node", "one.toml", "127.0.0.1:" + http_port);
  CHECK(node->wait() == 2);
  // The node runs with --json: its error is the JSON document on standard output.
  CHECK(read_file(folder.dir().path() / "node.out")
            .find("cannot use the authority 127.0.0.1:" + http_port +
                  ": what listens there is no tutti resource authority") != std::string::npos);
  CHECK(backend.overall().requests == 0);
}

TEST_CASE("a tutti serve node takes its shared groups from the authority: its runs and a "
          "tutti run node share one queue, and its statistics are the authority's") {
  mock_server::server backend;
  cluster_folder folder{backend};
  const auto port = folder.start_authority();
  folder.dir().write("ensembles/three.toml", ensemble_of("three", 3, "sleep-100"));
  auto node_server = start_serve(
      folder.dir().path(), {"serve", "--port", "0", "--no-store", "--authority", loopback(port)},
      folder.dir().path() / "node-serve.out");
  tutti::test::http_fetch fetch{node_server.http_url};
  REQUIRE(fetch("POST", "/v1/runs", R"({"ensemble": "three", "input": "served"})").status == 201);
  auto run_node = folder.node("ran", "ensembles/three.toml", loopback(port));
  CHECK(run_node->wait() == 0);
  REQUIRE(eventually([&] { return folder.group_at_authority().value("completed", 0) == 6; }));
  CHECK(backend.of_model("sleep-100").peak_in_flight == 1);
  auto group = box_group(node_server.http_url);
  CHECK(group.at("note").get<std::string>().starts_with("held by the authority " + loopback(port)));
  CHECK(group.at("completed") == 6);
  node_server.process->signal(SIGTERM);
  CHECK(node_server.process->wait() == 0);
}

namespace {

// Runs a command to its end; its exit code.
int run_command(const std::filesystem::path& dir, const std::vector<std::string>& argv) {
  std::vector<std::string> args{argv.begin() + 1, argv.end()};
  child_process p{argv.front(), args, dir, dir / "command.out"};
  return p.wait();
}

// A CA and a certificate it signed ("<name>.pem", "<name>.key", "<name>-ca.pem") in `dir`.
bool make_certificates(const std::filesystem::path& dir, const std::string& name) {
  const std::string openssl = "/usr/bin/openssl";
  return run_command(dir, {openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                           name + "-ca.key", "-out", name + "-ca.pem", "-subj",
                           "/CN=" + name + " CA", "-days", "1"}) == 0 &&
         run_command(dir, {openssl, "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
                           name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name}) == 0 &&
         run_command(dir, {openssl, "x509", "-req", "-in", name + ".csr", "-CA", name + "-ca.pem",
                           "-CAkey", name + "-ca.key", "-CAcreateserial", "-out", name + ".pem",
                           "-days", "1"}) == 0;
}

std::string tls_config(const std::filesystem::path& dir, const std::string& name) {
  return "[cluster]\ntls_certificate = \"" + (dir / (name + ".pem")).string() + "\"\ntls_key = \"" +
         (dir / (name + ".key")).string() + "\"\ntls_ca = \"" +
         (dir / (name + "-ca.pem")).string() + "\"\n";
}

// A network namespace joined to this one by a veth pair: this side is 10.213.N.1, the
// namespace 10.213.N.2, with its default route through this side.
class network_namespace {
 public:
  network_namespace(const std::filesystem::path& dir, int n)
      : dir_(dir), name_("tutti-test-" + std::to_string(getpid()) + "-" + std::to_string(n)) {
    const std::string ip = "/usr/sbin/ip";
    const auto subnet = "10.213." + std::to_string(n) + ".";
    const auto outside = "tv" + std::to_string(getpid() % 100000) + "o" + std::to_string(n);
    const auto inside = "tv" + std::to_string(getpid() % 100000) + "i" + std::to_string(n);
    is_ready_ =
        run_command(dir_, {ip, "netns", "add", name_}) == 0 &&
        run_command(dir_, {ip, "link", "add", outside, "type", "veth", "peer", "name", inside,
                           "netns", name_}) == 0 &&
        run_command(dir_, {ip, "addr", "add", subnet + "1/24", "dev", outside}) == 0 &&
        run_command(dir_, {ip, "link", "set", outside, "up"}) == 0 &&
        run_command(dir_, {ip, "-n", name_, "addr", "add", subnet + "2/24", "dev", inside}) == 0 &&
        run_command(dir_, {ip, "-n", name_, "link", "set", inside, "up"}) == 0 &&
        run_command(dir_, {ip, "-n", name_, "link", "set", "lo", "up"}) == 0 &&
        run_command(dir_, {ip, "-n", name_, "route", "add", "default", "via", subnet + "1"}) == 0;
  }
  ~network_namespace() { run_command(dir_, {"/usr/sbin/ip", "netns", "delete", name_}); }

  bool is_ready() const { return is_ready_; }
  /// The arguments that run a program inside: `ip netns exec NAME`.
  std::vector<std::string> exec() const { return {"netns", "exec", name_}; }

 private:
  std::filesystem::path dir_;
  std::string name_;
  bool is_ready_ = false;
};

} // namespace

TEST_CASE("as root: nodes in network namespaces of their own, joined by veth pairs, share one "
          "authority over TLS, and a node with a certificate of another CA is refused") {
  temp_dir scratch;
  if (geteuid() != 0 || !std::filesystem::exists("/usr/sbin/ip") ||
      !std::filesystem::exists("/usr/bin/openssl")) {
    WARN("skipped: needs root, ip and openssl");
    return;
  }
  network_namespace first_ns{scratch.path(), 1};
  network_namespace second_ns{scratch.path(), 2};
  if (!first_ns.is_ready() || !second_ns.is_ready()) {
    WARN("skipped: this machine cannot make network namespaces");
    return;
  }
  REQUIRE(make_certificates(scratch.path(), "cluster"));
  REQUIRE(make_certificates(scratch.path(), "rogue"));
  // The box listens on every address; the nodes name it by the first link's address, the
  // authority by loopback: one server, two spellings, one group.
  mock_server::server backend{{"0.0.0.0", 0, std::chrono::milliseconds{0}}};
  const auto port_text = std::to_string(backend.port());
  cluster_folder folder{backend, tls_config(scratch.path(), "cluster"),
                        "http://127.0.0.1:" + port_text};
  folder.dir().write("tutti.toml", "[backends.box]\nprovider = \"ollama\"\nbase_url = "
                                   "\"http://10.213.1.1:" +
                                       port_text + "\"\nresource = \"local-server\"\n" +
                                       tls_config(scratch.path(), "cluster"));
  const auto port = folder.start_authority(0, {"--cluster-host", "0.0.0.0", "--cluster-tls"});
  folder.dir().write("three.toml", ensemble_of("three", 3, "sleep-100"));
  const auto authority = "10.213.1.1:" + std::to_string(port);
  auto first = folder.node("first", "three.toml", authority, {"--cluster-tls"}, first_ns.exec());
  auto second = folder.node("second", "three.toml", authority, {"--cluster-tls"}, second_ns.exec());
  CHECK(first->wait() == 0);
  CHECK(second->wait() == 0);
  check_all_succeeded(folder.result_of("first"), 3);
  check_all_succeeded(folder.result_of("second"), 3);
  CHECK(backend.of_model("sleep-100").requests == 6);
  CHECK(backend.of_model("sleep-100").peak_in_flight == 1);

  folder.dir().write("rogue/tutti.toml", "[backends.box]\nprovider = \"ollama\"\nbase_url = "
                                         "\"http://127.0.0.1:" +
                                             port_text + "\"\nresource = \"local-server\"\n" +
                                             tls_config(scratch.path(), "rogue"));
  folder.dir().write("rogue/three.toml", ensemble_of("three", 3, "sleep-100"));
  std::vector<std::string> args{"run",     "three.toml",    "--authority",
                                authority, "--cluster-tls", "--no-store",
                                "--json",  "--input",       "rogue"};
  child_process rogue{tutti_binary, args, folder.dir().path() / "rogue",
                      folder.dir().path() / "rogue.out"};
  CHECK(rogue.wait() == 2);
  // With --json, the error is the JSON document on standard output.
  const auto said = read_file(folder.dir().path() / "rogue.out");
  INFO(said);
  CHECK(said.find("cannot use the authority " + authority + ": the TLS handshake failed") !=
        std::string::npos);
  CHECK(backend.of_model("sleep-100").requests == 6);
}
