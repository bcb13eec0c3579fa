#include "model_settings_reader.hpp"

#include <tutti/definition/provider_kind.hpp>

#include <algorithm>

namespace tutti::definition {

std::vector<std::string> provider_names() {
  std::vector<std::string> names;
  for (auto p : all_provider_kinds) {
    names.emplace_back(to_string(p));
  }
  return names;
}

model_settings read_model_settings(table_reader& reader) {
  model_settings s;
  s.backend = reader.non_empty_text("backend");
  s.provider = reader.choice("provider", provider_names());
  s.base_url = reader.url("base_url");
  s.model = reader.non_empty_text("model");
  s.system_prompt = reader.text("system_prompt");
  s.timeout = reader.seconds("timeout_seconds");
  s.queue_timeout = reader.seconds("queue_timeout_seconds");
  s.temperature = reader.number("temperature", temperature_range);
  s.max_tokens = reader.integer("max_tokens", max_tokens_range);
  s.fallback = reader.text_list("fallback");
  if (s.fallback && std::any_of(s.fallback->begin(), s.fallback->end(),
                                [](const std::string& name) { return name.empty(); })) {
    reader.report_value(definition_errc::invalid_value, "fallback",
                        "names a profile with an empty string");
  }
  if (const auto* mock = reader.table("mock")) {
    table_reader mock_reader{*mock, reader.file(), reader.field("mock"), reader.problems()};
    if (auto latency = mock_reader.integer("latency_ms", {0, 24 * 3600 * 1000})) {
      s.mock.latency = std::chrono::milliseconds{*latency};
    }
    s.mock.reply = mock_reader.text("reply");
    s.mock.fail = mock_reader.text("fail");
    mock_reader.report_unknown_keys();
  }
  if (auto problem =
          check_target(reader.has("backend"), reader.has("provider"), reader.has("base_url"))) {
    reader.report(problem->code, problem->key, std::move(problem->message));
  }
  return s;
}

} // namespace tutti::definition
