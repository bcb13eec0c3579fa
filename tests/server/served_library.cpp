#include "server/served_library.hpp"

#include <catch2/catch.hpp>

namespace tutti::test {

served_library::served_library(server::service_settings settings, int slow_ms,
                               const std::string& extra_config,
                               const std::map<std::string, std::string>& extra,
                               std::shared_ptr<store::store_writer> writer) {
  dir_.write("tutti.toml", R"([backends.box]
provider = "mock"
resource = "local-server"
)" + extra_config);
  for (const auto& [name, text] : extra) {
    dir_.write("ensembles/" + name + ".toml", text);
  }
  dir_.write("ensembles/quick.toml", R"(name = "quick"
description = "two, then a judge"
default_input = "hello"
[[agents]]
name = "a"
provider = "mock"
[[agents]]
name = "b"
provider = "mock"
[[agents]]
name = "judge"
provider = "mock"
depends_on = ["a", "b"]
)");
  dir_.write("ensembles/slow.toml", "name = \"slow\"\n[[agents]]\nname = \"only\"\nbackend = "
                                    "\"box\"\nmodel = \"m\"\nmock = { latency_ms = " +
                                        std::to_string(slow_ms) + " }\n");
  auto lib = server::load_library(source());
  REQUIRE(lib.has_value());
  engine::engine_options options;
  options.environment = definition::fixed_environment({});
  service_ = std::make_unique<server::run_service>(source(), std::move(lib).value(), options,
                                                   settings, std::move(writer));
}

server::library_source served_library::source() const {
  return {dir_.path() / "tutti.toml", dir_.path(),
          definition::fixed_environment({{"XDG_CONFIG_HOME", (dir_.path() / "xdg").string()}})};
}

} // namespace tutti::test
