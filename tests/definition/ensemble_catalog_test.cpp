#include "support/diagnostics_match.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/ensemble_catalog.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using tutti::test::has_problem;
using tutti::test::temp_dir;

namespace {

std::string ensemble_named(const std::string& name) {
  return "name = \"" + name + "\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n";
}

} // namespace

TEST_CASE("ensembles are searched in ./ensembles, ./.tutti/ensembles, then the XDG folder") {
  auto dirs = ensemble_search_dirs("/w", fixed_environment({{"XDG_CONFIG_HOME", "/x"}}));
  CHECK(dirs == std::vector<std::filesystem::path>{"/w/ensembles", "/w/.tutti/ensembles",
                                                   "/x/tutti/ensembles"});
  CHECK(ensemble_search_dirs("/w", fixed_environment({{"HOME", "/h"}})).back() ==
        "/h/.config/tutti/ensembles");
}

TEST_CASE("an ensemble is found by path or by its name, earlier folders first") {
  temp_dir dir;
  auto first = dir.write("a/zz.toml", ensemble_named("review"));
  dir.write("b/review.toml", ensemble_named("review"));
  dir.write("a/notes.txt", "not an ensemble");
  std::vector<std::filesystem::path> dirs{dir.path() / "a", dir.path() / "b"};

  CHECK(ensemble_files(dirs).size() == 2);
  CHECK(find_ensemble("review", dir.path(), dirs).value() == first);
  CHECK(find_ensemble("b/review.toml", dir.path(), dirs).value() == dir.path() / "b/review.toml");
}

TEST_CASE("an unknown ensemble name suggests the closest and lists the folders searched") {
  temp_dir dir;
  dir.write("e/x.toml", ensemble_named("code-review"));
  auto found = find_ensemble("code-reveiw", dir.path(), {dir.path() / "e"});
  REQUIRE_FALSE(found.has_value());
  CHECK(has_problem(found.problems(), definition_errc::not_found,
                    "no file and no ensemble named 'code-reveiw' (did you mean 'code-review'?); "
                    "searched " +
                        (dir.path() / "e").string()));
}

TEST_CASE("two files of one folder with the same ensemble name are ambiguous") {
  temp_dir dir;
  dir.write("e/one.toml", ensemble_named("twin"));
  dir.write("e/two.toml", ensemble_named("twin"));
  CHECK(has_problem(find_ensemble("twin", dir.path(), {dir.path() / "e"}).problems(),
                    definition_errc::not_found, "is used by both"));
}

TEST_CASE("a broken ensemble is found by its file name so that its errors can be shown") {
  temp_dir dir;
  auto broken = dir.write("e/broken.toml", "name = [");
  CHECK(find_ensemble("broken", dir.path(), {dir.path() / "e"}).value() == broken);
}
