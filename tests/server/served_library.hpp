// A folder with a configuration and ensembles, served by a run_service, for the server's tests:
// "quick" (two mock agents, then a judge), "slow" (one agent on a local mock server, limited to
// one request at a time, taking `slow_ms`).
#pragma once

#include "support/temp_dir.hpp"

#include <tutti/server/run_service.hpp>
#include <tutti/store/store_recorder.hpp>

#include <map>
#include <memory>
#include <string>

namespace tutti::test {

class served_library {
 public:
  /// `extra_config` is added to the configuration; `extra` ensembles are written as
  /// ensembles/NAME.toml.
  explicit served_library(server::service_settings settings = {}, int slow_ms = 300,
                          const std::string& extra_config = {},
                          const std::map<std::string, std::string>& extra = {},
                          std::shared_ptr<store::store_writer> writer = nullptr);

  server::run_service& service() { return *service_; }
  const temp_dir& dir() const { return dir_; }
  server::library_source source() const;

 private:
  temp_dir dir_;
  std::unique_ptr<server::run_service> service_;
};

} // namespace tutti::test
