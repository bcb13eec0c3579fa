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
  auto fine = dir.write("fine.toml", "name = \"x\"\n");
  CHECK(read_source_text(fine).value() == "name = \"x\"\n");
}

TEST_CASE("a file over the size limit is refused with its size and how to raise the limit") {
  temp_dir dir;
  auto large = dir.write("large.toml", std::string(mib_bytes(1) + 1, '#'));
  CHECK(has_problem(read_source_text(large, mib_bytes(1)).problems(),
                    definition_errc::unreadable_file,
                    "large.toml: is 1.1 MiB; definition files are limited to 1 MiB (raise it with "
                    "[limits] max_definition_mib in the configuration or --max-definition-mib)"));
  CHECK(read_source_text(large, mib_bytes(2)).has_value());
  CHECK(read_source_text(large).has_value()); // the default is far above a megabyte
}

TEST_CASE("the default size limit holds 200,000 agents written plainly") {
  // The longest name of 200,000, a model, a prompt of a sentence and a dependency.
  const std::string agent = "[[agents]]\n"
                            "name = \"reviewer-199999\"\n"
                            "model = \"llama3.1:8b-instruct\"\n"
                            "prompt = \"Review this part of the change for correctness: {input}\"\n"
                            "depends_on = [\"splitter\"]\n\n";
  CHECK(agent.size() * 200'000 <= mib_bytes(default_max_definition_mib));
}
