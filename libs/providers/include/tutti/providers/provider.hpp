// The interface every backend protocol implements: an asynchronous call that can be cancelled.
#pragma once

#include <tutti/providers/completion.hpp>

#include <functional>

namespace tutti::providers {

/// Receives the result of a call; runs on a provider thread (or on the caller's, before start()
/// returns, when the answer needs no wait), so it must only hand the result on (the engine
/// sends it to the agent's actor).
using completion_callback = std::function<void(completion_result)>;

/// Receives a piece of the response as it arrives, when the caller asked for streaming; runs on
/// a provider thread, like completion_callback.
using token_callback = std::function<void(std::string)>;

/// Cancels a call in flight; does nothing once the call has completed. Thread-safe.
using cancel_call = std::function<void()>;

class provider {
 public:
  virtual ~provider() = default;

  /// Starts a call. `done` is called exactly once, unless the call is cancelled first, in
  /// which case it is never called. When `on_token` is set, pieces of the response are passed
  /// to it as they arrive, all before `done`; the result still carries the whole text.
  virtual cancel_call start(completion_request request, token_callback on_token,
                            completion_callback done) = 0;
};

} // namespace tutti::providers
