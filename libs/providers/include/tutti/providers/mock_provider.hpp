// The built-in mock backend: answers after a timer (no thread sleeps, so thousands of calls
// can wait at once), deterministically, and counts what is in flight so tests can check caps.
#pragma once

#include <tutti/providers/provider.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tutti::providers {

class io_thread;

/// The mock's answer to a request: its `fail` error, its `reply` with {prompt} and {agent}
/// substituted, or by default "[AGENT] " and the first 200 characters of the prompt.
completion_result mock_completion(const completion_request& request);

/// The mock's token count: whitespace-separated words. The mock server counts the same way.
std::int64_t mock_token_count(std::string_view text);

/// `text` cut into at most `pieces` pieces at word boundaries, which join back to `text`.
std::vector<std::string> stream_pieces_of(const std::string& text, std::size_t pieces);

class mock_provider final : public provider {
 public:
  struct statistics {
    std::int64_t calls = 0;
    std::int64_t in_flight = 0;
    std::int64_t peak_in_flight = 0;
    std::int64_t cancelled = 0;
  };

  explicit mock_provider(io_thread& io);
  ~mock_provider() override;

  /// Streams a reply in up to `stream_pieces` pieces spread evenly over its latency.
  cancel_call start(completion_request request, token_callback on_token,
                    completion_callback done) override;
  static constexpr std::size_t stream_pieces = 8;
  statistics stats() const;

  struct shared_state; // the counters, shared with the calls in flight

 private:
  io_thread& io_;
  std::shared_ptr<shared_state> state_;
};

} // namespace tutti::providers
