// The HTTP API as a function of a request: every route, its errors and its limits, without a
// socket.
#include "routes.hpp"
#include "server/served_library.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace tutti;
using server::http_reply;
using server::http_request;
using tutti::test::served_library;
using json = nlohmann::json;

namespace {

http_reply call(served_library& lib, const std::string& method, const std::string& target,
                const std::string& body = {}, const std::string& token = {},
                const std::string& authorization = {}) {
  http_request r;
  r.method = method;
  r.target = target;
  r.body = body;
  r.authorization = authorization;
  r.host = "127.0.0.1:8765";
  r.content_type = "application/json";
  return server::route(lib.service(), r, token);
}

// A request as a browser's page elsewhere would send it.
http_reply from_page(served_library& lib, const std::string& host, const std::string& origin,
                     const std::string& content_type, const std::string& token = {}) {
  http_request r;
  r.method = "POST";
  r.target = "/v1/runs";
  r.body = R"({"ensemble": "quick"})";
  r.host = host;
  r.origin = origin;
  r.content_type = content_type;
  r.authorization = token.empty() ? "" : "Bearer " + token;
  return server::route(lib.service(), r, token);
}

std::string header(const http_reply& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) {
      return v;
    }
  }
  return {};
}

std::string error_of(const http_reply& r) {
  return json::parse(r.body).at("error").at("message").get<std::string>();
}

// Posts a run and waits for its end; its id.
std::string run_to_end(served_library& lib, const std::string& body) {
  auto posted = call(lib, "POST", "/v1/runs", body);
  REQUIRE(posted.status == 201);
  auto id = json::parse(posted.body).at("id").get<std::string>();
  lib.service().find(id)->wait();
  return id;
}

} // namespace

TEST_CASE("a posted run answers 201 with where it is, and its result has the run JSON shape") {
  served_library lib;
  auto posted = call(lib, "POST", "/v1/runs", R"({"ensemble": "quick", "input": "tea"})");
  REQUIRE(posted.status == 201);
  const auto id = json::parse(posted.body).at("id").get<std::string>();
  CHECK(header(posted, "Location") == "/v1/runs/" + id);
  lib.service().find(id)->wait();
  auto shown = call(lib, "GET", "/v1/runs/" + id);
  REQUIRE(shown.status == 200);
  auto run = json::parse(shown.body);
  CHECK(run.at("status") == "completed");
  CHECK(run.at("input") == "tea");
  CHECK(run.at("agents").size() == 3);
  CHECK(run.at("agents").at("judge").at("status") == "success");
  auto listed = json::parse(call(lib, "GET", "/v1/runs").body);
  REQUIRE(listed.at("runs").size() == 1);
  CHECK(listed.at("runs")[0].at("id") == id);
  CHECK(listed.at("runs")[0].at("agents_done") == 3);
}

TEST_CASE("a run that is going shows status running and its agents pending") {
  served_library lib{{}, 2000};
  auto posted = call(lib, "POST", "/v1/runs", R"({"ensemble": "slow", "input": "x"})");
  REQUIRE(posted.status == 201);
  const auto id = json::parse(posted.body).at("id").get<std::string>();
  auto run = json::parse(call(lib, "GET", "/v1/runs/" + id).body);
  CHECK(run.at("status") == "running");
  CHECK(run.at("agents").at("only").at("status") == "pending");
  CHECK(call(lib, "DELETE", "/v1/runs/" + id).status == 202);
  lib.service().find(id)->wait();
  CHECK(json::parse(call(lib, "GET", "/v1/runs/" + id).body).at("status") == "cancelled");
}

TEST_CASE("the default input is used when none is given, and a run without one is refused") {
  served_library lib;
  auto id = run_to_end(lib, R"({"ensemble": "quick"})");
  CHECK(json::parse(call(lib, "GET", "/v1/runs/" + id).body).at("input") == "hello");
  auto empty = run_to_end(lib, R"({"ensemble": "quick", "input": ""})");
  CHECK(json::parse(call(lib, "GET", "/v1/runs/" + empty).body).at("input") == "");
  auto refused = call(lib, "POST", "/v1/runs", R"({"ensemble": "slow"})");
  CHECK(refused.status == 400);
  CHECK(error_of(refused).find("no input for slow") == 0);
}

TEST_CASE("bad run requests are refused naming the field") {
  served_library lib;
  struct bad {
    std::string body;
    unsigned status;
    std::string says;
  };
  for (const auto& b : std::vector<bad>{
           {"not json", 400, "not JSON"},
           {"[1]", 400, "JSON object"},
           {R"({"input": "x"})", 400, "\"ensemble\""},
           {R"({"ensemble": "nope"})", 404,
            "no ensemble named 'nope' (this server has quick, slow)"},
           {R"({"ensemble": "quick", "priority": 11})", 400, "\"priority\" must be"},
           {R"({"ensemble": "quick", "priority": "high"})", 400, "\"priority\" must be"},
           {R"({"ensemble": "quick", "max_concurrent_agents": 0})", 400, "max_concurrent_agents"},
           {R"({"ensemble": "quick", "timeout_seconds": -1})", 400, "timeout_seconds"},
           {R"({"ensemble": "quick", "mode": "fast"})", 400, "\"mode\""},
           {R"({"ensemble": "quick", "input": 5})", 400, "\"input\""},
           {R"({"ensemble": "quick", "priorty": 5})", 400,
            "unknown field \"priorty\" (did you mean 'priority'?)"}}) {
    INFO(b.body);
    auto r = call(lib, "POST", "/v1/runs", b.body);
    CHECK(r.status == b.status);
    CHECK(error_of(r).find(b.says) != std::string::npos);
  }
  CHECK(lib.service().runs().empty());
}

TEST_CASE("unknown paths answer 404, wrong methods 405 with Allow, broken escapes 400") {
  served_library lib;
  CHECK(call(lib, "GET", "/v2/runs").status == 404);
  CHECK(call(lib, "GET", "/v1/runs/20990101-000000-000000").status == 404);
  auto wrong = call(lib, "PUT", "/v1/runs");
  CHECK(wrong.status == 405);
  CHECK(header(wrong, "Allow") == "GET, POST");
  CHECK(call(lib, "GET", "/v1/resources/%zz/limit").status == 400);
  CHECK(call(lib, "GET", "/v1/resources/%4").status == 400);
  CHECK(call(lib, "POST", "/").status == 405);
  CHECK(call(lib, "POST", "/healthz", "{}").status == 405);
}

TEST_CASE("without a token, pages of other sites and other host names are refused") {
  served_library lib;
  CHECK(from_page(lib, "evil.example:8765", "", "application/json").status == 403);
  CHECK(from_page(lib, "127.0.0.1:8765", "http://evil.example", "application/json").status == 403);
  CHECK(from_page(lib, "127.0.0.1:8765", "null", "application/json").status == 403);
  CHECK(from_page(lib, "127.0.0.1:8765", "", "text/plain").status == 415);
  CHECK(from_page(lib, "127.0.0.1:8765", "", "application/x-www-form-urlencoded").status == 415);
  CHECK(lib.service().runs().empty());
  CHECK(from_page(lib, "localhost:8765", "http://localhost:8765", "application/json").status ==
        201);
  CHECK(from_page(lib, "[::1]:8765", "", "application/json; charset=utf-8").status == 201);
  // With a token, a caller that has it may name the server however it reaches it.
  CHECK(from_page(lib, "gpu-box:8765", "", "application/json", "t0k").status == 201);
}

TEST_CASE("a run that has ended cannot be cancelled") {
  served_library lib;
  auto id = run_to_end(lib, R"({"ensemble": "quick", "input": "x"})");
  auto refused = call(lib, "DELETE", "/v1/runs/" + id);
  CHECK(refused.status == 409);
  CHECK(error_of(refused) == "run " + id + " has already ended (completed)");
}

TEST_CASE("with a token, every request but the page must carry it") {
  served_library lib;
  const std::string token = "s3cret-token";
  auto refused = call(lib, "GET", "/v1/runs", {}, token);
  CHECK(refused.status == 401);
  CHECK(header(refused, "WWW-Authenticate") == "Bearer");
  CHECK(call(lib, "GET", "/healthz", {}, token, "Bearer wrong").status == 401);
  CHECK(call(lib, "GET", "/healthz", {}, token, "Bearer s3cret-toke").status == 401);
  CHECK(call(lib, "GET", "/healthz", {}, token, "s3cret-token").status == 401);
  CHECK(call(lib, "GET", "/healthz", {}, token, "Bearer s3cret-token").status == 200);
  CHECK(call(lib, "GET", "/healthz", {}, token, "bearer s3cret-token").status == 200);
  auto page = call(lib, "GET", "/", {}, token);
  CHECK(page.status == 200);
  CHECK(page.body.find(token) == std::string::npos);
  CHECK(refused.body.find(token) == std::string::npos);
}

TEST_CASE("a group's limit changes at once, by its id escaped in the path") {
  served_library lib;
  // The local server's group: the last in id order ("mock", then "mock@box").
  auto box = [&] {
    return json::parse(call(lib, "GET", "/v1/resources").body).at("groups").back();
  };
  const auto id = box().at("id").get<std::string>();
  CHECK(id == "mock@box");
  CHECK(box().at("limit") == 1);
  std::string escaped;
  for (char c : id) {
    escaped += std::isalnum(static_cast<unsigned char>(c))
                   ? std::string(1, c)
                   : "%" + std::string{[&] {
                       char hex[3];
                       std::snprintf(hex, sizeof hex, "%02X", c);
                       return std::string{hex};
                     }()};
  }
  CHECK(call(lib, "PUT", "/v1/resources/" + escaped + "/limit", R"({"limit": 3})").status == 200);
  CHECK(box().at("limit") == 3);
  CHECK(call(lib, "PUT", "/v1/resources/" + escaped + "/limit", R"({"limit": 2.0})").status == 200);
  CHECK(call(lib, "PUT", "/v1/resources/" + escaped + "/limit", R"({"limit": 0})").status == 400);
  CHECK(call(lib, "PUT", "/v1/resources/" + escaped + "/limit", R"({"limit": 1.5})").status == 400);
  CHECK(call(lib, "PUT", "/v1/resources/nope/limit", R"({"limit": 2})").status == 404);
}

TEST_CASE("beyond max_pending_runs a run is refused with 503 and Retry-After") {
  server::service_settings settings;
  settings.max_pending_runs = 2;
  served_library lib{settings, 2000};
  CHECK(call(lib, "POST", "/v1/runs", R"({"ensemble": "slow", "input": "1"})").status == 201);
  CHECK(call(lib, "POST", "/v1/runs", R"({"ensemble": "slow", "input": "2"})").status == 201);
  auto refused = call(lib, "POST", "/v1/runs", R"({"ensemble": "slow", "input": "3"})");
  CHECK(refused.status == 503);
  CHECK(header(refused, "Retry-After") == "1");
  CHECK(lib.service().pending() == 2);
  lib.service().shutdown();
  CHECK(lib.service().pending() == 0);
}

TEST_CASE("a reload that does not load keeps the library it had, and one that does replaces it") {
  served_library lib;
  lib.dir().write("ensembles/broken.toml", "name = \"broken\"\n[[agents]]\nnmae = \"x\"\n");
  auto refused = call(lib, "POST", "/v1/reload");
  CHECK(refused.status == 422);
  CHECK(error_of(refused).find("broken.toml:3") != std::string::npos);
  CHECK(json::parse(call(lib, "GET", "/v1/ensembles").body).at("ensembles").size() == 2);
  lib.dir().write("ensembles/broken.toml",
                  "name = \"fixed\"\n[[agents]]\nname = \"x\"\nprovider = \"mock\"\n");
  CHECK(call(lib, "POST", "/v1/reload").status == 200);
  auto names = json::parse(call(lib, "GET", "/v1/models").body).at("data");
  REQUIRE(names.size() == 3);
  CHECK(names[0].at("id") == "ensemble/fixed");
  lib.dir().write("ensembles/twin.toml",
                  "name = \"quick\"\n[[agents]]\nname = \"x\"\nprovider = \"mock\"\n");
  auto twins = call(lib, "POST", "/v1/reload");
  CHECK(twins.status == 422);
  CHECK(error_of(twins).find("ensemble name 'quick' is used by both") != std::string::npos);
}

TEST_CASE("the OpenAI endpoint refuses requests it cannot run, in OpenAI's error shape") {
  served_library lib;
  auto no_model = call(lib, "POST", "/v1/chat/completions", R"({"messages": []})");
  CHECK(no_model.status == 400);
  auto no_user = call(lib, "POST", "/v1/chat/completions",
                      R"({"model": "quick", "messages": [{"role": "system", "content": "x"}]})");
  CHECK(no_user.status == 400);
  CHECK(error_of(no_user).find("no user message") != std::string::npos);
  for (const auto& wrong :
       {R"("stream": "yes")", R"("stream": 1)", R"("stream_options": {"include_usage": "yes"})",
        R"("stream_options": [])"}) {
    INFO(wrong);
    auto r =
        call(lib, "POST", "/v1/chat/completions",
             std::string{R"({"model": "quick", "messages": [{"role": "user", "content": "x"}], )"} +
                 wrong + "}");
    CHECK(r.status == 400);
  }
  auto odd = call(lib, "POST", "/v1/chat/completions",
                  R"({"model": "quick", "messages": [{"role": 5, "content": "x"},
                      {"role": "user", "content": [{"type": 5, "text": "a"}]}]})");
  CHECK(odd.status == 400);
  CHECK(lib.service().runs().empty());
  auto unknown =
      call(lib, "POST", "/v1/chat/completions",
           R"({"model": "ensemble/none", "messages": [{"role": "user", "content": "x"}]})");
  CHECK(unknown.status == 404);
  CHECK(json::parse(unknown.body).at("error").contains("type"));
}

TEST_CASE("every served ensemble's groups exist before any run, and take a limit by any "
          "spelling of their server") {
  served_library lib{
      {},
      300,
      "[backends.far]\nprovider = \"ollama\"\nbase_url = \"http://127.0.0.1:9/\"\n",
      {{"far", "name = \"far\"\n[[agents]]\nname = \"x\"\nbackend = \"far\"\nmodel = \"m\"\n"}}};
  auto groups = json::parse(call(lib, "GET", "/v1/resources").body).at("groups");
  std::vector<std::string> ids;
  for (const auto& g : groups) {
    ids.push_back(g.at("id").get<std::string>());
  }
  CHECK(ids == std::vector<std::string>{"http://localhost:9", "mock", "mock@box"});
  CHECK(call(lib, "PUT", "/v1/resources/http%3A%2F%2F127.0.0.1%3A9%2Fv1/limit", R"({"limit": 3})")
            .status == 200);
  groups = json::parse(call(lib, "GET", "/v1/resources").body).at("groups");
  CHECK(groups[0].at("limit") == 3);
  CHECK(lib.service().runs().empty());
}
