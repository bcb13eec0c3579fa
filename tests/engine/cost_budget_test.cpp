#include "cost_budget.hpp"

#include <catch2/catch.hpp>

using tutti::definition::model_price;
using tutti::engine::cost_budget;
using tutti::engine::cost_of;

TEST_CASE("a cost budget admits while spent and running estimates fit, then admits no more") {
  using admission = cost_budget::admission;
  cost_budget budget{10.0};
  CHECK(budget.admit(0, 4.0) == admission::admitted);
  CHECK(budget.admit(1, 4.0) == admission::admitted);
  CHECK(budget.admit(2, 4.0) == admission::over_limit); // 12 > 10
  CHECK(budget.admit(3, 0.5) == admission::stopped);    // no cheaper agent slips in after
  budget.finish(0, 1.0); // what agent 0 really cost replaces its estimate
  CHECK(budget.spent_usd() == 1.0);
  CHECK(budget.in_flight_usd() == 4.0);
  budget.finish(1, std::nullopt); // unknown: its estimate counts as spent
  CHECK(budget.spent_usd() == 5.0);
  CHECK(budget.in_flight_usd() == 0.0);
}

TEST_CASE("without a limit everything is admitted, and an estimate needs a price") {
  cost_budget free{std::nullopt};
  CHECK(free.admit(0, 1e9) == cost_budget::admission::admitted);
  CHECK(cost_budget::estimate(std::nullopt, 4000, 1000) == 0.0);
  // 4,000 bytes: about 1,001 tokens in at $1 a million, 1,000 out at $2 a million.
  CHECK(cost_budget::estimate(model_price{1.0, 2.0}, 4000, 1000) == Approx(0.003001));
}

TEST_CASE("a cost is known only when both counts and the price are") {
  tutti::providers::token_usage usage{10, 20};
  CHECK(cost_of(usage, model_price{1e6, 1e6}) == Approx(30.0));
  CHECK_FALSE(cost_of(usage, std::nullopt));
  CHECK_FALSE(cost_of(tutti::providers::token_usage{10, std::nullopt}, model_price{1, 1}));
}
