#include "support/ensemble_text.hpp"

#include <tutti/store/fingerprint.hpp>

#include <catch2/catch.hpp>

using namespace tutti::store;
using tutti::test::ensemble_from;

namespace {

std::string with(const std::string& agent_fields) {
  return "name = \"e\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n" + agent_fields + "\n";
}

std::string fingerprint_of(const std::string& text) {
  return agent_fingerprint(ensemble_from(text).agents.at(0));
}

} // namespace

TEST_CASE("an agent's fingerprint follows what decides its answer and nothing else") {
  const auto plain = fingerprint_of(with(""));
  CHECK(plain.size() == 32);
  CHECK(fingerprint_of(with("")) == plain);
  CHECK(fingerprint_of(with("prompt = \"other {input}\"")) != plain);
  CHECK(fingerprint_of(with("system_prompt = \"be brief\"")) != plain);
  CHECK(fingerprint_of(with("model = \"m2\"")) != plain);
  CHECK(fingerprint_of(with("temperature = 0.5")) != plain);
  CHECK(fingerprint_of(with("mock = { reply = \"x\" }")) != plain);
  // What only decides when and how patiently it runs does not count.
  CHECK(fingerprint_of(with("timeout_seconds = 5")) == plain);
  CHECK(fingerprint_of(with("priority = 3")) == plain);
  CHECK(fingerprint_of(with("mock = { latency_ms = 9 }")) == plain);
}

TEST_CASE("an ensemble's fingerprint changes with any agent's") {
  const auto two = "name = \"e\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n"
                   "[[agents]]\nname = \"b\"\nprovider = \"mock\"\n";
  const auto base = ensemble_fingerprint(ensemble_from(two));
  CHECK(ensemble_fingerprint(ensemble_from(two)) == base);
  CHECK(ensemble_fingerprint(ensemble_from(std::string{two} + "prompt = \"x\"\n")) != base);
  CHECK(ensemble_fingerprint(ensemble_from(std::string{two} + "timeout_seconds = 7\n")) == base);
}

TEST_CASE("a condition, a script and a fan-out count in the fingerprint; an agent without them "
          "keeps the fingerprint earlier runs stored") {
  // Recorded before conditions and scripts existed: resuming those runs must still reuse.
  CHECK(fingerprint_of(with("")) == "e654209967e940447101fb0fa7e9d3ab");
  const std::string two = "name = \"e\"\n[[agents]]\nname = \"d\"\nprovider = \"mock\"\n"
                          "[[agents]]\nname = \"a\"\n";
  auto second = [&](const std::string& fields) {
    return agent_fingerprint(ensemble_from(two + fields).agents.at(1));
  };
  const auto plain = second("provider = \"mock\"\ndepends_on = [\"d\"]\n");
  const auto when = second("provider = \"mock\"\ndepends_on = [\"d\"]\nwhen = \"${d}\"\n");
  CHECK(when != plain);
  CHECK(second("provider = \"mock\"\ndepends_on = [\"d\"]\nwhen = \"not ${d}\"\n") != when);
  const auto script = second("script = [\"wc\", \"-w\"]\n");
  CHECK(second("script = [\"wc\", \"-l\"]\n") != script);
  CHECK(second("script = [\"wc\", \"-w\"]\nscript_input = \"json\"\n") != script);
  CHECK(second("provider = \"mock\"\ndepends_on = [\"d\"]\nfan_out = true\n") != plain);
  CHECK(second("provider = \"mock\"\ndepends_on = [\"d\"]\nfan_out = false\n") == plain);
}
