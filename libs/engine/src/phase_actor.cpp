#include "phase_actor.hpp"

#include "agent_actor.hpp"

#include <tutti/definition/duration_text.hpp>

namespace tutti::engine {
namespace {

agent_outcome failed_outcome(const caf::error& e, std::chrono::milliseconds timeout) {
  agent_outcome o;
  if (e == caf::sec::request_timeout) {
    o.status = agent_status::timeout;
    o.error = "no reply within the agent's timeout of " + definition::duration_text(timeout);
  } else {
    o.status = agent_status::failed;
    o.error = "agent stopped: " + caf::to_string(e);
  }
  o.attempts = 1;
  return o;
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
        auto agent = self->spawn(agent_actor, ctx, index, run);
        self->state.running.emplace(index, agent);
        const auto timeout = ctx->ensemble.agents[index].timeout;
        self->request(agent, timeout, begin_atom::value, std::move(prompt))
            .then(
                [=](agent_outcome& outcome) {
                  self->state.running.erase(index);
                  self->send(run, finished_atom::value, index, std::move(outcome));
                },
                [=](caf::error& e) {
                  // Killing the agent cancels its call and frees its slot at once; the reason
                  // (a timeout, usually) is what the resource actor counts.
                  self->send_exit(agent, e);
                  self->state.running.erase(index);
                  self->send(run, finished_atom::value, index, failed_outcome(e, timeout));
                });
      },
  };
}

} // namespace tutti::engine
