#include "cluster_reader.hpp"
#include "model_settings_reader.hpp"
#include "table_reader.hpp"

#include <tutti/definition/config_loader.hpp>
#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/source_text.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace tutti::definition {
namespace {

bool is_variable_name(std::string_view name) {
  return !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_';
         });
}

void read_limits(table_reader& reader, run_limits& limits) {
  if (auto n = reader.integer("max_concurrent_llm_calls", cap_range)) {
    limits.max_concurrent_llm_calls = *n;
  }
  if (auto n = reader.integer("max_concurrent_agents", cap_range)) {
    limits.max_concurrent_agents = *n;
  }
  if (auto t = reader.seconds("agent_timeout_seconds")) {
    limits.agent_timeout = *t;
  }
  if (auto t = reader.seconds("ensemble_timeout_seconds")) {
    limits.ensemble_timeout = *t;
  }
  limits.queue_timeout = reader.seconds("queue_timeout_seconds");
  if (auto n = reader.integer("max_definition_mib", definition_mib_range)) {
    limits.max_definition_mib = *n;
  }
  reader.report_unknown_keys();
}

std::optional<backend_spec> read_backend(table_reader& reader, const std::string& name,
                                         std::string_view ollama_host) {
  auto provider_name = reader.choice("provider", provider_names());
  if (!reader.has("provider")) {
    reader.report(definition_errc::missing_field, "provider",
                  "is required: openai, anthropic, ollama, lmstudio, mock or process");
  }
  backend_spec b;
  b.name = name;
  b.where = reader.location();
  b.provider = parse_provider_kind(provider_name.value_or("")).value_or(provider_kind::mock);
  auto base_url = reader.url("base_url");
  if (auto resource = reader.choice("resource", {"remote-api", "remote-server", "local-server"})) {
    b.resource = parse_resource_class(*resource);
  }
  const bool wants_auto_limit = reader.has_text("max_concurrent", "auto");
  if (wants_auto_limit) {
    reader.text("max_concurrent");
  } else {
    b.max_concurrent = reader.limit("max_concurrent");
  }
  if (auto refresh = reader.seconds("auto_refresh_seconds")) {
    b.auto_refresh = *refresh;
  }
  if (reader.choice("exclusive", {"backend", "model"}) == "model") {
    b.exclusive = exclusivity::model;
  }
  if (auto failures = reader.integer("backoff_after_failures", {1, 1000})) {
    b.backoff.failures_before_pause = *failures;
  }
  if (auto pause = reader.seconds("backoff_initial_seconds")) {
    b.backoff.initial_pause = *pause;
  }
  if (auto pause = reader.seconds("backoff_max_seconds")) {
    b.backoff.max_pause = *pause;
  }
  if (auto attempts = reader.integer("max_attempts", {1, 20})) {
    b.max_attempts = *attempts;
  }
  if (auto tokens = reader.integer("default_max_tokens", max_tokens_range)) {
    b.default_max_tokens = *tokens;
  }
  auto key_env = reader.text("api_key_env");
  reader.report_unknown_keys();
  if (!provider_name) {
    return std::nullopt;
  }
  if (auto reserved = parse_provider_kind(name); reserved && *reserved != b.provider) {
    reader.report(definition_errc::invalid_value, "provider",
                  "the backend name '" + name + "' is reserved for provider '" + name + "'");
  }
  if (wants_auto_limit) {
    if (b.provider == provider_kind::ollama || b.provider == provider_kind::lmstudio) {
      b.is_auto_limit = true;
    } else {
      reader.report_value(definition_errc::invalid_value, "max_concurrent",
                          "\"auto\" asks the server how many models it has loaded, which only "
                          "ollama and lmstudio backends can answer");
    }
  }
  if (b.backoff.max_pause < b.backoff.initial_pause) {
    reader.report_value(definition_errc::out_of_range, "backoff_max_seconds",
                        "must not be less than backoff_initial_seconds");
  }
  if (b.provider == provider_kind::mock && base_url) {
    reader.report(definition_errc::invalid_value, "base_url",
                  "the mock provider runs in-process and takes no base_url");
  }
  const auto default_url = default_base_url(b.provider, ollama_host);
  b.base_url = base_url.value_or(default_url);
  if (key_env && !is_variable_name(*key_env)) {
    // Never echo the value: a key pasted here by mistake must not reach a terminal or log.
    reader.report(definition_errc::invalid_value, "api_key_env",
                  "must name an environment variable (letters, digits and '_'), not hold the "
                  "key itself");
  }
  // A provider's default key goes only to that provider's own host: an OpenAI-compatible
  // server elsewhere must not receive OPENAI_API_KEY unless the configuration says so.
  b.api_key_env = key_env.value_or(
      b.base_url == default_url ? std::string{default_api_key_env(b.provider)} : std::string{});
  return b;
}

void read_backends(const toml::table& table, const std::string& file, std::string_view ollama_host,
                   config& c, diagnostics& out) {
  table_reader parent{table, file, "backends", out};
  for (const auto& [key, node] : table) {
    const std::string name{key.str()};
    if (const auto* t = parent.table(name)) {
      table_reader reader{*t, file, "backends." + name, out};
      if (auto backend = read_backend(reader, name, ollama_host)) {
        c.backends.insert_or_assign(name, std::move(*backend));
      }
    }
  }
}

void read_profiles(const toml::table& table, const std::string& file, config& c, diagnostics& out) {
  std::vector<std::string> backend_names;
  for (const auto& [name, backend] : c.backends) {
    backend_names.push_back(name);
  }
  table_reader parent{table, file, "profiles", out};
  for (const auto& [key, node] : table) {
    const std::string name{key.str()};
    const auto* t = parent.table(name);
    if (t == nullptr) {
      continue;
    }
    table_reader reader{*t, file, "profiles." + name, out};
    profile p{name, read_model_settings(reader), reader.location()};
    reader.report_unknown_keys();
    if (p.settings.backend && c.backends.count(*p.settings.backend) == 0) {
      reader.report(definition_errc::unknown_backend, "backend",
                    "unknown backend '" + *p.settings.backend + "'" +
                        did_you_mean(*p.settings.backend, backend_names));
    }
    c.profiles.emplace(name, std::move(p));
  }
  // A profile's fallbacks name profiles of this file: said here, at its line, rather than at
  // each agent that uses it.
  std::vector<std::string> profile_names;
  for (const auto& [name, p] : c.profiles) {
    profile_names.push_back(name);
  }
  for (const auto& [name, p] : c.profiles) {
    auto others = profile_names; // what it may fall back to
    others.erase(std::find(others.begin(), others.end(), name));
    for (const auto& fallback : p.settings.fallback.value_or(std::vector<std::string>{})) {
      table_reader reader{*parent.table(name), file, "profiles." + name, out};
      if (fallback == name) {
        reader.report_value(definition_errc::invalid_value, "fallback",
                            "names '" + name + "', the profile itself");
      } else if (c.profiles.count(fallback) == 0) {
        reader.report_value(definition_errc::unknown_profile, "fallback",
                            "unknown profile '" + fallback + "'" + did_you_mean(fallback, others));
      }
    }
  }
}

void read_prices(const toml::table& table, const std::string& file, config& c, diagnostics& out) {
  table_reader parent{table, file, "prices", out};
  for (const auto& [key, node] : table) {
    const std::string model{key.str()};
    const auto* t = parent.table(model);
    if (t == nullptr) {
      continue;
    }
    table_reader reader{*t, file, "prices." + model, out};
    constexpr value_range<double> dollars{0.0, 1e9};
    auto input = reader.number("input_per_mtok", dollars);
    auto output = reader.number("output_per_mtok", dollars);
    for (const char* key : {"input_per_mtok", "output_per_mtok"}) {
      if (!reader.has(key)) {
        reader.report(definition_errc::missing_field, key,
                      std::string{"the price of model '"} + model + "' needs " + key +
                          " (US dollars per million tokens)");
      }
    }
    reader.report_unknown_keys();
    if (input && output) {
      c.prices[model] = {*input, *output};
    }
  }
}

template <class T>
void override_from(const environment& env, const std::string& variable, T& target, diagnostics& out,
                   value_range<int> range = cap_range) {
  auto value = env(variable);
  if (!value) {
    return;
  }
  if constexpr (std::is_same_v<T, int>) {
    int n = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
    if (ec == std::errc{} && end == value->data() + value->size() && n >= range.min &&
        n <= range.max) {
      target = n;
      return;
    }
    out.push_back({definition_errc::invalid_value,
                   {},
                   variable,
                   "must be an integer between " + std::to_string(range.min) + " and " +
                       std::to_string(range.max) + ", got '" + *value + "'"});
  } else {
    char* end = nullptr;
    double seconds = std::strtod(value->c_str(), &end);
    if (!value->empty() && end == value->c_str() + value->size() && seconds > 0 &&
        seconds <= max_seconds) {
      target = std::max(std::chrono::milliseconds{1},
                        std::chrono::milliseconds{std::llround(seconds * 1000.0)});
      return;
    }
    out.push_back({definition_errc::invalid_value,
                   {},
                   variable,
                   "must be a number of seconds greater than 0, got '" + *value + "'"});
  }
}

void apply_environment(const environment& env, run_limits& limits, diagnostics& out) {
  override_from(env, "TUTTI_MAX_CONCURRENT_LLM_CALLS", limits.max_concurrent_llm_calls, out);
  override_from(env, "TUTTI_MAX_CONCURRENT_AGENTS", limits.max_concurrent_agents, out);
  override_from(env, "TUTTI_AGENT_TIMEOUT_SECONDS", limits.agent_timeout, out);
  override_from(env, "TUTTI_ENSEMBLE_TIMEOUT_SECONDS", limits.ensemble_timeout, out);
  override_from(env, "TUTTI_MAX_DEFINITION_MIB", limits.max_definition_mib, out,
                definition_mib_range);
}

} // namespace

std::optional<std::filesystem::path>
locate_config(const std::optional<std::filesystem::path>& explicit_path,
              const std::filesystem::path& working_dir, const environment& env) {
  if (explicit_path) {
    return working_dir / *explicit_path; // an absolute path replaces working_dir
  }
  std::error_code ec;
  if (auto local = working_dir / "tutti.toml"; std::filesystem::exists(local, ec)) {
    return local;
  }
  if (auto home = config_home(env)) {
    if (auto user = *home / "tutti" / "config.toml"; std::filesystem::exists(user, ec)) {
      return user;
    }
  }
  return std::nullopt;
}

outcome<config> parse_config(std::string_view text, const std::string& file,
                             const environment& env) {
  auto document = parse_toml(text, file);
  if (!document) {
    return document.problems();
  }
  const toml::table& root = *document;
  const auto ollama_host = env("OLLAMA_HOST").value_or("");
  diagnostics out;
  config c;
  c.file = file;
  c.backends = builtin_backends(ollama_host);
  table_reader top{root, file, "", out};
  if (const auto* limits = top.table("limits")) {
    table_reader reader{*limits, file, "limits", out};
    read_limits(reader, c.limits);
  }
  if (const auto* backends = top.table("backends")) {
    read_backends(*backends, file, ollama_host, c, out);
  }
  if (const auto* profiles = top.table("profiles")) {
    read_profiles(*profiles, file, c, out);
  }
  if (const auto* prices = top.table("prices")) {
    read_prices(*prices, file, c, out);
  }
  if (const auto* store = top.table("store")) {
    table_reader reader{*store, file, "store", out};
    if (auto path = reader.non_empty_text("path")) {
      // "~/..." as a shell reads it; else relative to this file's folder (absolute stays so).
      auto home = env("HOME");
      c.store_path = path->starts_with("~/") && home
                         ? std::filesystem::path{*home} / path->substr(2)
                         : std::filesystem::path{file}.parent_path() / *path;
    }
    reader.report_unknown_keys();
  }
  if (const auto* cluster = top.table("cluster")) {
    table_reader reader{*cluster, file, "cluster", out};
    read_cluster(reader, c.cluster);
  }
  top.report_unknown_keys();
  apply_environment(env, c.limits, out);
  if (!out.empty()) {
    return out;
  }
  return c;
}

outcome<config> load_config(const std::optional<std::filesystem::path>& explicit_path,
                            const std::filesystem::path& working_dir, const environment& env) {
  auto file = locate_config(explicit_path, working_dir, env);
  if (!file) {
    return parse_config("", "", env);
  }
  auto text = read_source_text(*file);
  if (!text) {
    return text.problems();
  }
  return parse_config(*text, file->string(), env);
}

} // namespace tutti::definition
