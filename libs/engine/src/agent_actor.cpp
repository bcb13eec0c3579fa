#include "agent_actor.hpp"

#include "task_key.hpp"

#include <tutti/definition/agent_output.hpp>
#include <tutti/definition/output_schema.hpp>
#include <tutti/providers/protocol.hpp>

#include <random>

namespace tutti::engine {
namespace {

using agent_self = caf::stateful_actor<agent_state>*;
using clock = agent_call::clock;

// The call of `agent` to its model `target` (0: its own, k: its fallback k - 1).
providers::completion_request request_for(const definition::resolved_agent& agent,
                                          std::size_t target, std::string prompt) {
  providers::completion_request r;
  r.agent = agent.name;
  r.prompt = std::move(prompt);
  r.script = agent.script;
  r.working_directory = agent.script_directory;
  if (agent.output) {
    r.json_output = true;
    r.json_schema = agent.output->schema;
    r.prompt += definition::output_instruction(*agent.output);
  }
  if (target == 0) {
    r.model = agent.model;
    r.system_prompt = agent.system_prompt;
    r.temperature = agent.temperature;
    r.max_tokens = agent.max_tokens;
    r.mock = agent.mock;
  } else {
    const auto& fallback = agent.fallbacks[target - 1];
    r.model = fallback.model;
    r.system_prompt = fallback.system_prompt;
    r.temperature = fallback.temperature;
    r.max_tokens = fallback.max_tokens;
    r.mock = fallback.mock;
  }
  return r;
}

// The provider and group of the model the agent calls now.
providers::provider& provider_of(const agent_state& st) {
  return st.target == 0 ? *st.ctx->providers[st.index]
                        : *st.ctx->fallbacks[st.index][st.target - 1].provider;
}

const resource_actor_type& resource_of(const agent_state& st) {
  return st.target == 0 ? st.ctx->resources[st.index]
                        : st.ctx->fallbacks[st.index][st.target - 1].resource;
}

// Whether a failed call may go on to the next model: not when the agent's time is up or its run
// cancelled it, nor when there is no next model.
bool can_fall_back(const agent_state& st, providers::call_errc code) {
  return code != providers::call_errc::timeout && code != providers::call_errc::cancelled &&
         st.target < st.ctx->ensemble.agents[st.index].fallbacks.size();
}

double jitter() {
  static thread_local std::mt19937 random{std::random_device{}()};
  return std::uniform_real_distribution<double>{0, 1}(random);
}

// How long a request may wait for its slot before its agent gives up: once admitted, until the
// call's deadline; before, its queue timeout, or at most its own timeout (an agent does not
// wait longer for a server than it would for an answer), and never past the ensemble's
// deadline. A group whose server is down refuses at once what would wait past it.
std::chrono::milliseconds may_wait(const run_context& ctx, const definition::resolved_agent& agent,
                                   const agent_call& call) {
  const auto now = clock::now();
  auto until = std::min(
      ctx.deadline, call.deadline().value_or(now + agent.queue_timeout.value_or(agent.timeout)));
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(until - now),
                  std::chrono::milliseconds{1});
}

void start_call(agent_self self, std::chrono::milliseconds time_left) {
  auto& st = self->state;
  auto me = caf::actor_cast<caf::actor>(self);
  providers::token_callback on_token;
  if (st.ctx->on_event) { // stream only when someone listens
    on_token = [me](std::string piece) { caf::anon_send(me, token_atom::value, std::move(piece)); };
  }
  auto request =
      request_for(st.ctx->ensemble.agents[st.index], st.target, st.prompt + st.asked_again);
  request.time_left = time_left;
  *st.cancel = provider_of(st).start(std::move(request), std::move(on_token),
                                     [me](providers::completion_result r) {
                                       caf::anon_send(me, complete_atom::value, attempt_of(r));
                                     });
}

// The provider kind of the model the agent calls now.
definition::provider_kind provider_kind_of(const agent_state& st) {
  const auto& agent = st.ctx->ensemble.agents[st.index];
  return st.target == 0 ? agent.backend.provider : agent.fallbacks[st.target - 1].backend.provider;
}

// Reads a successful answer as the JSON its agent asks for (output_format, output_schema).
// Valid: its text becomes the value's JSON text, which dependants and conditions read. Not
// valid the first time: the model is asked once more, told why (the step to carry out); the
// second time, the answer fails with invalid_output.
std::optional<agent_call::step> check_output(agent_self self, providers::completion_result& r) {
  auto& st = self->state;
  const auto& agent = st.ctx->ensemble.agents[st.index];
  if (!r.is_success() || !agent.output) {
    return std::nullopt;
  }
  const auto request = request_for(agent, st.target, {});
  auto answer = std::string{providers::json_prefill(provider_kind_of(st), request)} + r.text;
  auto read = definition::read_output(answer, *agent.output);
  if (auto* value = std::get_if<nlohmann::json>(&read)) {
    r.text = definition::json_text(*value);
    return std::nullopt;
  }
  const auto& why = std::get<std::string>(read);
  if (st.asked_again.empty()) {
    st.asked_again = "\n\nYour previous answer was:\n" + answer +
                     "\n\nThat is not what was asked for: " + why + ". Answer again.";
    return st.call->ask_again(r, clock::now());
  }
  r.code = providers::call_errc::invalid_output;
  r.error = why + ", after the model was asked again";
  r.text.clear();
  return std::nullopt;
}

// Gives the slot back to the group that lent it, if it lent one.
void give_back(agent_self self, call_report report) {
  auto& st = self->state;
  if (st.slot != 0) {
    self->send(resource_of(st), release_atom::value, st.slot, std::move(report));
    st.slot = 0;
  }
}

// Carries out what the call's state machine says, until it waits for a message.
void carry_out(agent_self self, agent_call::step step) {
  auto& st = self->state;
  if (step.release) {
    give_back(self, {*step.release, st.call->result().error});
  }
  switch (step.what) {
  case agent_call::step::kind::acquire: {
    const auto& agent = st.ctx->ensemble.agents[st.index];
    slot_request ask;
    ask.priority =
        static_cast<std::int32_t>(resources::request_rank(st.ctx->priority, agent.priority));
    if (agent.script.empty()) { // the caps count model calls; a script's program is none
      ask.caps = st.ctx->caps;
    }
    ask.may_wait = may_wait(*st.ctx, agent, *st.call);
    self->send(resource_of(st), acquire_atom::value, std::move(ask));
    break;
  }
  case agent_call::step::kind::call:
    if (st.call->attempts() == 1) {
      self->send(st.phase, started_atom::value, self->state.task);
    }
    start_call(self, step.time_left);
    break;
  case agent_call::step::kind::wait:
    self->send(st.run, retry_atom::value, self->state.task,
               static_cast<std::int32_t>(st.call->attempts()),
               static_cast<std::int64_t>(step.delay.count()), st.call->result().error);
    self->delayed_send(self, step.delay, retry_atom::value);
    break;
  case agent_call::step::kind::done: {
    const auto& r = st.call->result();
    if (!r.is_success() && can_fall_back(st, r.code)) {
      const auto& next = st.ctx->ensemble.agents[st.index].fallbacks[st.target];
      self->send(st.run, fallback_atom::value, st.task,
                 fallen_from{static_cast<std::int32_t>(st.target), r.code, r.error,
                             st.call->attempts_on_this_model()});
      ++st.target;
      st.asked_again.clear();
      providers::retry_settings retry;
      retry.max_attempts = next.backend.max_attempts;
      carry_out(self, st.call->fall_back(retry, clock::now()));
      break;
    }
    agent_outcome o;
    o.status = status_of(r.code);
    o.code = r.code;
    o.response = r.text;
    o.error = r.error;
    o.input_tokens = count_on_wire(r.usage.input_tokens);
    o.output_tokens = count_on_wire(r.usage.output_tokens);
    o.attempts = st.call->attempts();
    o.queued = st.call->queued();
    self->send(st.phase, finished_atom::value, self->state.task, std::move(o));
    self->quit();
    break;
  }
  }
}

} // namespace

caf::behavior agent_actor(caf::stateful_actor<agent_state>* self,
                          std::shared_ptr<const run_context> ctx, std::uint64_t task,
                          caf::actor run, caf::actor phase) {
  const auto index = agent_of(task);
  auto& st = self->state;
  // Whatever ends this actor early also ends its call, and an abnormal end is reported to the
  // phase, which may still wait for an outcome.
  st.cancel = std::make_shared<providers::cancel_call>();
  self->attach_functor([cancel = st.cancel, phase, task](const caf::error& reason) {
    if (*cancel) {
      (*cancel)();
    }
    if (reason) {
      caf::anon_send(phase, stopped_atom::value, task, reason);
    }
  });
  {
    const auto& agent = ctx->ensemble.agents[index];
    providers::retry_settings retry;
    retry.max_attempts = agent.backend.max_attempts;
    st.call.emplace(agent.timeout, retry);
  }
  st.ctx = std::move(ctx);
  st.task = task;
  st.index = index;
  st.run = std::move(run);
  st.phase = std::move(phase);
  return {
      [self](begin_atom, std::string& prompt) {
        self->state.prompt = std::move(prompt);
        carry_out(self, self->state.call->begin(clock::now()));
      },
      [self](granted_atom, ticket, ticket slot) {
        self->state.slot = slot;
        carry_out(self, self->state.call->admitted(clock::now()));
      },
      [self](refused_atom, ticket, call_report& why) {
        carry_out(self, self->state.call->refused(why.code, std::move(why.error)));
      },
      [self](complete_atom, attempt_result& result) {
        *self->state.cancel = nullptr;
        auto r = completion_of(std::move(result));
        if (auto again = check_output(self, r)) {
          carry_out(self, *again);
          return;
        }
        carry_out(self, self->state.call->answered(std::move(r), clock::now(), jitter()));
      },
      [self](retry_atom) { carry_out(self, self->state.call->waited(clock::now())); },
      [self](expired_atom) {
        // The phase has ended this agent as timed out: stop the call, and say so to the group
        // that lent the slot (a slot it never lent is withdrawn as the agent ends).
        auto& cancel = *self->state.cancel;
        if (cancel) {
          cancel();
          cancel = nullptr;
        }
        give_back(self, {providers::call_errc::timeout, {}});
        self->quit();
      },
      [self](token_atom, std::string& piece) {
        self->send(self->state.run, token_atom::value, self->state.task, std::move(piece));
      },
      [self](position_atom, ticket, std::string& group_id, std::uint64_t ahead) {
        self->send(self->state.phase, waiting_atom::value, self->state.task, std::move(group_id),
                   ahead);
      },
  };
}

} // namespace tutti::engine
