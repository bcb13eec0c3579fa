#include "cost_budget.hpp"

namespace tutti::engine {

double cost_budget::estimate(const std::optional<definition::model_price>& price,
                             std::size_t prompt_bytes, std::int64_t max_tokens) {
  if (!price) {
    return 0.0;
  }
  constexpr std::size_t bytes_per_token = 4; // the usual rule of thumb for English text
  return definition::cost_usd(*price, static_cast<std::int64_t>(prompt_bytes / bytes_per_token + 1),
                              max_tokens);
}

cost_budget::admission cost_budget::admit(std::size_t agent, double estimate_usd) {
  if (!limit_) {
    return admission::admitted;
  }
  if (has_refused_) {
    return admission::stopped;
  }
  if (spent_ + in_flight_ + estimate_usd > *limit_) {
    has_refused_ = true;
    return admission::over_limit;
  }
  estimates_[agent] = estimate_usd;
  in_flight_ += estimate_usd;
  return admission::admitted;
}

void cost_budget::finish(std::size_t agent, std::optional<double> cost_usd) {
  auto found = estimates_.find(agent);
  const double estimate = found != estimates_.end() ? found->second : 0.0;
  if (found != estimates_.end()) {
    in_flight_ -= estimate;
    estimates_.erase(found);
  }
  spent_ += cost_usd.value_or(estimate);
}

std::optional<double> cost_of(const providers::token_usage& usage,
                              const std::optional<definition::model_price>& price) {
  if (!price || !usage.input_tokens || !usage.output_tokens) {
    return std::nullopt;
  }
  return definition::cost_usd(*price, *usage.input_tokens, *usage.output_tokens);
}

} // namespace tutti::engine
