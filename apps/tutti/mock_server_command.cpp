// tutti mock-server: a local server speaking the OpenAI, Anthropic and Ollama protocols, to
// try tutti and test it over real HTTP without keys.
#include "commands.hpp"
#include "option_checks.hpp"

#include <tutti/mock_server/mock_server.hpp>

#include <ostream>

namespace tutti::cli {

void add_mock_server_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand(
      "mock-server", "Serve the OpenAI, Anthropic and Ollama protocols with echo replies; model "
                     "names choose latency and faults (sleep-250, fail-503, reset, stall, ...)");
  auto settings = std::make_shared<mock_server::server_settings>();
  settings->port = 8080;
  cmd->add_option("--host", settings->host, "Address to listen on (loopback by default)")
      ->capture_default_str();
  cmd->add_option("--port", settings->port, "Port to listen on (0: any free port)")
      ->check(port_number())
      ->capture_default_str();
  auto latency = std::make_shared<int>(0);
  cmd->add_option("--latency-ms", *latency, "Latency of models that do not name their own")
      ->check(number_from(0, 3'600'000));
  cmd->callback([&state, settings, latency] {
    settings->latency = std::chrono::milliseconds{*latency};
    try {
      mock_server::server server{*settings};
      state.ctx.out << "tutti mock-server listening on " << server.base_url()
                    << " (GET /stats, POST /reset); Ctrl-C stops it" << std::endl;
      server.wait_for_signal();
    } catch (const std::exception& e) {
      state.ctx.err << "error: " << e.what() << '\n';
      state.exit_code = exit_code::invalid_input;
    }
  });
}

} // namespace tutti::cli
