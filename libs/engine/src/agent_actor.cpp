#include "agent_actor.hpp"

namespace tutti::engine {
namespace {

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
  auto finish = [=](agent_outcome outcome) {
    self->send(phase, finished_atom::value, static_cast<std::uint64_t>(index), std::move(outcome));
    self->quit();
  };
  return {
      [=](begin_atom, std::string& prompt) {
        const auto& agent = ctx->ensemble.agents[index];
        self->request(ctx->resources[index], caf::infinite, resources::acquire_atom::value,
                      static_cast<std::int32_t>(agent.priority))
            .then(
                [=,
                 request = request_for(agent, std::move(prompt))](resources::ticket slot) mutable {
                  self->state.slot = slot;
                  self->send(run, started_atom::value, static_cast<std::uint64_t>(index));
                  auto me = caf::actor_cast<caf::actor>(self);
                  providers::token_callback on_token;
                  if (ctx->on_event) { // stream only when someone listens
                    on_token = [me](std::string piece) {
                      caf::anon_send(me, token_atom::value, std::move(piece));
                    };
                  }
                  *cancel = ctx->providers[index]->start(std::move(request), std::move(on_token),
                                                         [me](providers::completion_result r) {
                                                           caf::anon_send(me, complete_atom::value,
                                                                          outcome_of(r));
                                                         });
                },
                [=](caf::error& e) {
                  agent_outcome failed;
                  failed.error = "no slot from the backend's resource actor: " + caf::to_string(e);
                  finish(std::move(failed));
                });
      },
      [=](token_atom, std::string& piece) {
        self->send(run, token_atom::value, static_cast<std::uint64_t>(index), std::move(piece));
      },
      [=](resources::position_atom, std::string& group, std::uint64_t ahead) {
        self->send(run, waiting_atom::value, static_cast<std::uint64_t>(index), std::move(group),
                   ahead);
      },
      [=](complete_atom, agent_outcome& outcome) {
        *cancel = nullptr;
        const auto how = outcome.status == agent_status::success ? resources::call_outcome::success
                         : outcome.is_transient_failure ? resources::call_outcome::transient_failure
                                                        : resources::call_outcome::failure;
        self->send(ctx->resources[index], resources::release_atom::value, self->state.slot, how);
        finish(std::move(outcome));
      },
  };
}

} // namespace tutti::engine
