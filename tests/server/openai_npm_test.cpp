// The official openai npm package, unchanged, against the OpenAI-compatible endpoint: what a
// user's existing client code sees (scripts/setup installs the package in tests/node).
#include "server/served_library.hpp"
#include "support/child_process.hpp"

#include <tutti/server/http_server.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace tutti;
using json = nlohmann::json;

TEST_CASE("the openai npm package lists ensembles and gets completions, whole and streamed") {
  test::served_library lib;
  server::http_settings http;
  http.port = 0;
  server::http_server server{lib.service(), http};
  const auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v1";
  const std::filesystem::path node_dir = std::string{TUTTI_SOURCE_DIR} + "/tests/node";
  REQUIRE(std::filesystem::exists(node_dir / "node_modules" / "openai"));
  const auto out = lib.dir().path() / "node.out";
  test::child_process node{
      "/usr/bin/env",
      {"node", (node_dir / "openai_client.mjs").string(), url, "ensemble/quick"},
      node_dir,
      out};
  INFO(test::read_file(out.string() + ".err"));
  REQUIRE(node.wait() == 0);
  auto seen = json::parse(test::read_file(out));
  CHECK(seen.at("models") == json::array({"ensemble/quick", "ensemble/slow"}));
  const auto content = seen.at("content").get<std::string>();
  CHECK(content.find("[judge]") == 0);
  CHECK(content.find("what is tea") != std::string::npos);
  CHECK(seen.at("finish_reason") == "stop");
  CHECK(seen.at("total_tokens").get<int>() > 0);
  CHECK(seen.at("streamed") == content);
  CHECK(seen.at("streamed_total_tokens") == seen.at("total_tokens"));
  CHECK(seen.at("unknown") == 404);
  CHECK(seen.at("unknown_message").get<std::string>().find("no ensemble named 'none'") !=
        std::string::npos);
}
