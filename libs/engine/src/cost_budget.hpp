// A run's cost limit (run_options::max_cost_usd): what is spent, what the agents still running
// may yet spend, and whether one more agent fits. Plain: the run actor asks it as agents become
// ready and tells it as they finish.
#pragma once

#include <tutti/definition/model_price.hpp>
#include <tutti/providers/completion.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

namespace tutti::engine {

class cost_budget {
 public:
  explicit cost_budget(std::optional<double> limit_usd) : limit_(limit_usd) {}

  /// What an agent may cost: its prompt at 4 bytes a token in, `max_tokens` out, at `price`;
  /// 0 when the price is unknown.
  static double estimate(const std::optional<definition::model_price>& price,
                         std::size_t prompt_bytes, std::int64_t max_tokens);

  /// admitted: it fits (always without a limit), and its estimate counts as in flight;
  /// over_limit: it would pass the limit; stopped: an agent before it did, and the run admits
  /// no more, rather than picking cheaper agents after.
  enum class admission : std::int8_t { admitted, over_limit, stopped };

  /// Whether `agent`, estimated at `estimate_usd`, may start.
  admission admit(std::size_t agent, double estimate_usd);
  /// The agent is done: its estimate gives way to what it cost (the estimate when unknown).
  void finish(std::size_t agent, std::optional<double> cost_usd);

  bool is_limited() const { return limit_.has_value(); }
  double spent_usd() const { return spent_; }
  double in_flight_usd() const { return in_flight_; }

 private:
  std::optional<double> limit_;
  double spent_ = 0;
  double in_flight_ = 0;
  std::map<std::size_t, double> estimates_; // agents admitted and not finished
  bool has_refused_ = false;
};

/// `usage` at `price`; none when either is unknown (a count not reported counts as unknown).
std::optional<double> cost_of(const providers::token_usage& usage,
                              const std::optional<definition::model_price>& price);

} // namespace tutti::engine
