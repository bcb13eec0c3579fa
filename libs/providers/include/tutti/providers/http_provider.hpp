// A backend reached over HTTP (OpenAI-compatible servers, Anthropic, Ollama, LM Studio): the
// protocol builds the request and reads the answer, the HTTP client carries it within the
// call's time left, and the key comes from the environment. One start is one attempt; the
// result's code says whether another may help.
#pragma once

#include <tutti/definition/backend_spec.hpp>
#include <tutti/definition/environment.hpp>
#include <tutti/providers/http_client.hpp>
#include <tutti/providers/provider.hpp>

#include <memory>

namespace tutti::providers {

class io_thread;

class http_provider final : public provider {
 public:
  http_provider(definition::backend_spec backend, io_thread& io,
                std::shared_ptr<http_client> client, const definition::environment& env,
                http_deadlines deadlines = {});

  cancel_call start(completion_request request, token_callback on_token,
                    completion_callback done) override;

  struct call; // one attempt of one completion

 private:
  definition::backend_spec backend_;
  io_thread& io_;
  std::shared_ptr<http_client> client_;
  std::string api_key_;
  std::string missing_key_; // why there is no key when one is needed, else empty
  http_deadlines deadlines_;
};

} // namespace tutti::providers
