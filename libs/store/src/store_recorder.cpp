#include <tutti/store/store_recorder.hpp>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace tutti::store {

store_writer::store_writer(std::unique_ptr<run_store> store,
                           std::function<void(const store_error&)> on_failure)
    : store_(std::move(store)), on_failure_(std::move(on_failure)), thread_([this] { work(); }) {}

store_writer::~store_writer() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  work_queued_.notify_one();
  thread_.join();
}

void store_writer::post(write w) {
  bool was_idle = false;
  {
    std::lock_guard lock{mutex_};
    was_idle = queue_.empty();
    queue_.push_back(std::move(w));
    ++posted_;
  }
  // A writer with work queued takes all of it when it next looks: no need to wake it again.
  if (was_idle) {
    work_queued_.notify_one();
  }
}

std::optional<store_error> store_writer::failure() {
  std::lock_guard lock{mutex_};
  return failure_;
}

void store_writer::flush() {
  std::unique_lock lock{mutex_};
  const auto target = posted_;
  written_.wait(lock, [&] { return done_ >= target; });
}

void store_writer::work() {
  pthread_setname_np(pthread_self(), "tutti.store");
  // Below the engine's threads: when both want the CPU (a burst of agents starting or
  // ending), the agents go first, and the writer catches up while they wait on their models.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  std::unique_lock lock{mutex_};
  while (true) {
    work_queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      return; // stopping, and everything is written
    }
    std::vector<write> batch(std::make_move_iterator(queue_.begin()),
                             std::make_move_iterator(queue_.end()));
    queue_.clear();
    const bool skip = failure_.has_value();
    lock.unlock();
    std::optional<store_error> error;
    if (!skip) {
      error = store_->in_one_transaction([&]() -> std::optional<store_error> {
        for (auto& w : batch) {
          if (auto e = w(*store_)) {
            return e;
          }
        }
        return std::nullopt;
      });
      if (error && on_failure_) {
        on_failure_(*error);
      }
    }
    lock.lock();
    if (error) {
      failure_ = std::move(error);
    }
    done_ += batch.size();
    written_.notify_all();
  }
}

run_recorder::run_recorder(std::shared_ptr<store_writer> writer, run_origin origin)
    : writer_(std::move(writer)), origin_(std::move(origin)) {}

void run_recorder::run_started(const engine::run_result& run) {
  writer_->post([run, origin = origin_](run_store& s) mutable {
    return s.begin_run(std::move(run), origin); // the writer's copy: none is made again
  });
}

void run_recorder::agent_finished(const engine::run_result& run, std::size_t agent) {
  bool was_empty = false;
  {
    std::lock_guard lock{mutex_};
    was_empty = finished_.empty();
    finished_.push_back({agent, run.agents[agent]});
  }
  // One write takes every agent that has finished by the time the writer gets to it; agents
  // that finish while it waits join it rather than queue writes of their own.
  if (was_empty) {
    writer_->post([self = shared_from_this(), id = run.id](run_store& s) {
      std::vector<finished_agent> agents;
      {
        std::lock_guard lock{self->mutex_};
        agents.swap(self->finished_);
      }
      return s.save_agents(id, agents);
    });
  }
}

void run_recorder::run_finished(const engine::run_result& run) {
  writer_->post([end = run_end_of(run)](run_store& s) { return s.finish_run(end); });
}

} // namespace tutti::store
