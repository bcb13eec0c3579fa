// A backend reached over HTTP (OpenAI-compatible servers, Anthropic, Ollama, LM Studio): the
// protocol builds the request and reads the answer, the HTTP client carries it, failed
// attempts are retried as the retry policy says, and the key comes from the environment.
#pragma once

#include <tutti/definition/backend_spec.hpp>
#include <tutti/definition/environment.hpp>
#include <tutti/providers/http_client.hpp>
#include <tutti/providers/provider.hpp>
#include <tutti/providers/retry_policy.hpp>

#include <memory>

namespace tutti::providers {

class io_thread;

class http_provider final : public provider {
 public:
  http_provider(definition::backend_spec backend, io_thread& io,
                std::shared_ptr<http_client> client, const definition::environment& env,
                retry_settings retry = {}, http_deadlines deadlines = {});

  cancel_call start(completion_request request, token_callback on_token,
                    completion_callback done) override;

  struct call; // one completion, over one or more attempts

 private:
  definition::backend_spec backend_;
  io_thread& io_;
  std::shared_ptr<http_client> client_;
  std::string api_key_;
  std::string missing_key_; // why there is no key when one is needed, else empty
  retry_settings retry_;
  http_deadlines deadlines_;
};

} // namespace tutti::providers
