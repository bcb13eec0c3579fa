#include "agent_actor.hpp"

#include <random>

namespace tutti::engine {
namespace {

using agent_self = caf::stateful_actor<agent_state>*;
using clock = agent_call::clock;

providers::completion_request request_for(const definition::resolved_agent& agent,
                                          std::string prompt) {
  providers::completion_request r;
  r.agent = agent.name;
  r.model = agent.model;
  r.system_prompt = agent.system_prompt;
  r.prompt = std::move(prompt);
  r.temperature = agent.temperature;
  r.max_tokens = agent.max_tokens;
  r.mock = agent.mock;
  return r;
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

void start_call(agent_self self, const std::shared_ptr<const run_context>& ctx, std::size_t index,
                std::chrono::milliseconds time_left,
                const std::shared_ptr<providers::cancel_call>& cancel) {
  auto me = caf::actor_cast<caf::actor>(self);
  providers::token_callback on_token;
  if (ctx->on_event) { // stream only when someone listens
    on_token = [me](std::string piece) { caf::anon_send(me, token_atom::value, std::move(piece)); };
  }
  auto request = self->state.request;
  request.time_left = time_left;
  *cancel = ctx->providers[index]->start(std::move(request), std::move(on_token),
                                         [me](providers::completion_result r) {
                                           caf::anon_send(me, complete_atom::value, attempt_of(r));
                                         });
}

} // namespace

caf::behavior agent_actor(caf::stateful_actor<agent_state>* self,
                          std::shared_ptr<const run_context> ctx, std::size_t index, caf::actor run,
                          caf::actor phase) {
  // Shared with the exit hook: whatever ends this actor early also ends its call, and an
  // abnormal end is reported to the phase, which may still wait for an outcome.
  auto cancel = std::make_shared<providers::cancel_call>();
  self->attach_functor([cancel, phase, index](const caf::error& reason) {
    if (*cancel) {
      (*cancel)();
    }
    if (reason) {
      caf::anon_send(phase, stopped_atom::value, static_cast<std::uint64_t>(index), reason);
    }
  });
  {
    const auto& agent = ctx->ensemble.agents[index];
    providers::retry_settings retry;
    retry.max_attempts = agent.backend.max_attempts;
    self->state.call.emplace(agent.timeout, retry);
  }
  const auto group = ctx->resources[index];

  // Gives the slot back to the group that lent it, if it lent one.
  auto give_back = [=](call_report report) {
    if (self->state.slot != 0) {
      self->send(group, release_atom::value, self->state.slot, std::move(report));
      self->state.slot = 0;
    }
  };
  // Carries out what the call's state machine says, until it waits for a message.
  auto carry_out = [=](agent_call::step step) {
    auto& st = self->state;
    if (step.release) {
      give_back({*step.release, st.call->result().error});
    }
    switch (step.what) {
    case agent_call::step::kind::acquire: {
      // The agent's definition is read through ctx, never captured: every handler holds a
      // copy of this lambda, and 100,000 agents would each copy it six times.
      const auto& agent = ctx->ensemble.agents[index];
      slot_request ask;
      ask.priority =
          static_cast<std::int32_t>(resources::request_rank(ctx->priority, agent.priority));
      ask.caps = ctx->caps;
      ask.may_wait = may_wait(*ctx, agent, *st.call);
      self->send(group, acquire_atom::value, std::move(ask));
      break;
    }
    case agent_call::step::kind::call:
      if (st.call->attempts() == 1) {
        self->send(phase, started_atom::value, static_cast<std::uint64_t>(index));
      }
      start_call(self, ctx, index, step.time_left, cancel);
      break;
    case agent_call::step::kind::wait:
      self->send(run, retry_atom::value, static_cast<std::uint64_t>(index),
                 static_cast<std::int32_t>(st.call->attempts()),
                 static_cast<std::int64_t>(step.delay.count()), st.call->result().error);
      self->delayed_send(self, step.delay, retry_atom::value);
      break;
    case agent_call::step::kind::done: {
      const auto& r = st.call->result();
      agent_outcome o;
      o.status = status_of(r.code);
      o.code = r.code;
      o.response = r.text;
      o.error = r.error;
      o.input_tokens = count_on_wire(r.usage.input_tokens);
      o.output_tokens = count_on_wire(r.usage.output_tokens);
      o.attempts = st.call->attempts();
      o.queued = st.call->queued();
      self->send(phase, finished_atom::value, static_cast<std::uint64_t>(index), std::move(o));
      self->quit();
      break;
    }
    }
  };
  return {
      [=](begin_atom, std::string& prompt) {
        self->state.request = request_for(ctx->ensemble.agents[index], std::move(prompt));
        carry_out(self->state.call->begin(clock::now()));
      },
      [=](granted_atom, ticket, ticket slot) {
        self->state.slot = slot;
        carry_out(self->state.call->admitted(clock::now()));
      },
      [=](refused_atom, ticket, call_report& why) {
        carry_out(self->state.call->refused(why.code, std::move(why.error)));
      },
      [=](complete_atom, attempt_result& result) {
        *cancel = nullptr;
        carry_out(
            self->state.call->answered(completion_of(std::move(result)), clock::now(), jitter()));
      },
      [=](retry_atom) { carry_out(self->state.call->waited(clock::now())); },
      [=](expired_atom) {
        // The phase has ended this agent as timed out: stop the call, and say so to the group
        // that lent the slot (a slot it never lent is withdrawn as the agent ends).
        if (*cancel) {
          (*cancel)();
          *cancel = nullptr;
        }
        give_back({providers::call_errc::timeout, {}});
        self->quit();
      },
      [=](token_atom, std::string& piece) {
        self->send(run, token_atom::value, static_cast<std::uint64_t>(index), std::move(piece));
      },
      [=](position_atom, ticket, std::string& group_id, std::uint64_t ahead) {
        self->send(phase, waiting_atom::value, static_cast<std::uint64_t>(index),
                   std::move(group_id), ahead);
      },
  };
}

} // namespace tutti::engine
