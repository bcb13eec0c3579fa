#include <tutti/definition/agent_output.hpp>
#include <tutti/store/fingerprint.hpp>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace tutti::store {
namespace {

// SHA-256 as 32 hex digits (128 bits: ample to tell two definitions apart).
std::string short_sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 16 && i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

template <class T>
nlohmann::json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

} // namespace

std::string agent_fingerprint(const definition::resolved_agent& agent) {
  // A JSON array: an unambiguous encoding whose field order is fixed here.
  nlohmann::json fields = {agent.name,
                           optional_json(agent.prompt),
                           agent.system_prompt,
                           definition::to_string(agent.backend.provider),
                           agent.backend.base_url,
                           agent.model,
                           optional_json(agent.temperature),
                           optional_json(agent.max_tokens),
                           optional_json(agent.mock.reply),
                           optional_json(agent.mock.fail),
                           agent.depends_on,
                           static_cast<int>(agent.on_dependency_failure)};
  // Later fields only when set, so that an agent without them keeps the fingerprint that runs
  // stored before them recorded.
  if (agent.when) {
    fields.push_back({{"when", agent.when->text()}});
  }
  if (!agent.script.empty()) {
    fields.push_back(
        {{"script", agent.script}, {"script_input", static_cast<int>(agent.script_input_kind)}});
  }
  if (agent.fan_out) {
    fields.push_back({{"fan_out", agent.depends_on[*agent.fan_out]}});
  }
  if (agent.input_key || agent.parameters || agent.output) {
    fields.push_back({{"input_key", optional_json(agent.input_key)},
                      {"parameters", optional_json(agent.parameters)},
                      {"output", !agent.output          ? nlohmann::json(nullptr)
                                 : agent.output->schema ? *agent.output->schema
                                                        : nlohmann::json("json")}});
  }
  if (agent.nested) { // what it runs, so that a changed nested ensemble is run again
    const auto& n = *agent.nested;
    nlohmann::json carry = nlohmann::json::array();
    for (const auto& [text, value] : n.carry) {
      carry.push_back(text);
    }
    fields.push_back({{"ensemble", ensemble_fingerprint(*n.body)},
                      {"until", n.until ? n.until->text() : ""},
                      {"max_iterations", n.max_iterations},
                      {"carry", std::move(carry)},
                      {"carry_replaces_input", n.carry_replaces_input}});
  }
  return short_sha256(definition::json_text(fields)); // bytes that are not UTF-8 replaced
}

std::string ensemble_fingerprint(const definition::resolved_ensemble& e) {
  nlohmann::json agents = nlohmann::json::array();
  for (const auto& agent : e.agents) {
    agents.push_back(agent_fingerprint(agent));
  }
  return short_sha256(definition::json_text(agents));
}

run_origin origin_of(const definition::resolved_ensemble& e) {
  run_origin o{e.file, ensemble_fingerprint(e), {}};
  for (const auto& agent : e.agents) {
    o.agent_hashes.push_back(agent_fingerprint(agent));
  }
  return o;
}

} // namespace tutti::store
