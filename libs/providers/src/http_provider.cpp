#include <tutti/providers/http_provider.hpp>
#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/protocol.hpp>
#include <tutti/providers/redaction.hpp>
#include <tutti/providers/sse_parser.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <random>

namespace tutti::providers {

struct http_provider::call : std::enable_shared_from_this<http_provider::call> {
  call(http_provider& owner, completion_request r, token_callback tokens, completion_callback d)
      : backend(owner.backend_), client(owner.client_), retry(owner.retry_),
        deadlines(owner.deadlines_), wire(protocol_for(owner.backend_.provider)),
        request(std::move(r)), on_token(std::move(tokens)), done(std::move(d)),
        timer(owner.io_.context()), api_key(owner.api_key_) {}

  void attempt() {
    ++attempts;
    sse = {};
    ndjson = {};
    streamed = {};
    call_settings settings{base_path_of(backend.base_url), api_key, static_cast<bool>(on_token),
                           backend.default_max_tokens};
    auto http = wire->build(request, settings);
    std::function<void(std::string_view)> on_body;
    if (on_token) {
      on_body = [self = shared_from_this()](std::string_view bytes) { self->on_stream(bytes); };
    }
    cancel_exchange =
        client->send(backend.base_url, std::move(http), deadlines, std::move(on_body),
                     [self = shared_from_this()](http_result r) { self->on_result(std::move(r)); });
  }

  void on_stream(std::string_view bytes) {
    auto take = [this](std::string_view event, std::string_view data) {
      auto piece = wire->parse_event(event, data);
      if (piece.error && !streamed.error) {
        streamed.error = piece.error;
      }
      if (!piece.text.empty()) {
        streamed.text += piece.text;
        has_streamed = true;
        on_token(std::move(piece.text));
      }
      if (piece.input_tokens) {
        streamed.input_tokens = piece.input_tokens;
      }
      if (piece.output_tokens) {
        streamed.output_tokens = piece.output_tokens;
      }
      streamed.is_end = streamed.is_end || piece.is_end;
    };
    if (wire->framing() == stream_framing::sse) {
      for (const auto& e : sse.feed(bytes)) {
        take(e.event, e.data);
      }
    } else {
      for (const auto& line : ndjson.feed(bytes)) {
        take("", line);
      }
    }
  }

  void on_result(http_result r) {
    cancel_exchange = nullptr; // the exchange is over; holding it would keep both alive
    if (is_cancelled) {
      return;
    }
    if (r.error) {
      // A connection refused, reset or cut off: the server may be back in a moment, unless
      // part of the answer already went out as tokens.
      const bool is_connection = r.error->kind == http_error_kind::connect ||
                                 r.error->kind == http_error_kind::connection_lost;
      if (is_connection && !has_streamed && attempts < retry.max_attempts) {
        return retry_after(std::nullopt);
      }
      return fail(r.error->message, is_connection);
    }
    if (r.status >= 200 && r.status < 300) {
      return succeed(std::move(r));
    }
    const auto message = "HTTP " + std::to_string(r.status) + " from backend '" + backend.name +
                         "': " + error_message_of(r.body);
    if (is_retryable_status(r.status) && attempts < retry.max_attempts) {
      return retry_after(parse_retry_after(r.retry_after, std::chrono::system_clock::now()));
    }
    fail(attempts > 1 ? message + " (after " + std::to_string(attempts) + " attempts)" : message,
         r.status >= 500);
  }

  void succeed(http_result r) {
    completion_result result;
    if (on_token) {
      if (streamed.error) {
        return fail("the stream from backend '" + backend.name + "' reported: " + *streamed.error,
                    false);
      }
      if (!streamed.is_end) {
        return fail("the stream from backend '" + backend.name + "' ended before its end", true);
      }
      result.is_success = true;
      result.text = std::move(streamed.text);
      result.usage = {streamed.input_tokens.value_or(0), streamed.output_tokens.value_or(0)};
    } else {
      result = wire->parse_body(r.body);
      if (!result.is_success) {
        result.error = "backend '" + backend.name + "': " + result.error;
      }
    }
    result.attempts = attempts;
    finish(std::move(result));
  }

  void retry_after(std::optional<std::chrono::milliseconds> server_says) {
    static thread_local std::mt19937 random{std::random_device{}()};
    const auto delay = server_says.value_or(
        backoff_delay(attempts, retry, std::uniform_real_distribution<double>{0, 1}(random)));
    timer.expires_after(delay);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec && !self->is_cancelled) {
        self->attempt();
      }
    });
  }

  void fail(std::string message, bool is_transient) {
    completion_result result;
    result.error = std::move(message);
    result.is_transient_failure = is_transient;
    result.attempts = attempts;
    finish(std::move(result));
  }

  void finish(completion_result result) {
    // Every error leaves through here, so none can carry the key.
    result.error = redact(result.error, api_key);
    if (!is_finished.exchange(true)) {
      auto deliver = std::move(done);
      done = nullptr;
      on_token = nullptr;
      deliver(std::move(result));
    }
  }

  void cancel() {
    is_cancelled = true;
    is_finished = true;
    if (cancel_exchange) {
      cancel_exchange();
    }
    timer.cancel();
  }

  definition::backend_spec backend; // a copy: a call may outlive a reconfigured provider
  std::shared_ptr<http_client> client;
  retry_settings retry;
  http_deadlines deadlines;
  std::unique_ptr<protocol> wire; // the protocol the backend speaks
  completion_request request;
  token_callback on_token;
  completion_callback done;
  boost::asio::steady_timer timer; // touched on the io thread only
  std::string api_key;
  int attempts = 0;
  sse_parser sse;
  ndjson_parser ndjson;
  stream_piece streamed;
  bool has_streamed = false;
  cancel_call cancel_exchange;
  std::atomic<bool> is_cancelled{false};
  std::atomic<bool> is_finished{false};
};

http_provider::http_provider(definition::backend_spec backend, io_thread& io,
                             std::shared_ptr<http_client> client,
                             const definition::environment& env, retry_settings retry,
                             http_deadlines deadlines)
    : backend_(std::move(backend)), io_(io), client_(std::move(client)), retry_(retry),
      deadlines_(deadlines) {
  if (!backend_.api_key_env.empty()) {
    api_key_ = env(backend_.api_key_env).value_or("");
    if (api_key_.empty()) {
      missing_key_ = "no API key for backend '" + backend_.name + "': set " + backend_.api_key_env;
    }
  }
}

cancel_call http_provider::start(completion_request request, token_callback on_token,
                                 completion_callback done) {
  if (!missing_key_.empty()) {
    completion_result r;
    r.error = missing_key_;
    done(std::move(r));
    return [] {};
  }
  auto c = std::make_shared<call>(*this, std::move(request), std::move(on_token), std::move(done));
  boost::asio::post(io_.context(), [c] { c->attempt(); });
  return [c, &io = io_.context()] { boost::asio::post(io, [c] { c->cancel(); }); };
}

} // namespace tutti::providers
