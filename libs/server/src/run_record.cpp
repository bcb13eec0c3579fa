#include <tutti/engine/run_json.hpp>
#include <tutti/server/run_record.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace tutti::server {

run_record::run_record(std::string id, std::string ensemble, int priority,
                       std::shared_ptr<engine::run_observer> next,
                       std::function<void()> on_finished)
    : id_(std::move(id)), ensemble_(std::move(ensemble)), priority_(priority),
      submitted_(std::chrono::system_clock::now()), next_(std::move(next)),
      on_finished_(std::move(on_finished)), started_(std::chrono::steady_clock::now()) {
  run_.id = id_;
  run_.ensemble = ensemble_;
  run_.status = engine::run_status::running;
}

void run_record::run_started(const engine::run_result& run) {
  {
    std::lock_guard lock{mutex_};
    run_ = run;
    run_.status = engine::run_status::running;
    for (auto& a : run_.agents) {
      a.status = engine::agent_status::pending;
    }
  }
  if (next_) {
    next_->run_started(run);
  }
}

void run_record::agent_finished(const engine::run_result& run, std::size_t agent) {
  {
    std::lock_guard lock{mutex_};
    if (agent < run_.agents.size()) {
      run_.agents[agent] = run.agents[agent];
      ++agents_done_;
    }
  }
  if (next_) {
    next_->agent_finished(run, agent);
  }
}

void run_record::run_finished(const engine::run_result& run) {
  if (next_) {
    next_->run_finished(run);
  }
  // The end carries the result, so that a client has it even if the server goes next.
  auto end = "{\"kind\":\"run_finished\",\"status\":\"" +
             std::string{engine::to_string(run.status)} +
             "\",\"at_ms\":" + nlohmann::json(run.elapsed_ms).dump() +
             ",\"result\":" + engine::to_json(run, -1) + "}";
  {
    std::lock_guard lock{mutex_};
    run_ = run;
    finished_ = true;
    agents_done_ = static_cast<std::size_t>(
        std::count_if(run.agents.begin(), run.agents.end(),
                      [](const auto& a) { return a.status != engine::agent_status::pending; }));
    append(std::move(end));
  }
  changed_.notify_all();
  if (on_finished_) {
    on_finished_();
  }
}

void run_record::add(const engine::run_event& e) {
  auto text = engine::to_json(e);
  std::lock_guard lock{mutex_};
  append(std::move(text));
}

void run_record::append(std::string event) {
  events_.push_back(std::move(event));
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& wake : waiting) {
    wake();
  }
}

double run_record::elapsed_ms() const {
  return finished_ ? run_.elapsed_ms
                   : std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                               started_)
                         .count();
}

engine::run_result run_record::snapshot() const {
  std::lock_guard lock{mutex_};
  auto out = run_;
  out.elapsed_ms = elapsed_ms();
  return out;
}

run_progress run_record::progress() const {
  std::lock_guard lock{mutex_};
  return {run_.status, elapsed_ms(), run_.agents.size(), agents_done_};
}

bool run_record::is_finished() const {
  std::lock_guard lock{mutex_};
  return finished_;
}

event_slice run_record::read(std::size_t from, std::function<void()> wake) {
  std::lock_guard lock{mutex_};
  event_slice out;
  out.finished = finished_;
  if (from < events_.size()) {
    out.events.assign(events_.begin() + static_cast<std::ptrdiff_t>(from), events_.end());
  } else if (!finished_ && wake) {
    waiting_.push_back(std::move(wake));
  }
  return out;
}

void run_record::cancel() {
  std::lock_guard lock{mutex_};
  if (handle_) {
    handle_->cancel();
  } else {
    cancel_asked_ = true;
  }
}

void run_record::attach(engine::run_handle handle) {
  {
    std::lock_guard lock{mutex_};
    handle_ = std::move(handle);
    if (cancel_asked_) {
      handle_->cancel();
    }
  }
  changed_.notify_all();
}

void run_record::abandon() {
  {
    std::lock_guard lock{mutex_};
    finished_ = true;
  }
  changed_.notify_all();
}

engine::run_result run_record::wait() const {
  std::optional<engine::run_handle> handle;
  {
    std::unique_lock lock{mutex_};
    changed_.wait(lock, [&] { return finished_ || handle_; });
    handle = handle_;
  }
  if (handle) {
    handle->wait(); // the run's end was recorded before its handle was told
  }
  return snapshot();
}

} // namespace tutti::server
