#include <tutti/engine/run_json.hpp>

#include <nlohmann/json.hpp>

namespace tutti::engine {
namespace {

using json = nlohmann::ordered_json;

json optional_ms(const std::optional<double>& ms) {
  return ms ? json(*ms) : json(nullptr);
}

json agent_json(const agent_result& a) {
  json j;
  j["status"] = to_string(a.status);
  j["response"] = a.status == agent_status::success ? json(a.response) : json(nullptr);
  j["error"] = a.error.empty() ? json(nullptr) : json(a.error);
  j["error_code"] = a.error_code ? json(providers::to_string(*a.error_code)) : json(nullptr);
  j["provider"] = a.provider;
  j["model"] = a.model;
  j["backend"] = a.backend;
  j["group"] = a.group;
  j["phase"] = a.phase;
  j["queued_ms"] = optional_ms(a.queued_ms);
  j["started_ms"] = optional_ms(a.started_ms);
  j["finished_ms"] = optional_ms(a.finished_ms);
  j["duration_ms"] = a.duration_ms;
  j["attempts"] = a.attempts;
  j["usage"] = {{"input_tokens", a.usage.input_tokens}, {"output_tokens", a.usage.output_tokens}};
  return j;
}

json group_json(const resources::group_statistics& g) {
  return {{"id", g.id},
          {"spellings", g.spellings},
          {"resource", g.resource},
          {"limit", g.is_unlimited ? json(nullptr) : json(g.limit)},
          {"auto_limit", g.is_auto_limit},
          {"active", g.active},
          {"pending", g.pending},
          {"peak_active", g.peak_active},
          {"completed", g.completed},
          {"failed", g.failed},
          {"timed_out", g.timed_out},
          {"cancelled", g.cancelled},
          {"backoff", g.backoff},
          {"note", g.note},
          {"wait_ms",
           {{"mean", g.wait_mean_ms},
            {"p50", g.wait_p50_ms},
            {"p95", g.wait_p95_ms},
            {"max", g.wait_max_ms}}}};
}

} // namespace

std::string to_json(const run_result& r, int indent) {
  json j;
  j["ensemble"] = r.ensemble;
  j["status"] = to_string(r.status);
  j["input"] = r.input;
  j["elapsed_ms"] = r.elapsed_ms;
  j["mode"] = to_string(r.mode);
  j["scheduling"] = to_string(r.scheduling);
  j["max_concurrent_agents"] = r.max_concurrent_agents;
  j["total_agent_ms"] = r.total_agent_ms();
  j["phases"] = r.phases;
  json agents = json::object();
  for (const auto& a : r.agents) {
    agents[a.name] = agent_json(a);
  }
  j["agents"] = std::move(agents);
  json groups = json::array();
  for (const auto& g : r.resources) {
    groups.push_back(group_json(g));
  }
  j["resources"] = std::move(groups);
  json caps = json::array();
  for (const auto& c : r.caps) {
    caps.push_back(group_json(c));
  }
  j["caps"] = std::move(caps);
  // Model output is arbitrary bytes: replace invalid UTF-8 rather than throw.
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

} // namespace tutti::engine
