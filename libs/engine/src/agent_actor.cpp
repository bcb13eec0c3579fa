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
                          std::shared_ptr<const run_context> ctx, std::size_t index,
                          caf::actor run) {
  // Shared with the exit hook: whatever ends this actor early also ends its call.
  auto cancel = std::make_shared<providers::cancel_call>();
  self->attach_functor([cancel](const caf::error&) {
    if (*cancel) {
      (*cancel)();
    }
  });
  return {
      [=](begin_atom, std::string& prompt) -> caf::result<agent_outcome> {
        self->state.promise = self->make_response_promise<agent_outcome>();
        self->send(run, started_atom::value, static_cast<std::uint64_t>(index));
        auto me = caf::actor_cast<caf::actor>(self);
        *cancel = ctx->providers[index]->start(
            request_for(ctx->ensemble.agents[index], std::move(prompt)),
            [me](providers::completion_result r) {
              caf::anon_send(me, complete_atom::value, outcome_of(r));
            });
        return self->state.promise;
      },
      [=](complete_atom, agent_outcome& outcome) {
        *cancel = nullptr;
        self->state.promise.deliver(std::move(outcome));
        self->quit();
      },
  };
}

} // namespace tutti::engine
