#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/mock_provider.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>

namespace tutti::providers {
namespace {

constexpr std::size_t default_reply_characters = 200;

// The first `n` UTF-8 characters of `text`, never cutting a character in two.
std::string first_characters(const std::string& text, std::size_t n) {
  std::size_t at = 0;
  for (std::size_t count = 0; at < text.size(); ++at) {
    const bool starts_character = (static_cast<unsigned char>(text[at]) & 0xC0) != 0x80;
    if (starts_character && count++ == n) {
      break;
    }
  }
  return text.substr(0, at);
}

std::string substituted(std::string text, const std::string& placeholder,
                        const std::string& value) {
  for (auto at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
  return text;
}

std::int64_t word_count(const std::string& text) {
  std::int64_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool is_space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    words += (!is_space && !in_word) ? 1 : 0;
    in_word = !is_space;
  }
  return words;
}

} // namespace

completion_result mock_completion(const completion_request& request) {
  completion_result result;
  result.usage.input_tokens = word_count(request.system_prompt) + word_count(request.prompt);
  if (request.mock.fail) {
    result.error = *request.mock.fail;
    return result;
  }
  result.is_success = true;
  if (request.mock.reply) {
    result.text = substituted(substituted(*request.mock.reply, "{prompt}", request.prompt),
                              "{agent}", request.agent);
  } else {
    result.text =
        "[" + request.agent + "] " + first_characters(request.prompt, default_reply_characters);
  }
  result.usage.output_tokens = word_count(result.text);
  return result;
}

struct mock_provider::shared_state {
  std::atomic<std::int64_t> calls{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> peak_in_flight{0};
  std::atomic<std::int64_t> cancelled{0};

  void begin() {
    ++calls;
    auto now = ++in_flight;
    auto peak = peak_in_flight.load();
    while (now > peak && !peak_in_flight.compare_exchange_weak(peak, now)) {
    }
  }
};

namespace {

struct mock_call {
  explicit mock_call(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer; // touched on the io thread only
  std::atomic<bool> is_finished{false};
};

} // namespace

mock_provider::mock_provider(io_thread& io) : io_(io), state_(std::make_shared<shared_state>()) {}

mock_provider::~mock_provider() = default;

cancel_call mock_provider::start(completion_request request, completion_callback done) {
  auto call = std::make_shared<mock_call>(io_.context());
  auto state = state_;
  state->begin();
  const auto latency = request.mock.latency.value_or(std::chrono::milliseconds{0});
  auto result = mock_completion(request);
  boost::asio::post(io_.context(), [call, state, latency, result = std::move(result),
                                    done = std::move(done)]() mutable {
    call->timer.expires_after(latency);
    call->timer.async_wait([call, state, result = std::move(result),
                            done = std::move(done)](const boost::system::error_code& ec) mutable {
      if (ec || call->is_finished.exchange(true)) {
        return;
      }
      --state->in_flight;
      done(std::move(result));
    });
  });
  return [call, state, &io = io_.context()] {
    if (call->is_finished.exchange(true)) {
      return;
    }
    --state->in_flight;
    ++state->cancelled;
    boost::asio::post(io, [call] { call->timer.cancel(); });
  };
}

mock_provider::statistics mock_provider::stats() const {
  return {state_->calls.load(), state_->in_flight.load(), state_->peak_in_flight.load(),
          state_->cancelled.load()};
}

} // namespace tutti::providers
