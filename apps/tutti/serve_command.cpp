// tutti serve: one engine, and so one resource authority per server, for every client; the
// run API, an OpenAI-compatible endpoint and a live dashboard over HTTP.
#include "cluster_access.hpp"
#include "commands.hpp"
#include "option_checks.hpp"
#include "store_access.hpp"

#include <tutti/server/http_server.hpp>
#include <tutti/server/run_service.hpp>

#include <atomic>
#include <csignal>
#include <ostream>
#include <thread>

namespace tutti::cli {
namespace {

std::atomic<bool> stop_asked{false};
std::atomic<bool> reload_asked{false};

extern "C" void on_stop(int) {
  stop_asked = true;
}

extern "C" void on_reload(int) {
  reload_asked = true;
}

struct serve_arguments {
  server::http_settings http;
  server::service_settings service;
  std::optional<std::string> token_env;
  store_choice store;
  cluster_choice cluster;
  std::optional<std::uint16_t> cluster_port;
  std::optional<std::string> cluster_host; // loopback when absent
};

// The resource authority published for other nodes, when --cluster-port asks; false (error
// printed) when it cannot be.
bool publish_authority(command_state& state, const serve_arguments& args,
                       server::run_service& service,
                       std::optional<cluster::published_authority>& authority) {
  if (!args.cluster_port) {
    return true;
  }
  const auto host = args.cluster_host.value_or("127.0.0.1");
  try {
    authority.emplace(service.engine(), host, *args.cluster_port, args.cluster.tls);
  } catch (const std::runtime_error& e) {
    state.ctx.err << "error: " << e.what() << '\n';
    state.exit_code = exit_code::invalid_input;
    return false;
  }
  state.ctx.out << "tutti serve: resource authority published at "
                << definition::node_address{host, authority->port()}.text() << " ("
                << cluster::protocol_version << (args.cluster.tls ? ", TLS" : "") << ")"
                << std::endl;
  return true;
}

// The token named by --token-env; nullopt (with the error printed) when it is not set.
std::optional<std::string> token_from(command_state& state, const serve_arguments& args) {
  if (!args.token_env) {
    return std::string{};
  }
  auto token = state.ctx.env(*args.token_env);
  if (!token || token->empty()) {
    state.ctx.err << "error: --token-env " << *args.token_env
                  << ": the variable is not set or empty; export it with the token clients "
                     "will send\n";
    state.exit_code = exit_code::invalid_input;
    return std::nullopt;
  }
  return token;
}

void report_reload(command_state& state, server::run_service& service) {
  auto reloaded = service.reload();
  if (const auto* e = std::get_if<server::api_error>(&reloaded)) {
    state.ctx.err << "tutti serve: " << e->message << std::endl;
    return;
  }
  state.ctx.err << "tutti serve: reloaded, "
                << std::get<std::shared_ptr<const server::library>>(reloaded)->ensembles.size()
                << " ensembles" << std::endl;
}

void serve(command_state& state, serve_arguments& args) {
  auto token = token_from(state, args);
  if (!token) {
    return;
  }
  args.http.token = *token;
  server::library_source source{state.config_path, state.ctx.working_dir, state.ctx.env};
  if (source.working_dir.empty()) {
    source.working_dir = std::filesystem::current_path();
  }
  auto lib = server::load_library(source);
  if (!lib) {
    print_problems(state, lib.problems());
    state.exit_code = exit_code::invalid_input;
    return;
  }
  auto writer = open_store_writer_or_report(state, lib->config, args.store);
  if (!writer) {
    return;
  }
  engine::engine_options engine_options;
  engine_options.environment = state.ctx.env;
  std::optional<cluster::node_settings> node;
  if (!configure_node(state, lib->config, args.cluster, args.cluster_port.has_value(),
                      engine_options, node)) {
    return;
  }
  std::optional<server::run_service> service;
  try {
    service.emplace(source, std::move(lib).value(), engine_options, args.service, *writer);
  } catch (const engine::engine_error& conflict) {
    print_problems(state, conflict.problems());
    state.exit_code = exit_code::invalid_input;
    return;
  }
  std::vector<definition::backend_spec> used;
  for (const auto& [name, e] : service->current()->ensembles) {
    for (const auto& agent : e.agents) {
      used.push_back(agent.backend);
    }
  }
  if (!reach_authorities_or_report(state, service->engine(), node, used)) {
    return;
  }
  if (node && node->cluster.authority) {
    state.ctx.out << "tutti serve: shared groups from the authority "
                  << node->cluster.authority->text() << std::endl;
  }
  std::optional<cluster::published_authority> authority;
  if (!publish_authority(state, args, *service, authority)) {
    return;
  }
  std::optional<server::http_server> http;
  try {
    http.emplace(*service, args.http);
  } catch (const server::start_error& e) {
    state.ctx.err << "error: " << e.what() << '\n';
    state.exit_code = exit_code::invalid_input;
    return;
  }
  const bool is_ipv6 = args.http.host.find(':') != std::string::npos;
  state.ctx.out << "tutti serve listening on http://" << (is_ipv6 ? "[" : "") << args.http.host
                << (is_ipv6 ? "]" : "") << ":" << http->port()
                << " (dashboard at /, OpenAI-compatible at /v1); "
                << service->current()->ensembles.size()
                << " ensembles; SIGHUP reloads, Ctrl-C stops" << std::endl;
  constexpr int stopping[] = {SIGINT, SIGTERM};
  for (int s : stopping) {
    std::signal(s, on_stop);
  }
  std::signal(SIGHUP, on_reload);
  while (!stop_asked) {
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    if (reload_asked.exchange(false)) {
      report_reload(state, *service);
    }
  }
  // No new runs; those going are cancelled, keeping what finished, and their streams end
  // with the run; then the connections close.
  http->stop_accepting();
  const auto going = service->pending();
  service->shutdown();
  http->drain(std::chrono::seconds{2});
  http.reset();
  if (*writer) {
    (*writer)->flush();
    if (auto failure = (*writer)->failure()) {
      state.ctx.err << "warning: " << failure->message << "; runs are not kept in full\n";
    }
  }
  for (int s : stopping) {
    std::signal(s, SIG_DFL);
  }
  std::signal(SIGHUP, SIG_DFL);
  stop_asked = false;
  state.ctx.err << "tutti serve: stopped";
  if (going > 0) {
    state.ctx.err << " (" << going << " runs cancelled, what they finished kept)";
  }
  state.ctx.err << std::endl;
}

} // namespace

void add_serve_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand(
      "serve", "Serve ensembles over HTTP to many clients through one engine: the run API, an "
               "OpenAI-compatible endpoint (/v1/chat/completions) and a live dashboard (/)");
  auto args = std::make_shared<serve_arguments>();
  cmd->add_option("--host", args->http.host,
                  "Address to listen on; beyond loopback a token is required")
      ->capture_default_str();
  cmd->add_option("--port", args->http.port, "Port to listen on (0: any free port)")
      ->check(port_number())
      ->capture_default_str();
  cmd->add_option("--token-env", args->token_env,
                  "Environment variable holding the bearer token every request must carry");
  cmd->add_option("--max-pending-runs", args->service.max_pending_runs,
                  "Runs going at once; more are refused with 503 and Retry-After")
      ->check(number_from(1, 1'000'000))
      ->capture_default_str();
  add_store_options(cmd, args->store, true);
  auto* cluster_port =
      cmd->add_option("--cluster-port", args->cluster_port,
                      "Publish this server's resource groups to other nodes (tutti run/serve "
                      "--authority) on this port (0: any free port)")
          ->check(port_number());
  cmd->add_option("--cluster-host", args->cluster_host,
                  "Address the resource authority listens on (127.0.0.1); beyond loopback "
                  "--cluster-tls is required")
      ->needs(cluster_port);
  add_cluster_options(cmd, args->cluster);
  cmd->callback([&state, args] { serve(state, *args); });
}

} // namespace tutti::cli
