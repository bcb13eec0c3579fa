#include "event_streams.hpp"

namespace tutti::server {
namespace {

class run_events final : public event_source {
 public:
  run_events(std::shared_ptr<run_record> record, std::size_t from)
      : record_(std::move(record)), next_(from) {}

  std::optional<std::string> next(std::function<void()> wake) override {
    if (ended_) {
      return std::nullopt;
    }
    auto slice = record_->read(next_, std::move(wake));
    std::string out;
    for (const auto& event : slice.events) {
      out += sse_event(event, std::to_string(next_++));
    }
    // The run's end is its last event: once it is sent, so is everything.
    ended_ = slice.finished && !slice.events.empty();
    if (slice.finished && slice.events.empty()) {
      return std::nullopt;
    }
    return out;
  }

 private:
  std::shared_ptr<run_record> record_;
  std::size_t next_;
  bool ended_ = false;
};

} // namespace

std::string sse_event(const std::string& data, const std::string& id) {
  return (id.empty() ? "" : "id: " + id + "\n") + "data: " + data + "\n\n";
}

std::shared_ptr<event_source> run_event_stream(std::shared_ptr<run_record> record,
                                               std::size_t from) {
  return std::make_shared<run_events>(std::move(record), from);
}

} // namespace tutti::server
