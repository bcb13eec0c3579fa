#include "remote_run.hpp"

#include <tutti/engine/run_json.hpp>
#include <tutti/providers/http_client.hpp>
#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/sse_parser.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace tutti::cli {
namespace {

using providers::http_call;
using providers::http_result;

// A busy server is asked again for this many of its Retry-Afters before the client gives up.
constexpr int max_busy_waits = 120;

// A stream of events may be quiet for as long as an agent waits or thinks.
constexpr std::chrono::hours stream_deadline{24 * 7};

// The result that the run's last event carries; nullopt for any other event.
std::optional<engine::run_result> result_of_end(const std::string& data) {
  try {
    // Ordered: the agents keep their definition order when the result is printed again.
    auto j = nlohmann::ordered_json::parse(data);
    if (j.at("kind") != "run_finished") {
      return std::nullopt;
    }
    return engine::run_result_from_json(j.at("result").dump());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Whether `url` can be a server's address: http(s)://host[:port], with nothing a client would
// drop or print (a path, a user and password); the problem otherwise.
std::optional<std::string> url_problem(const std::string& url) {
  const auto scheme = url.find("://");
  if (url.empty() || scheme == std::string::npos ||
      (url.compare(0, scheme, "http") != 0 && url.compare(0, scheme, "https") != 0)) {
    return "give the server as http://HOST:PORT";
  }
  const auto slash = url.find('/', scheme + 3);
  const auto authority =
      url.substr(scheme + 3, slash == std::string::npos ? std::string::npos : slash - scheme - 3);
  if (authority.find('@') != std::string::npos) {
    return "a user or password in the server's URL would be printed; give the token in "
           "TUTTI_TOKEN instead";
  }
  if (slash != std::string::npos && slash + 1 < url.size()) {
    return "the server's URL is http://HOST:PORT, without a path";
  }
  return std::nullopt;
}

// The server's own words for a refusal: the "error.message" of its JSON, else the body.
std::string message_of(const http_result& r) {
  try {
    auto j = nlohmann::json::parse(r.body);
    return j.at("error").at("message").get<std::string>();
  } catch (const std::exception&) {
    return r.body.empty() ? "HTTP " + std::to_string(r.status) : r.body.substr(0, 500);
  }
}

} // namespace

struct remote_run::impl {
  impl(std::string u, std::string t) : url(std::move(u)), token(std::move(t)), client(io) {}

  http_call call(std::string method, std::string target, std::string body = {}) const {
    http_call c;
    c.method = std::move(method);
    c.target = std::move(target);
    c.body = std::move(body);
    c.headers.emplace_back("Content-Type", "application/json");
    if (!token.empty()) {
      c.headers.emplace_back("Authorization", "Bearer " + token);
    }
    return c;
  }

  // One exchange, waited for.
  http_result exchange(http_call c) {
    auto done = std::make_shared<std::promise<http_result>>();
    auto answer = done->get_future();
    client.send(url, std::move(c), {}, nullptr,
                [done](http_result r) { done->set_value(std::move(r)); });
    return answer.get();
  }

  std::optional<remote_error> failure_of(const http_result& r, int expected) const {
    if (r.error && r.error->kind == providers::http_error_kind::too_large) {
      return remote_error{0, "cannot send the run to the tutti server at " + url + ": " +
                                 r.error->message};
    }
    if (r.error) {
      return remote_error{0, "cannot reach the tutti server at " + url + ": " + r.error->message};
    }
    if (r.status != expected) {
      return remote_error{r.status, "the tutti server at " + url + " answered " +
                                        std::to_string(r.status) + ": " + message_of(r)};
    }
    return std::nullopt;
  }

  const std::string url;
  const std::string token;
  providers::io_thread io;
  providers::http_client client;
  engine::run_result skeleton;
  providers::sse_parser parser; // on the I/O thread only
  providers::cancel_call stop_stream;
  std::mutex mutex;
  std::condition_variable ended_cv;
  bool ended = false;                       // the stream is over
  std::optional<engine::run_result> result; // the run's end carried it
  std::string lost;                         // why the stream ended early
};

std::variant<std::unique_ptr<remote_run>, remote_error>
remote_run::start(const std::string& url, const std::string& token, const std::string& request,
                  const std::function<void(int)>& on_busy, const std::function<bool()>& gave_up) {
  if (auto problem = url_problem(url)) {
    return remote_error{0, "--server " + url + ": " + *problem};
  }
  if (std::any_of(token.begin(), token.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    return remote_error{0, "TUTTI_TOKEN holds a control character (a line break?); give the "
                           "token alone"};
  }
  auto state = std::make_unique<impl>(url, token);
  auto posted = state->exchange(state->call("POST", "/v1/runs", request));
  // A busy server says when to ask again: the run waits its turn, as it would in a queue.
  for (int waits = 0; posted.status == 503 && !posted.error && waits < max_busy_waits; ++waits) {
    int seconds = 1;
    std::from_chars(posted.retry_after.data(),
                    posted.retry_after.data() + posted.retry_after.size(), seconds);
    seconds = std::clamp(seconds, 1, 60);
    if (on_busy) {
      on_busy(seconds);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{seconds};
    while (std::chrono::steady_clock::now() < until) {
      if (gave_up()) {
        return remote_error{0,
                            "gave up waiting for the busy server " + url + "; no run was started"};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
    posted = state->exchange(state->call("POST", "/v1/runs", request));
  }
  if (auto e = state->failure_of(posted, 201)) {
    if (e->status == 401) {
      e->message += token.empty() ? " (set TUTTI_TOKEN to the server's token)"
                                  : " (TUTTI_TOKEN is not the server's token)";
    }
    return *e;
  }
  std::string id;
  try {
    id = nlohmann::json::parse(posted.body).at("id").get<std::string>();
  } catch (const std::exception&) {
    return remote_error{posted.status, url + " is not a tutti server: its answer has no run id"};
  }
  auto shown = state->exchange(state->call("GET", "/v1/runs/" + id));
  if (auto e = state->failure_of(shown, 200)) {
    return *e;
  }
  auto skeleton = engine::run_result_from_json(shown.body);
  if (!skeleton) {
    return remote_error{shown.status, url + " answered a run that is not tutti's run JSON"};
  }
  state->skeleton = std::move(*skeleton);
  return std::unique_ptr<remote_run>(new remote_run(std::move(state)));
}

remote_run::remote_run(std::unique_ptr<impl> impl) : impl_(std::move(impl)) {}

remote_run::~remote_run() {
  if (impl_->stop_stream) {
    impl_->stop_stream();
  }
  impl_->io.stop();
}

const engine::run_result& remote_run::skeleton() const {
  return impl_->skeleton;
}

void remote_run::follow(engine::event_callback on_event) {
  auto* state = impl_.get();
  providers::http_deadlines deadlines;
  deadlines.idle = stream_deadline;
  deadlines.total = stream_deadline;
  auto on_body = [state, on_event = std::move(on_event)](std::string_view bytes) {
    for (const auto& event : state->parser.feed(bytes)) {
      if (auto e = engine::run_event_from_json(event.data)) {
        if (on_event) {
          on_event(*e);
        }
      } else if (auto end = result_of_end(event.data)) {
        std::lock_guard lock{state->mutex};
        state->result = std::move(end);
      }
    }
  };
  state->stop_stream = state->client.send(
      state->url, state->call("GET", "/v1/runs/" + state->skeleton.id + "/events"), deadlines,
      std::move(on_body), [state](http_result r) {
        std::lock_guard lock{state->mutex};
        if (auto e = state->failure_of(r, 200)) {
          state->lost = e->message;
        }
        state->ended = true;
        state->ended_cv.notify_all();
      });
}

void remote_run::cancel() {
  impl_->client.send(impl_->url, impl_->call("DELETE", "/v1/runs/" + impl_->skeleton.id), {},
                     nullptr, [](http_result) {});
}

std::optional<std::variant<engine::run_result, remote_error>>
remote_run::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock{impl_->mutex};
  if (!impl_->ended_cv.wait_for(lock, timeout, [&] { return impl_->ended; })) {
    return std::nullopt;
  }
  if (impl_->result) {
    return *impl_->result;
  }
  return remote_error{0, impl_->lost.empty()
                             ? "the tutti server at " + impl_->url + " closed the stream of run " +
                                   impl_->skeleton.id + " before it ended"
                             : impl_->lost};
}

} // namespace tutti::cli
