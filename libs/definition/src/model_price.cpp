#include <tutti/definition/model_price.hpp>

namespace tutti::definition {

double cost_usd(const model_price& price, std::int64_t input_tokens, std::int64_t output_tokens) {
  return (static_cast<double>(input_tokens) * price.input_per_mtok +
          static_cast<double>(output_tokens) * price.output_per_mtok) /
         1e6;
}

std::map<std::string, model_price> builtin_prices() {
  // Published per-million-token list prices (US dollars) as of 2026; a [prices."MODEL"] table
  // in tutti.toml corrects any of them.
  return {
      {"gpt-4o", {2.50, 10.00}},
      {"gpt-4o-mini", {0.15, 0.60}},
      {"gpt-4.1", {2.00, 8.00}},
      {"gpt-4.1-mini", {0.40, 1.60}},
      {"gpt-4.1-nano", {0.10, 0.40}},
      {"o3-mini", {1.10, 4.40}},
      {"claude-3-5-haiku-latest", {0.80, 4.00}},
      {"claude-3-5-sonnet-latest", {3.00, 15.00}},
      {"claude-3-7-sonnet-latest", {3.00, 15.00}},
      {"claude-sonnet-4-0", {3.00, 15.00}},
      {"claude-opus-4-0", {15.00, 75.00}},
  };
}

std::optional<model_price> price_of(const std::map<std::string, model_price>& prices,
                                    const std::string& model) {
  if (auto found = prices.find(model); found != prices.end()) {
    return found->second;
  }
  return std::nullopt;
}

} // namespace tutti::definition
