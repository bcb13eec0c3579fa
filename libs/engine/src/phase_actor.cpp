#include "phase_actor.hpp"

#include "agent_actor.hpp"

#include <tutti/definition/duration_text.hpp>

namespace tutti::engine {
namespace {

// What became of an agent that ended abnormally.
agent_outcome stopped_outcome(const caf::error& e, bool was_admitted) {
  agent_outcome o;
  o.attempts = was_admitted ? 1 : 0;
  o.code = providers::call_errc::cancelled;
  o.error = "agent stopped: " + caf::to_string(e);
  return o;
}

// What became of an agent whose deadline passed: the call's, or the queue's before admission.
agent_outcome expired_outcome(const definition::resolved_agent& agent, const std::string& group,
                              bool was_admitted) {
  agent_outcome o;
  o.attempts = was_admitted ? 1 : 0;
  o.status = agent_status::timeout;
  if (was_admitted) {
    o.code = providers::call_errc::timeout;
    o.error = "no reply within the agent's timeout of " + definition::duration_text(agent.timeout);
  } else {
    o.code = providers::call_errc::queue_timeout;
    o.error = "not admitted by group " + group + " within the queue timeout of " +
              definition::duration_text(agent.queue_timeout.value_or(agent.timeout)) +
              "; never sent";
  }
  return o;
}

// Keeps one timer message pending, due at the earliest deadline.
void arm_timer(caf::stateful_actor<phase_state>* self) {
  auto earliest = self->state.deadlines.earliest();
  if (!earliest || (self->state.timer_due && *self->state.timer_due <= *earliest)) {
    return;
  }
  self->state.timer_due = earliest;
  auto delay =
      std::max(*earliest - deadline_queue::clock::now(), deadline_queue::clock::duration{});
  self->delayed_send(self, delay, timeout_atom::value);
}

// Ends an agent that is still running with `outcome`; false if it had already finished.
bool conclude(caf::stateful_actor<phase_state>* self, const caf::actor& run, std::uint64_t index,
              agent_outcome outcome) {
  if (self->state.running.erase(index) == 0) {
    return false;
  }
  self->state.admitted.erase(index);
  self->state.deadlines.remove(index);
  self->send(run, finished_atom::value, index, std::move(outcome));
  return true;
}

} // namespace

caf::behavior phase_actor(caf::stateful_actor<phase_state>* self,
                          std::shared_ptr<const run_context> ctx, caf::actor run) {
  self->set_exit_handler([=](caf::exit_msg& msg) {
    for (auto& [index, agent] : self->state.running) {
      self->send_exit(agent, msg.reason);
    }
    self->quit(msg.reason);
  });
  return {
      [=](begin_atom, std::uint64_t index, std::string& prompt) {
        auto agent = self->spawn(agent_actor, ctx, index, run, caf::actor_cast<caf::actor>(self));
        self->state.running.emplace(index, agent);
        if (auto wait = ctx->ensemble.agents[index].queue_timeout) {
          self->state.deadlines.add(index, deadline_queue::clock::now() + *wait);
          arm_timer(self);
        }
        self->send(agent, begin_atom::value, std::move(prompt));
      },
      [=](started_atom, std::uint64_t index) {
        // Admitted: from now on the agent's own timeout bounds it, whatever it waited.
        if (self->state.running.count(index) == 0) {
          return;
        }
        self->state.admitted.insert(index);
        self->state.deadlines.remove(index);
        self->state.deadlines.add(index, deadline_queue::clock::now() +
                                             ctx->ensemble.agents[index].timeout);
        arm_timer(self);
        self->send(run, started_atom::value, index);
      },
      [=](finished_atom, std::uint64_t index, agent_outcome& outcome) {
        conclude(self, run, index, std::move(outcome));
      },
      [=](stopped_atom, std::uint64_t index, caf::error& reason) {
        conclude(self, run, index, stopped_outcome(reason, self->state.admitted.count(index) != 0));
      },
      [=](timeout_atom) {
        self->state.timer_due.reset();
        for (auto index : self->state.deadlines.take_expired(deadline_queue::clock::now())) {
          // The agent cancels its call and gives its slot back as timed out, then ends; its
          // outcome is decided here, now, whatever it was about to say.
          self->send(self->state.running.at(index), expired_atom::value);
          conclude(self, run, index,
                   expired_outcome(ctx->ensemble.agents[index], ctx->groups[index],
                                   self->state.admitted.count(index) != 0));
        }
        arm_timer(self);
      },
  };
}

} // namespace tutti::engine
