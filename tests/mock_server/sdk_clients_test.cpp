// `tutti mock-server` under the providers' own client libraries, since people point their
// programs at it: the official openai, @anthropic-ai/sdk and ollama npm packages, unchanged
// but for the base URL, whole and streamed, and an error status (scripts/setup installs them
// in tests/node).
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <tutti/mock_server/mock_server.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace tutti;
using json = nlohmann::json;

TEST_CASE("the official openai, anthropic and ollama npm clients get whole and streamed "
          "replies and error statuses from the mock server") {
  mock_server::server server;
  test::temp_dir dir;
  const std::filesystem::path node_dir = std::string{TUTTI_SOURCE_DIR} + "/tests/node";
  for (auto package : {"openai", "@anthropic-ai/sdk", "ollama"}) {
    INFO(package << ": scripts/setup installs it");
    REQUIRE(std::filesystem::exists(node_dir / "node_modules" / package));
  }
  const auto out = dir.path() / "node.out";
  test::child_process node{
      "/usr/bin/env",
      {"node", (node_dir / "mock_server_clients.mjs").string(), server.base_url()},
      node_dir,
      out};
  INFO(test::read_file(out.string() + ".err"));
  REQUIRE(node.wait() == 0);
  auto seen = json::parse(test::read_file(out));
  const std::string echo = "echo: what is tea";
  CHECK(seen.at("openai").at("whole") == echo);
  CHECK(seen.at("openai").at("streamed") == echo);
  CHECK(seen.at("openai").at("total_tokens").get<int>() > 0);
  CHECK(seen.at("openai").at("error") == 503);
  CHECK(seen.at("anthropic").at("whole") == echo);
  CHECK(seen.at("anthropic").at("streamed") == echo);
  CHECK(seen.at("anthropic").at("final") == echo);
  CHECK(seen.at("anthropic").at("stop_reason") == "end_turn");
  CHECK(seen.at("anthropic").at("output_tokens").get<int>() > 0);
  CHECK(seen.at("anthropic").at("error") == 529);
  CHECK(seen.at("ollama").at("whole") == echo);
  CHECK(seen.at("ollama").at("streamed") == echo);
  CHECK(seen.at("ollama").at("error") == 500);
  CHECK(server.overall().requests == 9);
}
