#include "phase_actor.hpp"

#include "agent_actor.hpp"
#include "agent_call.hpp"
#include "task_key.hpp"

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
    o.error = agent_timeout_error(agent.timeout);
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
  self->state.queue->finish(index);
  self->send(run, finished_atom::value, index, std::move(outcome));
  return true;
}

// Starts what the cap allows now.
void start_ready(caf::stateful_actor<phase_state>* self,
                 const std::shared_ptr<const run_context>& ctx, const caf::actor& run) {
  for (auto index : self->state.queue->next_to_start()) {
    auto agent = self->spawn(agent_actor, ctx, index, run, caf::actor_cast<caf::actor>(self));
    self->state.running.emplace(index, agent);
    if (auto wait = ctx->ensemble.agents[agent_of(index)].queue_timeout) {
      self->state.deadlines.add(index, deadline_queue::clock::now() + *wait);
      arm_timer(self);
    }
    auto prompt = self->state.prompts.find(index);
    self->send(agent, begin_atom::value, std::move(prompt->second));
    self->state.prompts.erase(prompt);
  }
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
  // The cap: the run's max_concurrent_agents, one at a time in definition order when
  // sequential. In eager runs several phases overlap; the run's cap actor keeps the exact
  // limit across them.
  const bool is_sequential = ctx->mode == run_mode::sequential;
  self->state.queue.emplace(
      is_sequential ? 1 : static_cast<std::size_t>(std::max(ctx->max_concurrent_agents, 1)),
      is_sequential);
  return {
      [=](begin_atom, agent_batch& batch) {
        // Higher priorities first, then definition order; sequential runs keep definition order.
        for (std::size_t i = 0; i < batch.agents.size(); ++i) {
          const auto index = batch.agents[i];
          const int rank = is_sequential ? 0 : -ctx->ensemble.agents[agent_of(index)].priority;
          self->state.prompts.emplace(index, std::move(batch.prompts[i]));
          self->state.queue->add(index, rank);
        }
        start_ready(self, ctx, run);
      },
      [=](waiting_atom, std::uint64_t index, std::string& group, std::uint64_t ahead) {
        // Waiting for its group, it leaves its place under the cap to an agent that can run.
        if (self->state.admitted.count(index) == 0) {
          self->state.queue->mark_waiting(index);
          start_ready(self, ctx, run);
        }
        self->send(run, waiting_atom::value, index, std::move(group), ahead);
      },
      [=](started_atom, std::uint64_t index) {
        // Admitted: from now on the agent's own timeout bounds it, whatever it waited.
        if (self->state.running.count(index) == 0) {
          return;
        }
        self->state.admitted.insert(index);
        self->state.queue->mark_admitted(index);
        self->state.deadlines.remove(index);
        self->state.deadlines.add(index, deadline_queue::clock::now() +
                                             ctx->ensemble.agents[agent_of(index)].timeout);
        arm_timer(self);
        self->send(run, started_atom::value, index);
      },
      [=](finished_atom, std::uint64_t index, agent_outcome& outcome) {
        conclude(self, run, index, std::move(outcome));
        start_ready(self, ctx, run);
      },
      [=](stopped_atom, std::uint64_t index, caf::error& reason) {
        conclude(self, run, index, stopped_outcome(reason, self->state.admitted.count(index) != 0));
        start_ready(self, ctx, run);
      },
      [=](timeout_atom) {
        self->state.timer_due.reset();
        for (auto index : self->state.deadlines.take_expired(deadline_queue::clock::now())) {
          // The agent cancels its call and gives its slot back as timed out, then ends; its
          // outcome is decided here, now, whatever it was about to say.
          self->send(self->state.running.at(index), expired_atom::value);
          conclude(self, run, index,
                   expired_outcome(ctx->ensemble.agents[agent_of(index)],
                                   ctx->groups[agent_of(index)],
                                   self->state.admitted.count(index) != 0));
        }
        start_ready(self, ctx, run);
        arm_timer(self);
      },
  };
}

} // namespace tutti::engine
