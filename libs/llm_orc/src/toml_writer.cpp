#include <tutti/llm_orc/toml_writer.hpp>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

namespace tutti::llm_orc {
namespace {

// Whether `text` reads best as a multi-line literal string, shown as it is: it has lines, and
// nothing a literal string cannot hold (control characters other than tab and newline, three
// single quotes, a single quote just before the closing ones).
bool reads_best_as_lines(std::string_view text) {
  if (text.find('\n') == std::string_view::npos || text.find("'''") != std::string_view::npos ||
      text.back() == '\'') {
    return false;
  }
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n' && c != '\t') || u == 0x7f;
  });
}

// Written one key at a time, so that keys come in the order a person reads them (a toml::table
// sorts its keys). toml++ quotes and escapes, in basic strings only: toml++ 3.3 writes a text
// holding ''' inside a multi-line literal string unescaped, which no reader can read back.
class toml_lines {
 public:
  template <class T>
  void add(std::string_view key, T&& value) {
    toml::table line;
    line.insert(key, std::forward<T>(value));
    out_ << toml::toml_formatter{line, toml::format_flags::allow_unicode_strings |
                                           toml::format_flags::indentation}
         << '\n';
  }
  void add(std::string_view key, const std::string& text) {
    if (reads_best_as_lines(text)) {
      // The newline after the opening quotes is not part of the string.
      out_ << key << " = '''\n" << text << "'''\n";
    } else {
      add(key, toml::value<std::string>{text});
    }
  }
  template <class T>
  void add_if_set(std::string_view key, const std::optional<T>& value) {
    if (value) {
      add(key, *value);
    }
  }
  void raw(std::string_view text) { out_ << text; }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

toml::array strings(const std::vector<std::string>& values) {
  toml::array array;
  for (const auto& v : values) {
    array.push_back(v);
  }
  return array;
}

// Whole seconds as an integer, else a fraction.
void add_seconds(toml_lines& lines, std::string_view key,
                 const std::optional<std::chrono::milliseconds>& d) {
  if (!d) {
    return;
  }
  if (d->count() % 1000 == 0) {
    lines.add(key, static_cast<std::int64_t>(d->count() / 1000));
  } else {
    lines.add(key, static_cast<double>(d->count()) / 1000.0);
  }
}

// JSON as TOML: objects become inline tables; nulls, which TOML cannot write, are left out.
toml::table inline_table(const nlohmann::json& object);

toml::array toml_array(const nlohmann::json& array);

template <class Insert>
void insert_json(const nlohmann::json& value, Insert&& insert) {
  if (value.is_object()) {
    insert(inline_table(value));
  } else if (value.is_array()) {
    insert(toml_array(value));
  } else if (value.is_string()) {
    insert(value.get<std::string>());
  } else if (value.is_boolean()) {
    insert(value.get<bool>());
  } else if (value.is_number_integer()) {
    insert(value.get<std::int64_t>());
  } else if (value.is_number()) {
    insert(value.get<double>());
  }
}

toml::table inline_table(const nlohmann::json& object) {
  toml::table table;
  table.is_inline(true);
  for (const auto& [key, value] : object.items()) {
    insert_json(value, [&](auto&& v) { table.insert(key, std::forward<decltype(v)>(v)); });
  }
  return table;
}

toml::array toml_array(const nlohmann::json& array) {
  toml::array out;
  for (const auto& value : array) {
    insert_json(value, [&](auto&& v) { out.push_back(std::forward<decltype(v)>(v)); });
  }
  return out;
}

toml::table loop_table(const definition::loop_spec& loop) {
  toml::table table;
  table.is_inline(true);
  table.insert("body", loop.body);
  if (loop.until) {
    table.insert("until", *loop.until);
  }
  table.insert("max_iterations", static_cast<std::int64_t>(loop.max_iterations));
  if (loop.carry_replaces_input && loop.carry.size() == 1) {
    table.insert("carry", loop.carry.front());
  } else if (!loop.carry.empty()) {
    table.insert("carry", strings(loop.carry));
  }
  return table;
}

void add_settings(toml_lines& lines, const definition::model_settings& s) {
  lines.add_if_set("backend", s.backend);
  lines.add_if_set("provider", s.provider);
  lines.add_if_set("base_url", s.base_url);
  lines.add_if_set("model", s.model);
  lines.add_if_set("system_prompt", s.system_prompt);
  lines.add_if_set("temperature", s.temperature);
  if (s.max_tokens) {
    lines.add("max_tokens", static_cast<std::int64_t>(*s.max_tokens));
  }
  add_seconds(lines, "timeout_seconds", s.timeout);
  add_seconds(lines, "queue_timeout_seconds", s.queue_timeout);
  if (s.fallback) {
    lines.add("fallback", strings(*s.fallback));
  }
}

void add_agent(toml_lines& lines, const definition::agent_spec& a) {
  lines.raw("\n[[agents]]\n");
  lines.add("name", a.name);
  lines.add_if_set("profile", a.profile);
  add_settings(lines, a.settings);
  if (a.priority) {
    lines.add("priority", static_cast<std::int64_t>(*a.priority));
  }
  if (!a.depends_on.empty()) {
    lines.add("depends_on", strings(a.depends_on));
  }
  if (a.on_dependency_failure == definition::dependency_failure_policy::run) {
    lines.add("on_dependency_failure", "run");
  }
  lines.add_if_set("when", a.when);
  lines.add_if_set("fan_out", a.fan_out);
  lines.add_if_set("input_key", a.input_key);
  if (a.script) {
    lines.add("script", strings(*a.script));
  }
  if (a.script_input_kind == definition::script_input::json) {
    lines.add("script_input", "json");
  }
  if (a.parameters && a.parameters->is_object()) {
    lines.add("parameters", inline_table(*a.parameters));
  }
  lines.add_if_set("output_format", a.output_format);
  lines.add_if_set("ensemble", a.ensemble);
  if (a.loop) {
    lines.add("loop", loop_table(*a.loop));
  }
  lines.add_if_set("nested_output", a.nested_output);
  lines.add_if_set("prompt", a.prompt); // last: it is the longest
}

// A table name as TOML writes it: bare when it can be, else quoted.
std::string key_text(const std::string& name) {
  bool is_bare = !name.empty();
  for (char c : name) {
    is_bare = is_bare && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_');
  }
  if (is_bare) {
    return name;
  }
  std::ostringstream quoted;
  quoted << toml::toml_formatter{toml::value<std::string>{name}, toml::format_flags::none};
  return quoted.str();
}

} // namespace

std::string to_toml(const definition::ensemble& e) {
  toml_lines lines;
  lines.add("name", e.name);
  if (!e.description.empty()) {
    lines.add("description", e.description);
  }
  if (!e.default_input.empty()) {
    lines.add("default_input", e.default_input);
  }
  if (e.max_concurrent_agents) {
    lines.add("max_concurrent_agents", static_cast<std::int64_t>(*e.max_concurrent_agents));
  }
  add_seconds(lines, "timeout_seconds", e.timeout);
  if (e.priority) {
    lines.add("priority", static_cast<std::int64_t>(*e.priority));
  }
  if (e.scheduling == definition::scheduling_policy::eager) {
    lines.add("scheduling", "eager");
  }
  for (const auto& a : e.agents) {
    add_agent(lines, a);
  }
  return lines.str();
}

std::map<std::string, definition::profile>
profiles_used_by(const definition::ensemble& e,
                 const std::map<std::string, definition::profile>& all) {
  std::map<std::string, definition::profile> used;
  auto use = [&](const std::string& name) {
    auto found = all.find(name);
    if (found == all.end()) {
      return;
    }
    used.insert(*found);
    for (const auto& fallback :
         found->second.settings.fallback.value_or(std::vector<std::string>{})) {
      if (auto f = all.find(fallback); f != all.end()) {
        used.insert(*f);
      }
    }
  };
  for (const auto& a : e.agents) {
    if (a.profile) {
      use(*a.profile);
    }
    for (const auto& fallback : a.settings.fallback.value_or(std::vector<std::string>{})) {
      use(fallback);
    }
  }
  return used;
}

std::string profiles_toml(const std::map<std::string, definition::profile>& used) {
  toml_lines lines;
  bool is_first = true;
  for (const auto& [name, p] : used) {
    lines.raw(std::string{is_first ? "" : "\n"} + "[profiles." + key_text(name) + "]\n");
    is_first = false;
    add_settings(lines, p.settings);
  }
  return lines.str();
}

} // namespace tutti::llm_orc
