#include <tutti/resources/admission_queue.hpp>

#include <algorithm>

namespace tutti::resources {
namespace {

constexpr std::size_t recent_wait_samples = 4096;

double percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) {
    return 0;
  }
  std::sort(sorted.begin(), sorted.end());
  auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

} // namespace

admission_queue::admission_queue(definition::concurrency_limit limit) : limit_(limit) {}

void admission_queue::enqueue(ticket t, int priority, time_point now) {
  queue_key key{-priority, arrivals_++};
  waiting_.emplace(key, waiting_request{t, now});
  position_.emplace(t, key);
}

bool admission_queue::has_free_slot() const {
  return limit_.is_unlimited() || active_.size() < static_cast<std::size_t>(limit_.max());
}

std::vector<ticket> admission_queue::admit(time_point now, std::size_t at_most) {
  std::vector<ticket> admitted;
  while (!waiting_.empty() && has_free_slot() && admitted.size() < at_most) {
    auto first = waiting_.begin();
    const auto waited =
        std::chrono::duration<double, std::milli>(now - first->second.since).count();
    if (recent_waits_ms_.size() < recent_wait_samples) {
      recent_waits_ms_.push_back(waited);
    } else {
      recent_waits_ms_[next_wait_slot_] = waited;
      next_wait_slot_ = (next_wait_slot_ + 1) % recent_wait_samples;
    }
    total_wait_ms_ += waited;
    max_wait_ms_ = std::max(max_wait_ms_, waited);
    ++admitted_;
    const auto t = first->second.id;
    position_.erase(t);
    waiting_.erase(first);
    active_.insert(t);
    admitted.push_back(t);
  }
  return admitted;
}

bool admission_queue::release(ticket t) {
  return active_.erase(t) != 0;
}

bool admission_queue::withdraw(ticket t) {
  auto found = position_.find(t);
  if (found == position_.end()) {
    return false;
  }
  waiting_.erase(found->second);
  position_.erase(found);
  return true;
}

void admission_queue::set_limit(definition::concurrency_limit limit) {
  limit_ = limit;
}

std::size_t admission_queue::ahead_of(ticket t) const {
  auto found = position_.find(t);
  if (found == position_.end()) {
    return 0;
  }
  return static_cast<std::size_t>(std::distance(waiting_.begin(), waiting_.find(found->second)));
}

std::vector<ticket> admission_queue::waiting_in_order() const {
  std::vector<ticket> order;
  for (const auto& [key, request] : waiting_) {
    order.push_back(request.id);
  }
  return order;
}

wait_statistics admission_queue::waits() const {
  if (admitted_ == 0) {
    return {};
  }
  return {total_wait_ms_ / static_cast<double>(admitted_), percentile(recent_waits_ms_, 0.5),
          percentile(recent_waits_ms_, 0.95), max_wait_ms_};
}

} // namespace tutti::resources
