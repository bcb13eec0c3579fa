// What a model's tokens cost: `[prices."MODEL"]` in tutti.toml, over a few well-known models'
// published list prices that tutti knows without being told.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tutti::definition {

/// US dollars per million tokens.
struct model_price {
  double input_per_mtok = 0;
  double output_per_mtok = 0;
};

/// The cost of `input_tokens` in and `output_tokens` out at `price`, in US dollars.
double cost_usd(const model_price& price, std::int64_t input_tokens, std::int64_t output_tokens);

/// List prices of well-known hosted models, by the model name their APIs take; a
/// configuration's own [prices] entries replace these. Local models cost nothing to call and
/// are not listed: their cost is unknown unless configured (a price of 0 says "free").
std::map<std::string, model_price> builtin_prices();

/// The price of `model` in `prices`; nullopt when it has none.
std::optional<model_price> price_of(const std::map<std::string, model_price>& prices,
                                    const std::string& model);

} // namespace tutti::definition
