#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/mock_provider.hpp>

#include <catch2/catch.hpp>

#include <future>
#include <mutex>

using namespace tutti::providers;

namespace {

completion_request request(std::string prompt) {
  completion_request r;
  r.agent = "critic";
  r.prompt = std::move(prompt);
  return r;
}

} // namespace

TEST_CASE("the mock replies with the agent and the start of the prompt by default") {
  auto result = mock_completion(request("hello world"));
  CHECK(result.is_success());
  CHECK(result.text == "[critic] hello world");
  CHECK(result.usage.input_tokens == 2);
  CHECK(result.usage.output_tokens == 3);
}

TEST_CASE("the mock's default reply never cuts a UTF-8 character") {
  std::string prompt;
  for (int i = 0; i < 250; ++i) {
    prompt += "\xc3\xa9"; // é, two bytes
  }
  auto text = mock_completion(request(prompt)).text;
  CHECK(text.size() == std::string("[critic] ").size() + 400);
}

TEST_CASE("the mock's reply template and failure are used when set") {
  auto r = request("p");
  r.mock.reply = "{agent} saw {prompt} and {prompt}";
  CHECK(mock_completion(r).text == "critic saw p and p");
  r.mock.fail = "rate limited";
  auto failed = mock_completion(r);
  CHECK_FALSE(failed.is_success());
  CHECK(failed.error == "rate limited");
}

TEST_CASE("a mock call answers after its latency, and a cancelled one never does") {
  io_thread io;
  mock_provider mock{io};
  std::promise<completion_result> answered;
  auto r = request("x");
  r.mock.latency = std::chrono::milliseconds{20};
  mock.start(r, {}, [&](completion_result result) { answered.set_value(std::move(result)); });
  CHECK(answered.get_future().get().text == "[critic] x");

  r.mock.latency = std::chrono::milliseconds{60000};
  bool called = false;
  auto cancel = mock.start(r, {}, [&](completion_result) { called = true; });
  CHECK(mock.stats().in_flight == 1);
  cancel();
  cancel(); // a second cancel does nothing
  io.stop();
  CHECK_FALSE(called);
  CHECK(mock.stats().calls == 2);
  CHECK(mock.stats().in_flight == 0);
  CHECK(mock.stats().peak_in_flight == 1);
  CHECK(mock.stats().cancelled == 1);
}

TEST_CASE("pieces of a reply join back to it and keep words whole") {
  const std::string text = "one two three four five six seven eight nine ten";
  auto pieces = stream_pieces_of(text, 4);
  CHECK(pieces.size() <= 4);
  std::string joined;
  for (const auto& p : pieces) {
    CHECK((p.back() == ' ' || &p == &pieces.back()));
    joined += p;
  }
  CHECK(joined == text);
  CHECK(stream_pieces_of("", 4).empty());
  CHECK(stream_pieces_of("word", 8) == std::vector<std::string>{"word"});
}

TEST_CASE("a streaming mock call hands over its pieces in order, then the whole result") {
  io_thread io;
  mock_provider mock{io};
  auto r = request("alpha beta gamma delta epsilon zeta eta theta iota kappa");
  r.mock.latency = std::chrono::milliseconds{40};
  std::mutex mutex;
  std::string streamed;
  std::promise<completion_result> answered;
  mock.start(
      r,
      [&](std::string piece) {
        std::lock_guard lock{mutex};
        streamed += piece;
      },
      [&](completion_result result) { answered.set_value(std::move(result)); });
  auto result = answered.get_future().get();
  std::lock_guard lock{mutex};
  CHECK(streamed == result.text);
  CHECK(result.text == "[critic] alpha beta gamma delta epsilon zeta eta theta iota kappa");
}
