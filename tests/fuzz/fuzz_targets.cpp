#include "fuzz_targets.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/environment.hpp>
#include <tutti/definition/outcome.hpp>
#include <tutti/definition/prompt_template.hpp>
#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/llm_orc/ensemble_reader.hpp>
#include <tutti/llm_orc/toml_writer.hpp>
#include <tutti/providers/protocol.hpp>
#include <tutti/providers/sse_parser.hpp>

#include <array>
#include <cstdlib>
#include <map>

namespace tutti::fuzz {
namespace {

// A failed invariant is a finding: abort so that libFuzzer (or the replay test) reports it.
void require(bool invariant) {
  if (!invariant) {
    std::abort();
  }
}

// Every diagnostic must print, and say where it is.
template <typename T>
void require_printable(const definition::outcome<T>& o) {
  if (!o.has_value()) {
    require(!o.problems().empty());
    for (const auto& d : o.problems()) {
      require(!definition::to_string(d).empty());
    }
  }
}

const definition::config& builtin_config() {
  static const auto config = [] {
    definition::config c;
    c.backends = definition::builtin_backends("http://localhost:11434");
    return c;
  }();
  return config;
}

void ensemble_file(std::string_view data) {
  auto ensemble = definition::parse_ensemble(data, "fuzz.toml");
  require_printable(ensemble);
  if (!ensemble.has_value()) {
    return;
  }
  auto resolved = definition::resolve(*ensemble, builtin_config());
  require_printable(resolved);
  if (!resolved.has_value()) {
    return;
  }
  std::map<std::string, std::string> outputs;
  for (const auto& agent : resolved->agents) {
    outputs[agent.name] = "output of " + agent.name;
  }
  for (const auto& agent : resolved->agents) {
    definition::render_prompt(agent.prompt, "input", agent.depends_on, outputs);
  }
}

void config_file(std::string_view data) {
  require_printable(definition::parse_config(
      data, "tutti.toml", definition::fixed_environment({{"OLLAMA_HOST", "http://h:1"}})));
}

// Feeding the bytes whole or in pieces must give the same result: the first byte chooses
// where the pieces end, the rest is the stream.
template <typename Parser>
auto feed_in_pieces(std::string_view data) {
  Parser whole;
  Parser pieces;
  if (data.empty()) {
    return std::pair{whole.feed(data), pieces.feed(data)};
  }
  auto step = static_cast<std::size_t>(static_cast<unsigned char>(data[0]) % 16) + 1;
  data.remove_prefix(1);
  auto expected = whole.feed(data);
  decltype(expected) got;
  for (std::size_t at = 0; at < data.size(); at += step) {
    auto more = pieces.feed(data.substr(at, step));
    got.insert(got.end(), more.begin(), more.end());
  }
  return std::pair{std::move(expected), std::move(got)};
}

void sse_stream(std::string_view data) {
  auto [whole, pieces] = feed_in_pieces<providers::sse_parser>(data);
  require(whole.size() == pieces.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    require(whole[i].event == pieces[i].event && whole[i].data == pieces[i].data);
  }
}

void ndjson_stream(std::string_view data) {
  auto [whole, pieces] = feed_in_pieces<providers::ndjson_parser>(data);
  require(whole == pieces);
}

// A response body, whole and as the events of a stream in that protocol's framing, and as
// an error body; and the same bytes as a prompt and a model name in a request.
void response(definition::provider_kind kind, std::string_view data) {
  auto protocol = providers::protocol_for(kind);
  providers::completion_request request;
  request.model = std::string{data.substr(0, 16)};
  request.prompt = std::string{data};
  request.system_prompt = std::string{data.substr(data.size() / 2)};
  require(!protocol->build(request, {}).body.empty());
  auto result = protocol->parse_body(data);
  require(result.is_success() || !result.error.empty());
  if (protocol->framing() == providers::stream_framing::sse) {
    providers::sse_parser parser;
    for (const auto& e : parser.feed(data)) {
      protocol->parse_event(e.event, e.data);
    }
  } else {
    providers::ndjson_parser parser;
    for (const auto& line : parser.feed(data)) {
      protocol->parse_event("", line);
    }
  }
  providers::error_message_of(data);
}

void openai_response(std::string_view data) {
  response(definition::provider_kind::openai, data);
}
void anthropic_response(std::string_view data) {
  response(definition::provider_kind::anthropic, data);
}
void ollama_response(std::string_view data) {
  response(definition::provider_kind::ollama, data);
}

// An llm-orc file: read, or refused with diagnostics that print; what is read writes as TOML.
void llm_orc_file(std::string_view data) {
  std::vector<std::string> notes;
  auto ensemble = llm_orc::read_llm_orc_ensemble(data, "fuzz.yaml", &notes);
  require_printable(ensemble);
  if (ensemble.has_value()) {
    require(!llm_orc::to_toml(*ensemble).empty());
  }
}

constexpr std::array targets{
    fuzz_target{"ensemble_file", ensemble_file},
    fuzz_target{"llm_orc_file", llm_orc_file},
    fuzz_target{"config_file", config_file},
    fuzz_target{"sse_stream", sse_stream},
    fuzz_target{"ndjson_stream", ndjson_stream},
    fuzz_target{"openai_response", openai_response},
    fuzz_target{"anthropic_response", anthropic_response},
    fuzz_target{"ollama_response", ollama_response},
};

} // namespace

std::span<const fuzz_target> all_targets() {
  return targets;
}

} // namespace tutti::fuzz
