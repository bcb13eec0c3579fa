#include <tutti/definition/nearest_name.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;

TEST_CASE("the nearest name is suggested for a plausible typo only") {
  std::vector<std::string> keys{"depends_on", "description", "priority"};
  CHECK(nearest_name("depends-on", keys) == "depends_on");
  CHECK(nearest_name("prority", keys) == "priority");
  CHECK(nearest_name("desc", keys) == "description");
  CHECK_FALSE(nearest_name("de", keys).has_value());
  CHECK_FALSE(nearest_name("colour", keys).has_value());
  CHECK_FALSE(nearest_name("x", {}).has_value());
  CHECK(did_you_mean("descripton", keys) == " (did you mean 'description'?)");
  CHECK(did_you_mean("zzz", keys).empty());
}

TEST_CASE("two letters swapped are one edit, and candidates are listed nearest first") {
  CHECK(did_you_mean("smrat", {"fast", "smart"}) == " (did you mean 'smart'?)");
  CHECK(nearest_first("smrat", {"fast", "quality", "smart"}) == "smart, fast, quality");
  CHECK(nearest_first("x", {"a", "b", "c"}, 2) == "a, b, and 1 more");
}
