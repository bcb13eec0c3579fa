#include "http_loaded_models_probe.hpp"
#include "messages.hpp"
#include "resource_actor.hpp"
#include "run_actor.hpp"

#include <tutti/definition/server_url.hpp>
#include <tutti/engine/actors.hpp>
#include <tutti/engine/engine.hpp>
#include <tutti/engine/run_id.hpp>
#include <tutti/providers/http_client.hpp>
#include <tutti/providers/http_provider.hpp>
#include <tutti/providers/io_thread.hpp>
#include <tutti/providers/script_provider.hpp>
#include <tutti/resources/group_directory.hpp>
#include <tutti/resources/resource_group.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace tutti::engine {

engine_error::engine_error(definition::diagnostics problems)
    : std::runtime_error(problems.empty() ? std::string{"engine error"}
                                          : definition::to_string(problems.front())),
      problems_(std::move(problems)) {}

run_handle::run_handle(std::shared_future<run_result> result, std::function<void()> cancel)
    : result_(std::move(result)), cancel_(std::move(cancel)) {}

void run_handle::cancel() {
  cancel_();
}

const run_result& run_handle::wait() const {
  return result_.get();
}

const run_result* run_handle::wait_for(std::chrono::milliseconds timeout) const {
  if (result_.wait_for(timeout) != std::future_status::ready) {
    return nullptr;
  }
  return &result_.get();
}

namespace {

caf::actor_system_config& configured(caf::actor_system_config& cfg, const engine_options& options) {
  auto threads = options.worker_threads != 0
                     ? options.worker_threads
                     : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
  // Measured with 10,000 mock agents: work stealing spends its time in idle workers'
  // polling; a shared queue halves the engine's overhead per agent.
  cfg.set("scheduler.policy", caf::atom("sharing"));
  announce_message_types(cfg);
  if (options.configure_actor_system) {
    options.configure_actor_system(cfg);
  }
  return cfg;
}

} // namespace

// Members are ordered so that destruction is safe: the actor system (which waits for every
// actor) goes first, while the run registry, providers and io thread still exist.
struct engine::impl {
  impl(definition::config c, engine_options options)
      : config(std::move(c)), mock(std::make_shared<providers::mock_provider>(io)),
        environment(options.environment ? options.environment : definition::process_environment()),
        http(std::make_shared<providers::http_client>(io)),
        probe(options.loaded_models_probe ? options.loaded_models_probe
                                          : std::make_shared<http_loaded_models_probe>(http)),
        shared_groups(options.shared_groups), system(configured(system_config, options)) {
    providers.emplace("mock", mock);
    providers.emplace(std::string{definition::to_string(definition::provider_kind::process)},
                      std::make_shared<providers::script_provider>(io));
    engine_limit = spawn_cap("engine", config.limits.max_concurrent_llm_calls);
  }

  // A cap above the groups: the engine's max_concurrent_llm_calls, or one run's
  // max_concurrent_agents. The same actor as a group, without backoff or positions.
  resource_actor_type spawn_cap(std::string id, int limit) {
    resource_config cap;
    cap.group.id = std::move(id);
    cap.group.resource = definition::resource_class::remote_api;
    cap.group.limit = definition::concurrency_limit::at_most(limit);
    cap.has_backoff = false;
    cap.notifies_positions = false;
    cap.is_cap = true;
    return system.spawn(resource_actor, std::move(cap));
  }

  ~impl() {
    io.stop(); // no completion may reach an actor from here on
    std::lock_guard lock{mutex};
    for (auto& [id, run] : live_runs) {
      caf::anon_send(run, cancel_atom::value);
    }
    for (auto& [id, group] : groups) {
      caf::anon_send_exit(group, caf::exit_reason::user_shutdown);
    }
    caf::anon_send_exit(engine_limit, caf::exit_reason::user_shutdown);
  }

  void forget(std::uint64_t id) {
    std::lock_guard lock{mutex};
    live_runs.erase(id);
  }

  // The resource actor of the group a backend and model belong to, spawned on first use, and
  // the group's id.
  std::pair<std::string, resource_actor_type> group_for(const definition::backend_spec& backend,
                                                        const std::string& model) {
    std::lock_guard lock{mutex};
    auto group = directory.join(backend, model).group;
    auto found = groups.find(group.id);
    if (found != groups.end()) {
      return *found;
    }
    resource_actor_type actor;
    if (auto shared =
            shared_groups ? shared_groups->group_of(system, group, backend) : std::nullopt) {
      actor = caf::actor_cast<resource_actor_type>(*shared);
    } else {
      resource_config cfg;
      cfg.group = group;
      cfg.backend = backend;
      cfg.probe = probe;
      actor = system.spawn(resource_actor, std::move(cfg));
      own_groups.insert(group.id);
    }
    groups.emplace(group.id, actor);
    return {group.id, actor};
  }

  // An agent's provider, group and price, and those of its fallbacks (none for an agent that
  // runs an ensemble, whose nested runs have their own); and how a run starts nested runs.
  void bind(run_context& ctx) {
    ctx.started_at = utc_text(std::chrono::system_clock::now());
    ctx.start_nested = [this](nested_start start) { return start_nested(std::move(start)); };
    for (const auto& agent : ctx.ensemble.agents) {
      auto& routes = ctx.fallbacks.emplace_back();
      if (agent.nested) {
        ctx.providers.emplace_back();
        ctx.groups.emplace_back();
        ctx.resources.emplace_back();
        ctx.prices.emplace_back();
        continue;
      }
      ctx.providers.push_back(provider_for(agent.backend));
      auto [id, group] = group_for(agent.backend, agent.model);
      ctx.groups.push_back(std::move(id));
      ctx.resources.push_back(std::move(group));
      ctx.prices.push_back(definition::price_of(config.prices, agent.model));
      for (const auto& target : agent.fallbacks) {
        auto [fallback_id, fallback_group] = group_for(target.backend, target.model);
        routes.push_back({provider_for(target.backend), std::move(fallback_id),
                          std::move(fallback_group),
                          definition::price_of(config.prices, target.model)});
      }
    }
    std::lock_guard lock{mutex};
    for (const auto& id : ctx.groups) {
      if (!id.empty()) {
        ctx.spellings.emplace(id, directory.spellings(id));
      }
    }
    for (const auto& routes : ctx.fallbacks) {
      for (const auto& route : routes) {
        ctx.spellings.emplace(route.group, directory.spellings(route.group));
      }
    }
  }

  // The caps a run's requests ask once their group has admitted them: the run's own, those
  // `above` it (a nested run's parent's), then the engine's.
  void add_caps(run_context& ctx, const std::vector<caf::actor>& above) {
    // The run's own cap counts agents that hold a slot; it is asked after their group. A cap
    // that the run cannot reach (no more agents than it, none of which fans out into more
    // tasks or runs an ensemble) is not asked: it would cost every agent two messages for
    // nothing. Its row still shows in the statistics.
    const int run_cap =
        ctx.mode == run_mode::sequential ? 1 : std::max(ctx.max_concurrent_agents, 1);
    ctx.run_cap = caf::actor_cast<caf::actor>(spawn_cap("run", run_cap));
    const auto& agents = ctx.ensemble.agents;
    const bool multiplies = std::any_of(agents.begin(), agents.end(), [](const auto& agent) {
      return agent.fan_out.has_value() || agent.nested.has_value();
    });
    if (static_cast<std::size_t>(run_cap) < agents.size() || multiplies) {
      ctx.caps.push_back(ctx.run_cap);
    }
    if (above.empty()) {
      ctx.caps.push_back(caf::actor_cast<caf::actor>(engine_limit));
    } else {
      ctx.caps.insert(ctx.caps.end(), above.begin(), above.end());
    }
  }

  caf::actor start_nested(nested_start start) {
    const auto& parent = *start.parent;
    auto ctx = std::make_shared<run_context>();
    ctx->id = std::move(start.id);
    ctx->ensemble = std::move(start.ensemble);
    const auto left = start.deadline - std::chrono::steady_clock::now();
    ctx->ensemble.timeout = std::max(std::chrono::milliseconds{0},
                                     std::chrono::duration_cast<std::chrono::milliseconds>(left));
    ctx->deadline = start.deadline;
    ctx->input = std::move(start.input);
    ctx->mode = parent.mode;
    ctx->scheduling = ctx->ensemble.scheduling;
    ctx->max_concurrent_agents = ctx->ensemble.max_concurrent_agents;
    ctx->priority = parent.priority;
    ctx->include_prompts = parent.include_prompts;
    bind(*ctx);
    add_caps(*ctx, parent.caps);
    ctx->on_event = std::move(start.on_event);
    ctx->on_done = std::move(start.on_done);
    auto run = system.spawn(run_actor, std::shared_ptr<const run_context>{ctx});
    caf::anon_send(run, begin_atom::value);
    return run;
  }

  // A registered provider for the backend's protocol, else the built-in one: the mock, or
  // one HTTP provider per backend (it holds the backend's address and key).
  std::shared_ptr<providers::provider> provider_for(const definition::backend_spec& backend) {
    std::lock_guard lock{mutex};
    if (auto registered = providers.find(std::string{definition::to_string(backend.provider)});
        registered != providers.end()) {
      return registered->second;
    }
    auto& provider = http_providers[backend.name];
    if (!provider) {
      provider = std::make_shared<providers::http_provider>(backend, io, http, environment);
    }
    return provider;
  }

  // Asks a group, then the engine's cap, whether it would admit a request now, blocking; for
  // callers outside.
  bool can_run_now(const resource_actor_type& group) {
    caf::scoped_actor self{system};
    bool can_run = true;
    for (const auto& gate : {group, engine_limit}) {
      self->request(gate, std::chrono::seconds{5}, can_run_atom::value)
          .receive([&](bool answer) { can_run = can_run && answer; },
                   [&](caf::error&) { can_run = false; });
    }
    return can_run;
  }

  definition::config config;
  providers::io_thread io;
  std::shared_ptr<providers::mock_provider> mock;
  definition::environment environment; // where API keys come from
  std::shared_ptr<providers::http_client> http;
  std::shared_ptr<resources::loaded_models_probe> probe;
  std::map<std::string, std::shared_ptr<providers::provider>> providers;      // by protocol name
  std::map<std::string, std::shared_ptr<providers::provider>> http_providers; // by backend
  std::mutex mutex;
  std::map<std::uint64_t, caf::actor> live_runs;
  std::map<std::string, resource_actor_type> groups; // by group id
  std::set<std::string> own_groups;                  // those not held by another engine
  std::shared_ptr<group_source> shared_groups;
  resources::group_directory directory; // the backends and spellings of every group
  std::uint64_t next_run_id = 0;
  caf::actor_system_config system_config;
  caf::actor_system system;
  resource_actor_type engine_limit; // max_concurrent_llm_calls, the last cap of every request
};

engine::engine(definition::config config, engine_options options)
    : impl_(std::make_unique<impl>(std::move(config), options)) {}

engine::~engine() = default;

void engine::register_provider(const std::string& provider_name,
                               std::shared_ptr<providers::provider> provider) {
  impl_->providers.insert_or_assign(provider_name, std::move(provider));
}

definition::diagnostics engine::check(const definition::resolved_ensemble& e) const {
  resources::group_directory directory;
  {
    std::lock_guard lock{impl_->mutex};
    directory = impl_->directory;
  }
  return resources::conflicting_limits(e, directory);
}

run_handle engine::start(definition::resolved_ensemble e, std::string input, run_options options,
                         event_callback on_event) {
  if (auto problems = check(e); !problems.empty()) {
    throw engine_error(std::move(problems));
  }
  auto ctx = std::make_shared<run_context>();
  ctx->id = options.id.empty() ? new_run_id() : std::move(options.id);
  // Moved, not copied: a caller done with its ensemble does not keep a second one alive.
  ctx->ensemble = std::move(e);
  ctx->input = std::move(input);
  ctx->mode = options.mode;
  ctx->scheduling = options.scheduling.value_or(ctx->ensemble.scheduling);
  ctx->max_concurrent_agents =
      options.max_concurrent_agents.value_or(ctx->ensemble.max_concurrent_agents);
  ctx->priority = options.priority.value_or(definition::default_priority);
  impl_->bind(*ctx);
  for (std::size_t i = 0; i < ctx->ensemble.agents.size() && !options.reuse.empty(); ++i) {
    if (auto earlier = options.reuse.find(ctx->ensemble.agents[i].name);
        earlier != options.reuse.end()) {
      ctx->reuse.emplace(i, earlier->second);
    }
  }
  ctx->resumed_from = std::move(options.resumed_from);
  ctx->include_prompts = options.include_prompts;
  ctx->max_cost_usd = options.max_cost_usd;
  ctx->observer = std::move(options.observer);
  ctx->on_event = std::move(on_event);
  impl_->add_caps(*ctx, {});
  ctx->deadline = std::chrono::steady_clock::now() + ctx->ensemble.timeout;
  if (ctx->observer) {
    // Told here, before start() returns, so that whoever started the run can show it at once.
    ctx->observer->run_started(skeleton(*ctx));
  }
  auto promise = std::make_shared<std::promise<run_result>>();
  std::shared_future<run_result> future = promise->get_future().share();

  std::lock_guard lock{impl_->mutex}; // held until registered, so forget() comes after
  const auto id = impl_->next_run_id++;
  ctx->on_done = [promise, impl = impl_.get(), id](run_result r) {
    promise->set_value(std::move(r));
    impl->forget(id);
  };
  auto run = impl_->system.spawn(run_actor, std::shared_ptr<const run_context>{ctx});
  impl_->live_runs.emplace(id, run);
  caf::anon_send(run, begin_atom::value);
  return run_handle{future, [run] { caf::anon_send(run, cancel_atom::value); }};
}

run_result engine::run(definition::resolved_ensemble e, std::string input, run_options options,
                       event_callback on_event) {
  return start(std::move(e), std::move(input), std::move(options), std::move(on_event)).wait();
}

providers::mock_provider::statistics engine::mock_statistics() const {
  return impl_->mock->stats();
}

namespace {

// Asks one resource actor for its statistics, blocking; for callers outside the engine.
resources::group_statistics ask_statistics(caf::scoped_actor& self,
                                           const resource_actor_type& group) {
  resources::group_statistics s;
  self->request(group, std::chrono::seconds{5}, stats_atom::value)
      .receive([&](resources::group_statistics& answer) { s = std::move(answer); },
               [](caf::error&) {});
  return s;
}

} // namespace

resource_statistics engine::statistics() const {
  std::map<std::string, resource_actor_type> groups;
  resources::group_directory directory;
  {
    std::lock_guard lock{impl_->mutex};
    groups = impl_->groups;
    directory = impl_->directory;
  }
  caf::scoped_actor self{impl_->system};
  resource_statistics out;
  for (const auto& [id, group] : groups) {
    out.groups.push_back(ask_statistics(self, group));
    out.groups.back().spellings = directory.spellings(id);
    out.pending += out.groups.back().pending;
  }
  out.engine_limit = ask_statistics(self, impl_->engine_limit);
  out.active = out.engine_limit.active;
  out.pending += out.engine_limit.pending;
  return out;
}

void engine::prepare(const definition::resolved_ensemble& e) {
  if (auto problems = check(e); !problems.empty()) {
    throw engine_error(std::move(problems));
  }
  definition::for_each_caller(e, [&](const definition::resolved_agent& agent) {
    impl_->group_for(agent.backend, agent.model);
  });
}

bool engine::set_group_limit(const std::string& group_id, definition::concurrency_limit limit) {
  resource_actor_type group;
  {
    std::lock_guard lock{impl_->mutex};
    auto found = impl_->groups.find(group_id);
    if (auto url = definition::parse_server_url(group_id); found == impl_->groups.end() && url) {
      found = impl_->groups.find(url->identity()); // another spelling of the server's address
    }
    if (found == impl_->groups.end()) {
      return false;
    }
    group = found->second;
  }
  caf::anon_send(group, limit_atom::value, limit.is_unlimited(),
                 static_cast<std::int32_t>(limit.max()));
  return true;
}

bool engine::can_run_immediately(const std::string& backend, const std::string& model) const {
  auto spec = impl_->config.backends.find(backend);
  if (spec == impl_->config.backends.end()) {
    return false;
  }
  return impl_->can_run_now(impl_->group_for(spec->second, model).second);
}

bool engine::can_run_immediately(const std::string& profile) const {
  auto p = impl_->config.profiles.find(profile);
  if (p == impl_->config.profiles.end()) {
    return false;
  }
  auto backend = definition::target_backend(p->second.settings, impl_->config);
  if (!backend) {
    return false;
  }
  return impl_->can_run_now(
      impl_->group_for(*backend, p->second.settings.model.value_or("mock")).second);
}

std::optional<caf::actor> own_group_actor(engine& e, const std::string& server,
                                          const std::string& model) {
  auto url = definition::parse_server_url(server);
  if (!url) {
    return std::nullopt;
  }
  for (const auto& [name, backend] : e.impl_->config.backends) {
    auto where = definition::parse_server_url(backend.base_url);
    const bool is_per_model = backend.exclusive == definition::exclusivity::model;
    if (!where || where->identity() != url->identity() || is_per_model == model.empty()) {
      continue;
    }
    auto [id, group] = e.impl_->group_for(backend, model);
    std::lock_guard lock{e.impl_->mutex};
    if (e.impl_->own_groups.count(id) == 0) {
      return std::nullopt;
    }
    return caf::actor_cast<caf::actor>(group);
  }
  return std::nullopt;
}

caf::actor_system& actor_system_of(engine& e) {
  return e.impl_->system;
}

} // namespace tutti::engine
