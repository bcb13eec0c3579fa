#include "support/ensemble_text.hpp"

#include "support/diagnostics_match.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>

#include <catch2/catch.hpp>

namespace tutti::test {

definition::resolved_ensemble ensemble_from(const std::string& toml) {
  auto config = definition::parse_config("", "", definition::fixed_environment({}));
  REQUIRE(config.has_value());
  auto e = definition::parse_ensemble(toml, "test.toml");
  INFO(listing(e.problems()));
  REQUIRE(e.has_value());
  auto r = definition::resolve(*e, *config);
  INFO(listing(r.problems()));
  REQUIRE(r.has_value());
  return std::move(r).value();
}

const std::string chain_with_a_failure = R"(
name = "chain"
[[agents]]
name = "first"
provider = "mock"
[[agents]]
name = "second"
provider = "mock"
depends_on = ["first"]
[[agents]]
name = "broken"
provider = "mock"
mock = { fail = "model exploded" }
)";

} // namespace tutti::test
