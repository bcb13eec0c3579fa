#include <tutti/providers/redaction.hpp>

#include <catch2/catch.hpp>

using tutti::providers::redact;

TEST_CASE("a key quoted back whole, upper-cased or cut short is redacted") {
  const std::string key = "sk-planted-secret-4242";
  CHECK(redact("Incorrect API key provided: sk-planted-secret-4242.", key) ==
        "Incorrect API key provided: [redacted].");
  CHECK(redact("bad key SK-PLANTED-SECRET-4242", key) == "bad key [redacted]");
  CHECK(redact("bad key sk-planted-secret-424 here", key) == "bad key [redacted] here");
  CHECK(redact("tail: secret-4242!", key) == "tail: [redacted]!");
  CHECK(redact("twice sk-planted and sk-planted-secret", key) == "twice [redacted] and [redacted]");
}

TEST_CASE("runs shorter than eight characters and texts without the key are kept") {
  const std::string key = "sk-planted-secret-4242";
  CHECK(redact("secret-9 is not enough", key) == "secret-9 is not enough");
  CHECK(redact("HTTP 401 from backend 'oa': invalid key", key) ==
        "HTTP 401 from backend 'oa': invalid key");
  CHECK(redact("anything at all", "") == "anything at all");
  CHECK(redact("short", key) == "short");
}
