#include <tutti/definition/agent_output.hpp>

namespace tutti::definition {

using json = nlohmann::json;

json json_or_text(std::string_view output) {
  auto parsed = json::parse(output, nullptr, false);
  return parsed.is_discarded() ? json(std::string{output}) : parsed;
}

std::string json_text(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

const std::string fan_out_limit =
    "the " + std::to_string(max_fan_out_items) + " items one agent may fan out to";

std::variant<std::vector<std::string>, std::string> lines_of(std::string_view output) {
  std::vector<std::string> items;
  while (!output.empty()) {
    auto end = output.find('\n');
    auto line = output.substr(0, end);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      if (items.size() == max_fan_out_items) {
        return "it holds more lines than " + fan_out_limit;
      }
      items.emplace_back(line);
    }
    output = end == std::string_view::npos ? std::string_view{} : output.substr(end + 1);
  }
  return items;
}

} // namespace

std::variant<std::vector<std::string>, std::string> fan_out_items(std::string_view output) {
  auto parsed = json::parse(output, nullptr, false);
  if (parsed.is_discarded() || parsed.is_string() || parsed.is_number() || parsed.is_boolean()) {
    return lines_of(output); // a lone scalar is one line, and one item
  }
  if (parsed.is_object() && parsed.contains("data") && parsed["data"].is_array()) {
    parsed = std::move(parsed["data"]);
  }
  if (!parsed.is_array()) {
    return std::string{"it is JSON but neither an array nor {\"data\": [...]}"};
  }
  if (parsed.size() > max_fan_out_items) {
    return "it holds " + std::to_string(parsed.size()) + " items, more than " + fan_out_limit;
  }
  std::vector<std::string> items;
  items.reserve(parsed.size());
  for (auto& item : parsed) {
    items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  }
  return items;
}

picked_field pick_field(std::string_view output, const std::string& key) {
  auto value = nlohmann::json::parse(output, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    return {false, "the output is not a JSON object"};
  }
  auto found = value.find(key);
  if (found == value.end()) {
    std::string keys;
    for (const auto& [name, field] : value.items()) {
      keys += (keys.empty() ? "" : ", ") + name;
    }
    return {false, "it has no field '" + key +
                       "' (its fields: " + (keys.empty() ? std::string{"none"} : keys) + ")"};
  }
  return {true, found->is_string() ? found->get<std::string>() : json_text(*found)};
}

} // namespace tutti::definition
