#include "support/diagnostics_match.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/source_text.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using tutti::test::has_problem;
using tutti::test::temp_dir;

TEST_CASE("a file that cannot be a definition is refused with its name") {
  temp_dir dir;
  CHECK(has_problem(read_source_text(dir.path() / "none.toml").problems(),
                    definition_errc::unreadable_file, "none.toml: no such file"));
  CHECK(has_problem(read_source_text(dir.path()).problems(), definition_errc::unreadable_file,
                    "is a directory"));
  auto binary = dir.write("binary.toml", std::string("name = \"x\"\0\x01\x02", 13));
  CHECK(has_problem(read_source_text(binary).problems(), definition_errc::unreadable_file,
                    "binary.toml: is a binary file"));
  auto large = dir.write("large.toml", std::string(max_source_bytes + 1, '#'));
  CHECK(has_problem(read_source_text(large).problems(), definition_errc::unreadable_file,
                    "definition files are limited to 8 MiB"));
  auto fine = dir.write("fine.toml", "name = \"x\"\n");
  CHECK(read_source_text(fine).value() == "name = \"x\"\n");
}
