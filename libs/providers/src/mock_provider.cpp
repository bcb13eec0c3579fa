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

} // namespace

std::int64_t mock_token_count(std::string_view text) {
  std::int64_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool is_space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    words += (!is_space && !in_word) ? 1 : 0;
    in_word = !is_space;
  }
  return words;
}

completion_result mock_completion(const completion_request& request) {
  completion_result result;
  result.usage.input_tokens =
      mock_token_count(request.system_prompt) + mock_token_count(request.prompt);
  if (request.mock.fail) {
    result.error = *request.mock.fail;
    result.code =
        call_errc::rejected; // a failure the definition asked for; asking again won't help
    return result;
  }
  result.code = call_errc::none;
  if (request.mock.reply) {
    result.text = substituted(substituted(*request.mock.reply, "{prompt}", request.prompt),
                              "{agent}", request.agent);
  } else {
    result.text =
        "[" + request.agent + "] " + first_characters(request.prompt, default_reply_characters);
  }
  result.usage.output_tokens = mock_token_count(result.text);
  return result;
}

std::vector<std::string> stream_pieces_of(const std::string& text, std::size_t pieces) {
  std::vector<std::string> out;
  if (text.empty() || pieces == 0) {
    return out;
  }
  const std::size_t target = (text.size() + pieces - 1) / pieces;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), start + target);
    // Move the cut to just after the next space so words stay whole (and UTF-8 too).
    while (end < text.size() && text[end - 1] != ' ') {
      ++end;
    }
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
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

// One call: its timer, and the pieces still to stream before the result.
struct mock_call : std::enable_shared_from_this<mock_call> {
  mock_call(boost::asio::io_context& io, std::shared_ptr<mock_provider::shared_state> counters)
      : timer(io), state(std::move(counters)) {}

  // Arms the timer for the next piece (or the result) and, when it fires, hands it over.
  void arm(std::chrono::steady_clock::time_point at) {
    timer.expires_at(at);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->is_finished.load()) {
        return;
      }
      if (self->next_piece < self->pieces.size()) {
        self->on_token(std::move(self->pieces[self->next_piece++]));
        if (self->next_piece < self->pieces.size()) {
          self->arm(self->started + self->step * static_cast<long>(self->next_piece + 1));
          return;
        }
      }
      if (self->is_finished.exchange(true)) {
        return;
      }
      --self->state->in_flight;
      self->done(std::move(self->result));
    });
  }

  boost::asio::steady_timer timer; // touched on the io thread only
  std::shared_ptr<mock_provider::shared_state> state;
  std::atomic<bool> is_finished{false};
  std::vector<std::string> pieces;
  std::size_t next_piece = 0;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::duration step{};
  token_callback on_token;
  completion_callback done;
  completion_result result;
};

} // namespace

mock_provider::mock_provider(io_thread& io) : io_(io), state_(std::make_shared<shared_state>()) {}

mock_provider::~mock_provider() = default;

cancel_call mock_provider::start(completion_request request, token_callback on_token,
                                 completion_callback done) {
  state_->begin();
  const auto latency = request.mock.latency.value_or(std::chrono::milliseconds{0});
  if (latency.count() == 0 && !on_token) {
    // Nothing to wait for and nothing to stream: the answer is given here, without a timer
    // and a trip through the io thread (an engine-overhead benchmark is made of such calls).
    --state_->in_flight;
    done(mock_completion(request));
    return [] {};
  }
  auto call = std::make_shared<mock_call>(io_.context(), state_);
  call->result = mock_completion(request);
  if (on_token && call->result.is_success()) {
    call->pieces = stream_pieces_of(call->result.text, stream_pieces);
    call->on_token = std::move(on_token);
  }
  call->done = std::move(done);
  call->step = latency / static_cast<long>(std::max<std::size_t>(call->pieces.size(), 1));
  boost::asio::post(io_.context(), [call] {
    call->started = std::chrono::steady_clock::now();
    call->arm(call->started + call->step);
  });
  return [call, &io = io_.context()] {
    if (call->is_finished.exchange(true)) {
      return;
    }
    --call->state->in_flight;
    ++call->state->cancelled;
    boost::asio::post(io, [call] { call->timer.cancel(); });
  };
}

mock_provider::statistics mock_provider::stats() const {
  return {state_->calls.load(), state_->in_flight.load(), state_->peak_in_flight.load(),
          state_->cancelled.load()};
}

} // namespace tutti::providers
