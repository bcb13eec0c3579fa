#include "run_actor.hpp"

#include "llm_orc_output.hpp"
#include "phase_actor.hpp"
#include "task_key.hpp"

#include <tutti/definition/agent_output.hpp>
#include <tutti/definition/prompt_template.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <variant>

namespace tutti::engine {
namespace {

using run_self = caf::stateful_actor<run_state>*;

double elapsed_ms(run_self self) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                   self->state.started_at)
      .count();
}

// The result of a task: an agent's, or one of a fan-out agent's instances'.
agent_result& result_of(run_self self, std::uint64_t task) {
  auto& a = self->state.result.agents[agent_of(task)];
  const auto instance = instance_of(task);
  return instance ? a.instances[*instance] : a;
}

void emit(run_self self, run_event&& event, std::uint64_t task) {
  const auto& ctx = *self->state.ctx;
  if (ctx.on_event) {
    event.agent = result_of(self, task).name;
    event.at_ms = elapsed_ms(self);
    ctx.on_event(event);
  }
}

void emit(run_self self, run_event_kind kind, std::uint64_t task,
          agent_status status = agent_status::success) {
  run_event event;
  event.kind = kind;
  event.status = status;
  emit(self, std::move(event), task);
}

// An agent's result is final: the run's listeners hear of it.
void conclude(run_self self, std::size_t agent) {
  const auto& a = self->state.result.agents[agent];
  emit(self, run_event_kind::finished, agent, a.status);
  if (const auto& observer = self->state.ctx->observer) {
    observer->agent_finished(self->state.result, agent);
  }
}

} // namespace

run_result skeleton(const run_context& ctx) {
  run_result r;
  const auto& e = ctx.ensemble;
  r.id = ctx.id;
  r.resumed_from = ctx.resumed_from;
  r.ensemble = e.name;
  r.started_at = ctx.started_at;
  r.max_cost_usd = ctx.max_cost_usd;
  r.input = ctx.input;
  r.mode = ctx.mode;
  r.scheduling = ctx.scheduling;
  // True to the mode: a sequential run has one agent in flight whatever the cap says.
  r.max_concurrent_agents = ctx.mode == run_mode::sequential ? 1 : ctx.max_concurrent_agents;
  for (const auto& phase : e.phases) {
    auto& names = r.phases.emplace_back();
    for (auto i : phase) {
      names.push_back(e.agents[i].name);
    }
  }
  r.agents.reserve(e.agents.size());
  for (std::size_t i = 0; i < e.agents.size(); ++i) {
    const auto& agent = e.agents[i];
    agent_result a;
    a.name = agent.name;
    if (agent.nested) {
      a.ensemble = agent.nested->body->name; // it calls no model itself
    } else {
      a.profile = agent.profile;
      a.provider = std::string{definition::to_string(agent.backend.provider)};
      a.model = agent.model;
      a.backend = agent.backend.name;
      a.group = ctx.groups[i];
    }
    a.phase = agent.phase;
    a.depends_on = agent.depends_on;
    if (agent.fan_out) {
      a.fan_out = agent.depends_on[*agent.fan_out];
    }
    r.agents.push_back(std::move(a));
  }
  return r;
}

namespace {

bool has_output(const agent_result& a) {
  return a.status == agent_status::success || a.status == agent_status::partial;
}

// What a condition reads of an agent's result: its status, and its output when it has one.
definition::dependency_view view_of(const agent_result& a) {
  return {to_string(a.status), has_output(a) ? std::string_view{a.response} : std::string_view{}};
}

// What a dependant sees of a dependency: its output, or in its place what went wrong. An
// instance of a fan-out agent sees its item in place of the output it was split from.
std::string output_of(const definition::resolved_agent& agent, std::size_t d, const agent_result& a,
                      const std::string* item) {
  if (item != nullptr && agent.fan_out == d) {
    return *item;
  }
  if (has_output(a)) {
    return a.response;
  }
  return "(" + std::string{to_string(a.status)} + ": " + a.error + ")";
}

// What a script agent with script_input = "json" reads: the run's input, each dependency's
// result (as `response` too, the field llm-orc's scripts read), its parameters and an empty
// context (llm-orc's). A dependency's output is its JSON when it is JSON, else its text.
std::string script_input_json(run_self self, const definition::resolved_agent& agent,
                              const std::vector<std::string>& outputs) {
  auto dependencies = nlohmann::json::object();
  for (std::size_t d = 0; d < agent.dependency_indices.size(); ++d) {
    const auto& dep = self->state.result.agents[agent.dependency_indices[d]];
    auto output = nlohmann::json(nullptr);
    if (has_output(dep)) {
      output = definition::json_or_text(outputs[d]);
    }
    dependencies[agent.depends_on[d]] = {
        {"status", to_string(dep.status)},
        {"output", output},
        {"response", has_output(dep) ? nlohmann::json(outputs[d]) : nlohmann::json(nullptr)},
        {"error", dep.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(dep.error)}};
  }
  return definition::json_text({{"agent", agent.name},
                                {"input", self->state.ctx->input},
                                {"dependencies", std::move(dependencies)},
                                {"parameters", agent.parameters.value_or(nlohmann::json::object())},
                                {"context", nlohmann::json::object()}});
}

// An agent whose input_key names no field of its first dependency's output fails, saying why.
agent_outcome input_key_failure(const definition::resolved_agent& agent, const std::string& why) {
  return unsent_outcome(agent_status::failed, providers::call_errc::input_key_failed,
                        "input_key: '" + *agent.input_key + "' of the output of '" +
                            agent.depends_on[0] + "': " + why);
}

// The prompt of an agent (or of an instance, given its item) about to start, or, when it
// would be too large, why not. Measured before it is built: a template can multiply its input
// many times over.
std::variant<std::string, agent_outcome> prompt_for(run_self self, std::size_t index,
                                                    const std::string* item = nullptr) {
  const auto& agent = self->state.ctx->ensemble.agents[index];
  std::vector<std::string> outputs; // what it is given of each dependency
  for (std::size_t d = 0; d < agent.dependency_indices.size(); ++d) {
    outputs.push_back(
        output_of(agent, d, self->state.result.agents[agent.dependency_indices[d]], item));
  }
  // input_key picks a field of the first dependency's output; an instance's item was picked
  // from that field already, when that is the dependency it splits.
  const bool picks = agent.input_key && !agent.dependency_indices.empty() &&
                     !(item != nullptr && agent.fan_out == 0u) &&
                     has_output(self->state.result.agents[agent.dependency_indices[0]]);
  if (picks) {
    auto picked = definition::pick_field(outputs[0], *agent.input_key);
    if (!picked.found) {
      return input_key_failure(agent, picked.text);
    }
    outputs[0] = std::move(picked.text);
  }
  if (agent.script_input_kind == definition::script_input::json) {
    return script_input_json(self, agent, outputs);
  }
  std::map<std::string, std::string> named;
  for (std::size_t d = 0; d < outputs.size(); ++d) {
    named.emplace(agent.depends_on[d], std::move(outputs[d]));
  }
  // Without a template, an instance's item is its input, and its other dependencies follow.
  std::string_view input = self->state.ctx->input;
  const auto* headings = &agent.depends_on;
  std::vector<std::string> others;
  if (item != nullptr && !agent.prompt) {
    input = *item;
    others = agent.depends_on;
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(*agent.fan_out));
    headings = &others;
  }
  const auto size = definition::rendered_prompt_size(agent.prompt, input, *headings, named);
  if (size > definition::max_prompt_bytes) {
    return unsent_outcome(agent_status::failed, providers::call_errc::too_large,
                          "the prompt would be " + std::to_string(size) +
                              " bytes with the input and dependencies' outputs put in, over the "
                              "limit of " +
                              std::to_string(definition::max_prompt_bytes) + " bytes");
  }
  return definition::render_prompt(agent.prompt, input, *headings, named);
}

// A task has called its model (or started its nested run): told once, with how long it waited.
void mark_started(run_self self, std::uint64_t task) {
  const auto asked = self->state.asked_ms[agent_of(task)];
  auto& a = result_of(self, task);
  a.started_ms = elapsed_ms(self);
  a.queued_ms = *a.started_ms - asked;
  emit(self, run_event_kind::started, task);
  // A fan-out agent starts with its first instance.
  if (auto& agent = self->state.result.agents[agent_of(task)]; !agent.started_ms) {
    agent.started_ms = a.started_ms;
    agent.queued_ms = a.queued_ms;
    emit(self, run_event_kind::started, task_key(agent_of(task)));
  }
}

caf::actor& phase_for(run_self self, std::size_t phase) {
  auto& phases = self->state.phases;
  if (phases.size() <= phase) {
    phases.resize(phase + 1);
  }
  if (!phases[phase]) {
    phases[phase] = self->spawn(phase_actor, self->state.ctx, caf::actor_cast<caf::actor>(self));
  }
  return phases[phase];
}

void deliver(run_self self) {
  auto& result = self->state.result;
  for (auto& group : result.resources) {
    if (auto found = self->state.ctx->spellings.find(group.id);
        found != self->state.ctx->spellings.end()) {
      group.spellings = found->second;
    }
  }
  std::sort(result.resources.begin(), result.resources.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  // The run's own cap first, then the engine's.
  std::sort(result.caps.begin(), result.caps.end(),
            [](const auto& a, const auto& b) { return a.id > b.id; });
  if (const auto& observer = self->state.ctx->observer) {
    observer->run_finished(result);
  }
  self->send_exit(self->state.ctx->run_cap, caf::exit_reason::user_shutdown);
  self->state.ctx->on_done(std::move(result));
  self->quit();
}

// Ends the run: stops its phases, then asks its groups for their statistics, which the
// result carries, and delivers it.
// Asks each actor for its statistics, into the result's caps or resources, then `done`.
void collect_statistics(run_self self, std::vector<resource_actor_type> actors, bool are_caps,
                        std::function<void()> done) {
  if (actors.empty()) {
    done();
    return;
  }
  self->state.statistics_due = actors.size();
  auto finished = std::make_shared<std::function<void()>>(std::move(done));
  auto answered = [=] {
    if (--self->state.statistics_due == 0) {
      (*finished)();
    }
  };
  for (const auto& actor : actors) {
    self->request(actor, std::chrono::seconds{5}, stats_atom::value)
        .then(
            [=](resources::group_statistics& s) {
              auto& into = are_caps ? self->state.result.caps : self->state.result.resources;
              into.push_back(std::move(s));
              answered();
            },
            [=](caf::error&) { answered(); });
  }
}

// Ends the phases' coordinators, and with them their agents and the calls they make.
void stop_phases(run_self self) {
  for (auto& phase : self->state.phases) {
    if (phase) {
      self->send_exit(phase, caf::exit_reason::user_shutdown);
      phase = nullptr;
    }
  }
}

void finish_run(run_self self, std::optional<run_status> forced) {
  auto& st = self->state;
  stop_phases(self);
  st.result.elapsed_ms = elapsed_ms(self);
  st.result.status = forced.value_or(status_of(st.result.agents));
  // From here on only the statistics' answers matter; late agent messages are dropped.
  self->set_default_handler(caf::drop);
  self->become([](deadline_atom) {});
  std::set<resource_actor_type> groups(st.ctx->resources.begin(), st.ctx->resources.end());
  for (const auto& routes : st.ctx->fallbacks) {
    for (const auto& route : routes) {
      groups.insert(route.resource);
    }
  }
  std::set<caf::actor> caps(st.ctx->caps.begin(), st.ctx->caps.end());
  caps.insert(st.ctx->run_cap);
  std::vector<resource_actor_type> asked;
  for (const auto& cap : caps) {
    asked.push_back(caf::actor_cast<resource_actor_type>(cap));
  }
  // The groups first, then the caps: a group gives the caps their slots back as it takes the
  // last release, before it answers, so the caps asked after every group has answered count
  // that release too (asked together, a cap could answer one release short).
  collect_statistics(self, {groups.begin(), groups.end()}, false, [self, asked] {
    collect_statistics(self, asked, true, [self] { deliver(self); });
  });
}

void record_skips(run_self self, const std::vector<run_schedule::skipped_agent>& skipped) {
  for (const auto& s : skipped) {
    auto& a = self->state.result.agents[s.agent];
    a.status = agent_status::skipped;
    a.error = s.reason;
    conclude(self, s.agent);
  }
}

// Skips a ready agent: its dependants follow their on_dependency_failure. What a condition
// skips, with the dependants skipped because of it, was not needed rather than failed.
void skip(run_self self, std::size_t index, std::string reason, bool by_condition = false) {
  auto& st = self->state;
  auto& a = st.result.agents[index];
  a.status = agent_status::skipped;
  a.error = std::move(reason);
  a.skipped_by_condition = by_condition;
  conclude(self, index);
  const auto dependants = st.schedule->finish(index, a.status);
  for (const auto& d : dependants) {
    st.result.agents[d.agent].skipped_by_condition = by_condition;
  }
  record_skips(self, dependants);
}

// Takes an earlier run's result for a ready agent instead of calling it. Its timings are
// this run's: it spent no time.
void reuse(run_self self, std::size_t index) {
  auto& a = self->state.result.agents[index];
  const auto& earlier = self->state.ctx->reuse.at(index);
  a.status = agent_status::success;
  a.response = earlier.response;
  a.usage = earlier.usage;
  a.cost_usd = earlier.cost_usd; // spent by the earlier run, not this one
  a.attempts = earlier.attempts;
  a.instances = earlier.instances;
  a.runs = earlier.runs;
  for (auto& instance : a.instances) {
    instance.reused = true;
  }
  a.reused = true;
  conclude(self, index);
  record_skips(self, self->state.schedule->finish(index, a.status));
}

// Why the run's cost limit does not let a ready task start; nullopt when it does.
std::optional<std::string> over_cost(run_self self, std::uint64_t task, const std::string& prompt) {
  auto& st = self->state;
  if (!st.budget->is_limited()) {
    return std::nullopt; // no estimate to make for every agent of every run without a limit
  }
  const auto index = agent_of(task);
  const auto& agent = st.ctx->ensemble.agents[index];
  constexpr std::int64_t default_max_tokens = 1024;
  const auto estimate =
      cost_budget::estimate(st.ctx->prices[index], prompt.size() + agent.system_prompt.size(),
                            agent.max_tokens.value_or(default_max_tokens));
  const auto admission = st.budget->admit(task, estimate);
  if (admission == cost_budget::admission::admitted) {
    return std::nullopt;
  }
  char limit[200];
  if (admission == cost_budget::admission::over_limit) {
    std::snprintf(limit, sizeof limit,
                  "cost limit: $%.6f spent and $%.6f estimated for agents running; this one "
                  "(about $%.6f) would pass $%.6f",
                  st.budget->spent_usd(), st.budget->in_flight_usd(), estimate,
                  st.ctx->max_cost_usd.value_or(0.0));
  } else {
    std::snprintf(limit, sizeof limit,
                  "cost limit: an agent before it would have passed $%.6f, and the run admits "
                  "no more",
                  st.ctx->max_cost_usd.value_or(0.0));
  }
  return std::string{limit};
}

// Whether a ready agent's condition holds on its dependencies' results; if not, it is skipped.
bool admit_by_condition(run_self self, std::size_t index) {
  auto& st = self->state;
  const auto& agent = st.ctx->ensemble.agents[index];
  if (!agent.when) {
    return true;
  }
  const auto dependency = [&](std::string_view name) -> std::optional<definition::dependency_view> {
    for (std::size_t k = 0; k < agent.depends_on.size(); ++k) {
      if (agent.depends_on[k] == name) {
        return view_of(st.result.agents[agent.dependency_indices[k]]);
      }
    }
    return std::nullopt;
  };
  if (agent.when->holds(dependency)) {
    return true;
  }
  skip(self, index, "condition false: " + agent.when->text(), true);
  return false;
}

// Starts the next run of the ensemble a task runs (its first, or a loop's next iteration),
// given `input`, on the same engine. Its events and its result come back as nested_atom.
void run_nested(run_self self, std::uint64_t task, std::string input) {
  auto& st = self->state;
  const auto& agent = st.ctx->ensemble.agents[agent_of(task)];
  auto& progress = st.nested[task];
  ++progress.iteration;
  progress.started_ms = elapsed_ms(self);
  nested_start start;
  start.ensemble = *agent.nested->body;
  start.id = st.ctx->id + "/" + result_of(self, task).name +
             (agent.nested->is_loop ? "/" + std::to_string(progress.iteration) : "");
  start.input = std::move(input);
  // Each run ends at its own ensemble's deadline too (a loop's: each iteration's).
  start.deadline =
      std::min(progress.deadline, std::chrono::steady_clock::now() + agent.nested->body->timeout);
  start.parent = st.ctx.get();
  auto me = caf::actor_cast<caf::actor>(self);
  if (st.ctx->on_event) {
    start.on_event = [me, task](const run_event& e) {
      caf::anon_send(me, nested_atom::value, task, e);
    };
  }
  start.on_done = [me, task](run_result r) {
    caf::anon_send(me, nested_atom::value, task,
                   std::shared_ptr<const run_result>{std::make_shared<run_result>(std::move(r))});
  };
  progress.run = st.ctx->start_nested(std::move(start));
}

// A task that runs an ensemble starts at once: it holds no slot, its nested agents do.
void start_nested(run_self self, std::uint64_t task, std::string input) {
  auto& st = self->state;
  const auto& agent = st.ctx->ensemble.agents[agent_of(task)];
  auto& progress = st.nested[task];
  progress.deadline = st.ctx->deadline;
  if (agent.nested->timeout) {
    progress.deadline =
        std::min(progress.deadline, std::chrono::steady_clock::now() + *agent.nested->timeout);
  }
  progress.input = input;
  mark_started(self, task); // now, so that a cancel already on its way finds it started
  run_nested(self, task, std::move(input));
}

// What a loop's `until` and `carry` read of an iteration: its agents, and its final output as
// `output` unless an agent has that name.
std::optional<definition::dependency_view>
body_result(const run_result& r, const std::optional<std::string>& output, std::string_view name) {
  if (const auto* a = r.find(name)) {
    return view_of(*a);
  }
  if (name == definition::body_output_name) {
    return definition::dependency_view{output ? "success" : "failed",
                                       output ? std::string_view{*output} : std::string_view{}};
  }
  return std::nullopt;
}

// The input of a loop's next iteration: the loop's own input with the carried values after it
// (each under its name, as dependencies' outputs are), or the one carried value in its place.
// A carried value that is not there (null, or from an agent that failed) is left out; with
// none, the input is the loop's own.
std::string next_input(
    const definition::nested_ensemble& loop, const nested_progress& progress,
    const std::function<std::optional<definition::dependency_view>(std::string_view)>& results) {
  std::vector<std::string> names;
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : loop.carry) {
    if (auto text = value->value_text(results)) {
      if (loop.carry_replaces_input) {
        return *text;
      }
      names.push_back(name);
      values.emplace(name, std::move(*text));
    }
  }
  return definition::render_prompt(std::nullopt, progress.input, names, values);
}

// What an agent's nested runs used, summed over their agents.
providers::token_usage nested_usage(const std::vector<nested_run>& runs) {
  providers::token_usage sum;
  for (const auto& run : runs) {
    for (const auto& a : run.agents) {
      sum.add(a.usage);
    }
  }
  return sum;
}

// What the agent's runs came to: the last one's final output, usage summed over them all.
agent_outcome nested_outcome(const run_result& last, std::optional<std::string> output,
                             const std::string& why, const std::vector<nested_run>& runs) {
  agent_outcome outcome;
  const auto usage = nested_usage(runs);
  outcome.input_tokens = count_on_wire(usage.input_tokens);
  outcome.output_tokens = count_on_wire(usage.output_tokens);
  outcome.attempts = static_cast<std::int32_t>(runs.size());
  if (output) {
    outcome.status = agent_status::success;
    outcome.code = providers::call_errc::none;
    outcome.response = std::move(*output);
    return outcome;
  }
  const bool timed_out = last.status == run_status::timeout;
  outcome.status = timed_out ? agent_status::timeout : agent_status::failed;
  outcome.code = timed_out ? providers::call_errc::timeout : providers::call_errc::nested_failed;
  outcome.error = why;
  return outcome;
}

// Hands a ready task to its phase with its prompt; false, and the task ends with the reason, when
// its prompt is too large or the cost limit refuses it.
bool hand_over(run_self self, std::uint64_t task, std::variant<std::string, agent_outcome> prompt,
               std::map<std::size_t, agent_batch>& batches) {
  auto& st = self->state;
  if (auto* refused = std::get_if<agent_outcome>(&prompt)) {
    self->send(self, finished_atom::value, task, std::move(*refused));
    return true;
  }
  auto& text = std::get<std::string>(prompt);
  if (auto why = over_cost(self, task, text)) {
    if (!instance_of(task)) {
      skip(self, agent_of(task), std::move(*why));
      return false;
    }
    self->send(self, finished_atom::value, task,
               unsent_outcome(agent_status::skipped, providers::call_errc::none, std::move(*why)));
    return true;
  }
  if (st.ctx->include_prompts) {
    result_of(self, task).prompt = text;
  }
  st.asked_ms[agent_of(task)] = elapsed_ms(self);
  if (st.ctx->ensemble.agents[agent_of(task)].nested) {
    start_nested(self, task, std::move(text));
    return true;
  }
  auto& batch = batches[st.ctx->ensemble.agents[agent_of(task)].phase];
  batch.agents.push_back(task);
  batch.prompts.push_back(std::move(text));
  return true;
}

// A fan-out agent whose instances have all finished: their outputs gathered in item order,
// with null for each that did not succeed; success when all did, failed when none did, else
// partial. Its dependants may start.
void gather(run_self self, std::size_t index) {
  auto& st = self->state;
  auto& a = st.result.agents[index];
  auto outputs = nlohmann::json::array();
  std::size_t failed = 0;
  std::string failures;
  constexpr std::size_t failures_told = 3;
  providers::token_usage usage;
  a.attempts = 0;
  for (const auto& instance : a.instances) {
    if (instance.status == agent_status::success) {
      outputs.push_back(definition::json_or_text(instance.response));
    } else {
      outputs.push_back(nullptr);
      if (failed < failures_told) {
        failures += (failed == 0 ? "" : "; ") + instance.name + " " +
                    std::string{to_string(instance.status)} + ": " + instance.error;
      }
      if (failed == 0) {
        a.error_code = instance.error_code;
      }
      ++failed;
    }
    usage.add(instance.usage);
    if (instance.cost_usd) {
      a.cost_usd = a.cost_usd.value_or(0.0) + *instance.cost_usd;
    }
    a.attempts += instance.attempts;
  }
  const auto count = a.instances.size();
  a.status = failed == 0       ? agent_status::success
             : failed == count ? agent_status::failed
                               : agent_status::partial;
  if (a.status != agent_status::failed) {
    a.error_code.reset();
  }
  if (failed > 0) {
    a.error =
        std::to_string(failed) + " of " + std::to_string(count) +
        " instances did not succeed: " + failures +
        (failed > failures_told ? "; and " + std::to_string(failed - failures_told) + " more" : "");
  }
  // json_text: a throw here would end the run actor with nobody told.
  a.response = definition::json_text(outputs);
  a.usage = usage;
  const auto now = elapsed_ms(self);
  if (a.instances.empty()) { // no items: done at once, having called nothing
    a.started_ms = now;
    a.usage = {0, 0};
  }
  a.finished_ms = now;
  a.duration_ms = now - a.started_ms.value_or(now);
  conclude(self, index);
  record_skips(self, st.schedule->finish(index, a.status));
}

// Splits the output of a ready fan-out agent's dependency into items and hands each to an
// instance of its own, AGENT[i]. Returns true when the agent ended here at once (no items, or
// a dependency with no output), which may have made others ready.
bool expand(run_self self, std::size_t index, std::map<std::size_t, agent_batch>& batches) {
  auto& st = self->state;
  const auto& agent = st.ctx->ensemble.agents[index];
  auto& a = st.result.agents[index];
  const auto& source = st.result.agents[agent.dependency_indices[*agent.fan_out]];
  if (!has_output(source)) {
    skip(self, index,
         "fan_out: dependency '" + a.fan_out + "' " + std::string{to_string(source.status)} +
             ", so there are no items to run on");
    return true;
  }
  // With input_key on the dependency it splits, the items are that field's.
  std::string_view splits = source.response;
  std::string picked;
  if (agent.input_key && agent.fan_out == 0u) {
    auto field = definition::pick_field(source.response, *agent.input_key);
    if (!field.found) {
      self->send(self, finished_atom::value, task_key(index), input_key_failure(agent, field.text));
      return false;
    }
    picked = std::move(field.text);
    splits = picked;
  }
  auto split = definition::fan_out_items(splits);
  if (auto* why = std::get_if<std::string>(&split)) {
    self->send(self, finished_atom::value, task_key(index),
               unsent_outcome(agent_status::failed, providers::call_errc::fan_out_failed,
                              "fan_out: cannot split the output of '" + a.fan_out +
                                  "' into items: " + *why));
    return false;
  }
  const auto& items = std::get<std::vector<std::string>>(split);
  if (items.empty()) {
    gather(self, index);
    return true;
  }
  // Each instance starts as the agent did; made once, before the agent has any instance to
  // copy along.
  auto blank = a;
  blank.status = agent_status::pending;
  blank.fan_out.clear();
  a.instances.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto& instance = a.instances.emplace_back(blank);
    instance.name = a.name + "[" + std::to_string(i) + "]";
  }
  st.instances_left[index] = items.size();
  for (std::size_t i = 0; i < items.size(); ++i) {
    emit(self, run_event_kind::queued, task_key(index, i));
    hand_over(self, task_key(index, i), prompt_for(self, index, &items[i]), batches);
  }
  return false;
}

void dispatch(run_self self) {
  auto& st = self->state;
  if (st.schedule->is_done()) {
    finish_run(self, std::nullopt);
    return;
  }
  // Every ready agent goes to its phase's coordinator, which holds the cap: all of a phase's
  // in one message, so that it can start them in priority order.
  std::map<std::size_t, agent_batch> batches;
  bool reused_any = false; // or skipped: either may have made others ready
  for (auto index : st.schedule->next_ready()) {
    if (st.ctx->reuse.count(index) != 0) {
      reuse(self, index);
      reused_any = true;
      continue;
    }
    if (!admit_by_condition(self, index)) {
      reused_any = true;
      continue;
    }
    if (st.ctx->ensemble.agents[index].fan_out) {
      reused_any = expand(self, index, batches) || reused_any;
      continue;
    }
    if (!hand_over(self, task_key(index), prompt_for(self, index), batches)) {
      reused_any = true;
    }
  }
  for (auto& [phase, batch] : batches) {
    self->send(phase_for(self, phase), begin_atom::value, std::move(batch));
  }
  if (reused_any) {
    dispatch(self); // what the reused agents made ready
  }
}

// Which models an agent with fallbacks tried (`fallen` from, then the last one) into its
// result, which names the last; returns that one (0: its own, k: its fallback k - 1).
std::size_t record_fallbacks(const run_context& ctx, std::size_t index,
                             const agent_outcome& outcome, const std::vector<fallen_from>& fallen,
                             agent_result& a) {
  const auto& agent = ctx.ensemble.agents[index];
  const auto tried = [&](std::size_t target, agent_status status,
                         std::optional<providers::call_errc> code, std::string error,
                         int attempts) {
    profile_attempt p;
    if (target == 0) {
      p.profile = agent.profile;
      p.provider = definition::to_string(agent.backend.provider);
      p.model = agent.model;
    } else {
      const auto& fallback = agent.fallbacks[target - 1];
      p.profile = fallback.profile;
      p.provider = definition::to_string(fallback.backend.provider);
      p.model = fallback.model;
    }
    p.status = status;
    p.error_code = code;
    p.error = std::move(error);
    p.attempts = attempts;
    a.profile_attempts.push_back(std::move(p));
  };
  a.profile_attempts.clear();
  int earlier_attempts = 0;
  std::string earlier_errors;
  for (const auto& f : fallen) {
    tried(static_cast<std::size_t>(f.target), status_of(f.code), f.code, f.error, f.attempts);
    earlier_attempts += f.attempts;
    const auto& p = a.profile_attempts.back();
    earlier_errors +=
        "; before, " + (p.profile.empty() ? p.model : "profile " + p.profile) + ": " + f.error;
  }
  const std::size_t target =
      fallen.empty() ? 0 : static_cast<std::size_t>(fallen.back().target) + 1;
  tried(target, outcome.status,
        outcome.status == agent_status::success ? std::nullopt : std::optional{outcome.code},
        a.error, std::max(outcome.attempts - earlier_attempts, 0));
  if (outcome.status != agent_status::success) {
    a.error += earlier_errors; // what every model tried said, not the last one's alone
  }
  a.attempts = std::max(outcome.attempts, earlier_attempts);
  if (target > 0) {
    const auto& answered = a.profile_attempts.back();
    a.profile = answered.profile;
    a.provider = answered.provider;
    a.model = answered.model;
    a.backend = agent.fallbacks[target - 1].backend.name;
    a.group = ctx.fallbacks[index][target - 1].group;
  }
  return target;
}

// What an agent's nested runs cost: the sum of what is known; none when nothing is.
std::optional<double> nested_cost(const std::vector<nested_run>& runs) {
  std::optional<double> sum;
  for (const auto& run : runs) {
    for (const auto& a : run.agents) {
      if (a.cost_usd) {
        sum = sum.value_or(0.0) + *a.cost_usd;
      }
    }
  }
  return sum;
}

// A task's outcome into its result.
void record_outcome(run_self self, std::uint64_t task, agent_outcome&& outcome) {
  auto& a = result_of(self, task);
  const auto now = elapsed_ms(self);
  const auto asked = self->state.asked_ms[agent_of(task)];
  a.status = outcome.status;
  a.response = std::move(outcome.response);
  a.error = std::move(outcome.error);
  if (outcome.status != agent_status::success && outcome.status != agent_status::skipped) {
    a.error_code = outcome.code;
  }
  // The agent's own count covers every wait, retries included; an agent ended by its phase
  // before it said anything waited at least until admission, or until now.
  if (outcome.queued.count() > 0) {
    a.queued_ms = static_cast<double>(outcome.queued.count());
  } else if (!a.queued_ms && asked >= 0) {
    a.queued_ms = now - asked;
  }
  a.usage = {count_from_wire(outcome.input_tokens), count_from_wire(outcome.output_tokens)};
  const auto& ctx = *self->state.ctx;
  const auto index = agent_of(task);
  a.attempts = outcome.attempts;
  std::size_t target = 0;
  if (!ctx.ensemble.agents[index].fallbacks.empty()) {
    auto& fallen = self->state.fallen;
    auto found = fallen.find(task);
    target = record_fallbacks(
        ctx, index, outcome, found == fallen.end() ? std::vector<fallen_from>{} : found->second, a);
    if (found != fallen.end()) {
      fallen.erase(found);
    }
  }
  a.cost_usd = ctx.ensemble.agents[index].nested
                   ? nested_cost(a.runs)
                   : cost_of(a.usage, target == 0 ? ctx.prices[index]
                                                  : ctx.fallbacks[index][target - 1].price);
  self->state.budget->finish(task, a.cost_usd);
  a.finished_ms = now;
  a.duration_ms = now - a.started_ms.value_or(now);
}

// Ends the run before its agents are done: the deadline passed or it was cancelled.
// Ends a task the run stops before it finished: `running_status` if it had started, else
// skipped (it never called its model, as the README says).
void cut_short(agent_result& a, std::optional<double> asked_ms, double now,
               agent_status running_status, const std::string& reason) {
  a.error = reason;
  if (!a.started_ms) {
    if (asked_ms) {
      a.queued_ms = now - *asked_ms;
    }
    a.status = agent_status::skipped;
    return;
  }
  a.status = running_status;
  a.finished_ms = now;
  a.duration_ms = now - *a.started_ms;
  a.attempts = std::max(a.attempts, 1);
  a.error_code = running_status == agent_status::timeout ? providers::call_errc::timeout
                                                         : providers::call_errc::cancelled;
}

// Whether a task of agent `index` still runs a nested ensemble.
bool runs_nested(run_self self, std::size_t index) {
  const auto& nested = self->state.nested;
  return std::any_of(nested.begin(), nested.end(),
                     [&](const auto& entry) { return agent_of(entry.first) == index; });
}

// A nested run's result, kept under the task that ran it.
nested_run& keep_nested_run(run_self self, std::uint64_t task, const run_result& r,
                            const std::optional<std::string>& output) {
  auto& run = result_of(self, task).runs.emplace_back();
  run.id = r.id;
  run.status = r.status;
  run.started_ms = self->state.nested.at(task).started_ms;
  run.elapsed_ms = r.elapsed_ms;
  run.output = output.value_or("");
  run.agents = r.agents;
  return run;
}

// The longest a run that stops early waits for its nested runs' results: they end at once
// when cancelled, and only their groups' statistics are awaited.
constexpr std::chrono::seconds nested_results_wait{10};

void stop_early(run_self self, run_status status, agent_status running_status,
                const std::string& reason) {
  auto& st = self->state;
  const auto now = elapsed_ms(self);
  stop_phases(self); // their agents call nothing more while nested runs are awaited
  for (std::size_t i = 0; i < st.result.agents.size(); ++i) {
    if (!st.schedule->is_pending(i) && !st.schedule->is_running(i)) {
      continue;
    }
    auto& a = st.result.agents[i];
    const auto asked =
        st.schedule->is_running(i) ? std::optional{st.asked_ms[i]} : std::optional<double>{};
    for (auto& instance : a.instances) {
      if (instance.status == agent_status::pending) {
        cut_short(instance, asked, now, running_status, reason);
      }
    }
    cut_short(a, asked, now, running_status, reason);
    if (!runs_nested(self, i)) {
      conclude(self, i); // one running an ensemble is told once its nested run is kept
    }
  }
  if (st.nested.empty()) {
    finish_run(self, status);
    return;
  }
  // What the nested runs finished is kept: they are cancelled, and their results awaited.
  for (const auto& [task, progress] : st.nested) {
    self->send(progress.run, cancel_atom::value);
  }
  const auto give_up = [self, status] {
    auto& nested = self->state.nested;
    std::set<std::size_t> agents;
    for (const auto& entry : nested) {
      agents.insert(agent_of(entry.first));
    }
    nested.clear();
    for (auto i : agents) {
      conclude(self, i);
    }
    finish_run(self, status);
  };
  self->set_default_handler(caf::drop);
  self->become(
      [self, give_up](nested_atom, std::uint64_t task, std::shared_ptr<const run_result>& run) {
        auto& nested = self->state.nested;
        if (nested.count(task) == 0) {
          return;
        }
        std::string why;
        keep_nested_run(self, task, *run, final_output(*run, why));
        nested.erase(task);
        auto& a = result_of(self, task); // what its runs spent, though it was cut short
        a.usage = nested_usage(a.runs);
        a.cost_usd = nested_cost(a.runs);
        a.attempts = static_cast<int>(a.runs.size()); // as a finished one counts them
        if (!runs_nested(self, agent_of(task))) {
          conclude(self, agent_of(task));
        }
        if (nested.empty()) {
          give_up();
        }
      },
      [give_up](expired_atom) { give_up(); });
  self->delayed_send(self, nested_results_wait, expired_atom::value);
}

// A task's outcome is in: its result is final, or, for an instance, its fan-out agent's once
// the last instance is in; then whatever that made ready starts.
void finish_task(run_self self, std::uint64_t task, agent_outcome&& outcome) {
  record_outcome(self, task, std::move(outcome));
  const auto index = agent_of(task);
  if (instance_of(task)) {
    emit(self, run_event_kind::finished, task, result_of(self, task).status);
    if (--self->state.instances_left.at(index) > 0) {
      return;
    }
    self->state.instances_left.erase(index);
    gather(self, index);
  } else {
    conclude(self, index);
    record_skips(self, self->state.schedule->finish(index, result_of(self, task).status));
  }
  dispatch(self);
}

// A nested run has ended: it is kept in the task's result, and the task ends with its final
// output, unless it is a loop whose condition does not hold yet and that has iterations left.
void end_nested_run(run_self self, std::uint64_t task, const run_result& r) {
  auto& st = self->state;
  auto found = st.nested.find(task);
  if (found == st.nested.end()) {
    return;
  }
  auto& progress = found->second;
  const auto& nested = *st.ctx->ensemble.agents[agent_of(task)].nested;
  std::string why;
  auto output = final_output(r, why);
  auto& a = result_of(self, task);
  keep_nested_run(self, task, r, output);
  // What `output` is to a loop's until and carry: the final output, or as llm-orc reads an
  // iteration, its deliverable (and an iteration without one goes on as llm-orc's does).
  const auto body_output =
      nested.llm_orc_output
          ? std::optional{definition::json_text(llm_orc_body_output(llm_orc_deliverable(r)))}
          : output;
  const auto results = [&](std::string_view name) { return body_result(r, body_output, name); };
  const bool until_holds = nested.until && nested.until->holds(results);
  if (body_output && nested.is_loop && progress.iteration < nested.max_iterations && !until_holds) {
    run_nested(self, task, next_input(nested, progress, results));
    return;
  }
  if (nested.llm_orc_output) {
    output = definition::json_text(
        nested.is_loop ? nlohmann::json{{"output", nlohmann::json::parse(*body_output)},
                                        {"iterations", progress.iteration},
                                        {"terminated", until_holds ? "until" : "exhausted"}}
                       : llm_orc_ensemble_result(r, progress.input));
  }
  if (!output && nested.is_loop) {
    why = "iteration " + std::to_string(progress.iteration) + ": " + why;
  }
  auto outcome = nested_outcome(r, std::move(output), why, a.runs);
  st.nested.erase(found);
  finish_task(self, task, std::move(outcome));
}

} // namespace

caf::behavior run_actor(caf::stateful_actor<run_state>* self,
                        std::shared_ptr<const run_context> ctx) {
  self->state.ctx = ctx;
  self->state.schedule.emplace(ctx->ensemble, ctx->mode, ctx->scheduling);
  self->state.result = skeleton(*ctx);
  self->state.asked_ms.resize(ctx->ensemble.agents.size(), -1.0); // -1: never asked
  self->state.budget.emplace(ctx->max_cost_usd);
  return {
      [=](begin_atom) {
        self->state.started_at = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < ctx->ensemble.agents.size(); ++i) {
          emit(self, run_event_kind::queued, i);
        }
        self->delayed_send(self, ctx->ensemble.timeout, deadline_atom::value);
        dispatch(self);
      },
      [=](started_atom, std::uint64_t task) { mark_started(self, task); },
      [=](finished_atom, std::uint64_t task, agent_outcome& outcome) {
        finish_task(self, task, std::move(outcome));
      },
      [=](nested_atom, std::uint64_t task, run_event& event) {
        if (const auto& on_event = self->state.ctx->on_event) {
          event.agent = result_of(self, task).name + "/" + event.agent;
          event.at_ms = elapsed_ms(self);
          on_event(event);
        }
      },
      [=](nested_atom, std::uint64_t task, std::shared_ptr<const run_result>& run) {
        end_nested_run(self, task, *run);
      },
      [=](waiting_atom, std::uint64_t index, std::string& group, std::uint64_t ahead) {
        run_event event;
        event.kind = run_event_kind::waiting;
        event.group = std::move(group);
        event.ahead = ahead;
        emit(self, std::move(event), index);
      },
      [=](token_atom, std::uint64_t index, std::string& piece) {
        run_event event;
        event.kind = run_event_kind::token;
        event.text = std::move(piece);
        emit(self, std::move(event), index);
      },
      [=](retry_atom, std::uint64_t index, std::int32_t attempt, std::int64_t delay_ms,
          std::string& why) {
        run_event event;
        event.kind = run_event_kind::retry;
        event.attempt = attempt;
        event.delay_ms = static_cast<double>(delay_ms);
        event.text = std::move(why);
        event.max_attempts = self->state.ctx->ensemble.agents[agent_of(index)].backend.max_attempts;
        const auto now = elapsed_ms(self);
        if (delay_ms > 0) { // none when it falls back to another model
          result_of(self, index).retry_waits.push_back({now, now + event.delay_ms});
        }
        emit(self, std::move(event), index);
      },
      [=](fallback_atom, std::uint64_t task, fallen_from& f) {
        if (result_of(self, task).finished_ms) {
          return; // its phase ended it as it fell back: it was told as it stood then
        }
        // Told as a retry with no wait, so that whoever watches sees the model change.
        const auto& agent = self->state.ctx->ensemble.agents[agent_of(task)];
        run_event event;
        event.kind = run_event_kind::retry;
        event.attempt = f.attempts;
        event.max_attempts = agent.backend.max_attempts;
        event.text = "fell back to profile " +
                     agent.fallbacks[static_cast<std::size_t>(f.target)].profile + ": " + f.error;
        emit(self, std::move(event), task);
        self->state.fallen[task].push_back(std::move(f));
      },
      [=](deadline_atom) {
        stop_early(self, run_status::timeout, agent_status::timeout, "ensemble deadline");
      },
      [=](cancel_atom) {
        stop_early(self, run_status::cancelled, agent_status::failed, "run cancelled");
      },
  };
}

} // namespace tutti::engine
