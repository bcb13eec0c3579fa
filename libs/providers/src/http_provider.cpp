#include <tutti/providers/http_provider.hpp>
#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/protocol.hpp>
#include <tutti/providers/redaction.hpp>
#include <tutti/providers/retry_policy.hpp>
#include <tutti/providers/sse_parser.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>

namespace tutti::providers {
namespace {

call_errc code_of(http_error_kind kind) {
  switch (kind) {
  case http_error_kind::resolve:
  case http_error_kind::connect:
  case http_error_kind::tls:
    return call_errc::unreachable;
  case http_error_kind::timeout:
    return call_errc::timeout;
  case http_error_kind::connection_lost:
    return call_errc::connection_lost;
  case http_error_kind::too_large:
    return call_errc::too_large;
  case http_error_kind::protocol:
    break;
  }
  return call_errc::rejected;
}

call_errc code_of_status(int status) {
  if (status == 429) {
    return call_errc::rate_limited;
  }
  if (status == 503 || status == 529) {
    return call_errc::overloaded;
  }
  if (status == 408 || status >= 500) {
    return call_errc::server_error;
  }
  if (status == 401 || status == 403) {
    return call_errc::unauthorized;
  }
  return call_errc::rejected;
}

// The call's time left bounds every step: connecting, each wait for bytes (the whole answer,
// when it is not streamed) and the exchange.
http_deadlines deadlines_for(std::chrono::milliseconds time_left, bool is_streamed,
                             http_deadlines defaults) {
  if (time_left <= std::chrono::milliseconds{0}) {
    return defaults;
  }
  return {std::min(defaults.connect, time_left),
          is_streamed ? std::min(defaults.idle, time_left) : time_left, time_left};
}

} // namespace

// One attempt of one completion: build the request, send it, read the answer as the protocol
// says, and hand over one result with its code.
struct http_provider::call : std::enable_shared_from_this<http_provider::call> {
  call(http_provider& owner, completion_request r, token_callback tokens, completion_callback d)
      : backend(owner.backend_), client(owner.client_), deadlines(owner.deadlines_),
        wire(protocol_for(owner.backend_.provider)), request(std::move(r)),
        on_token(std::move(tokens)), done(std::move(d)), api_key(owner.api_key_) {}

  void send() {
    const bool is_streamed = static_cast<bool>(on_token);
    call_settings settings{base_path_of(backend.base_url), api_key, is_streamed,
                           backend.default_max_tokens};
    auto http = wire->build(request, settings);
    std::function<void(std::string_view)> on_body;
    if (is_streamed) {
      on_body = [self = shared_from_this()](std::string_view bytes) { self->on_stream(bytes); };
    }
    cancel_exchange =
        client->send(backend.base_url, std::move(http),
                     deadlines_for(request.time_left, is_streamed, deadlines), std::move(on_body),
                     [self = shared_from_this()](http_result r) { self->on_result(std::move(r)); });
  }

  void on_stream(std::string_view bytes) {
    auto take = [this](std::string_view event, std::string_view data) {
      auto piece = wire->parse_event(event, data);
      if (piece.error && !streamed.error) {
        streamed.error = piece.error;
        streamed.error_code = piece.error_code;
      }
      if (!piece.text.empty()) {
        streamed.text += piece.text;
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
      return fail(code_of(r.error->kind), "backend '" + backend.name + "': " + r.error->message);
    }
    if (r.status >= 200 && r.status < 300) {
      return succeed(std::move(r));
    }
    completion_result result;
    result.code = code_of_status(r.status);
    result.error = "HTTP " + std::to_string(r.status) + " from backend '" + backend.name +
                   "': " + error_message_of(r.body);
    result.retry_after = parse_retry_after(r.retry_after, std::chrono::system_clock::now());
    finish(std::move(result));
  }

  void succeed(http_result r) {
    completion_result result;
    if (on_token) {
      if (streamed.error) {
        return fail(streamed.error_code,
                    "the stream from backend '" + backend.name + "' reported: " + *streamed.error);
      }
      if (!streamed.is_end) {
        return fail(call_errc::connection_lost,
                    "the stream from backend '" + backend.name + "' ended before its end");
      }
      result.code = call_errc::none;
      result.text = std::move(streamed.text);
      result.usage = {streamed.input_tokens, streamed.output_tokens};
    } else {
      result = wire->parse_body(r.body);
      if (!result.is_success()) {
        result.error = "backend '" + backend.name + "': " + result.error;
      }
    }
    finish(std::move(result));
  }

  void fail(call_errc code, std::string message) {
    finish(failed_completion(code, std::move(message)));
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
  }

  definition::backend_spec backend; // a copy: a call may outlive a reconfigured provider
  std::shared_ptr<http_client> client;
  http_deadlines deadlines;
  std::unique_ptr<protocol> wire; // the protocol the backend speaks
  completion_request request;
  token_callback on_token;
  completion_callback done;
  std::string api_key;
  sse_parser sse;
  ndjson_parser ndjson;
  stream_piece streamed;
  cancel_call cancel_exchange;
  std::atomic<bool> is_cancelled{false};
  std::atomic<bool> is_finished{false};
};

http_provider::http_provider(definition::backend_spec backend, io_thread& io,
                             std::shared_ptr<http_client> client,
                             const definition::environment& env, http_deadlines deadlines)
    : backend_(std::move(backend)), io_(io), client_(std::move(client)), deadlines_(deadlines) {
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
    r.code = call_errc::unauthorized;
    r.error = missing_key_;
    done(std::move(r));
    return [] {};
  }
  auto c = std::make_shared<call>(*this, std::move(request), std::move(on_token), std::move(done));
  boost::asio::post(io_.context(), [c] { c->send(); });
  return [c, &io = io_.context()] { boost::asio::post(io, [c] { c->cancel(); }); };
}

} // namespace tutti::providers
