#include <tutti/definition/provider_kind.hpp>
#include <tutti/engine/run_result.hpp>

#include <algorithm>

namespace tutti::engine {

std::string_view to_string(agent_status s) {
  switch (s) {
  case agent_status::success:
    return "success";
  case agent_status::failed:
    return "failed";
  case agent_status::timeout:
    return "timeout";
  case agent_status::skipped:
    return "skipped";
  case agent_status::pending:
    return "pending";
  case agent_status::partial:
    return "partial";
  }
  return "unknown";
}

std::string_view to_string(run_status s) {
  switch (s) {
  case run_status::completed:
    return "completed";
  case run_status::partial:
    return "partial";
  case run_status::failed:
    return "failed";
  case run_status::timeout:
    return "timeout";
  case run_status::cancelled:
    return "cancelled";
  case run_status::running:
    return "running";
  case run_status::interrupted:
    return "interrupted";
  }
  return "unknown";
}

std::string_view to_string(run_mode m) {
  return m == run_mode::sequential ? "sequential" : "parallel";
}

std::string_view to_string(definition::scheduling_policy s) {
  return s == definition::scheduling_policy::eager ? "eager" : "phased";
}

namespace {

template <class Enum>
std::optional<Enum> named(std::string_view name, Enum last) {
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    if (to_string(static_cast<Enum>(i)) == name) {
      return static_cast<Enum>(i);
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<agent_status> agent_status_named(std::string_view name) {
  return named(name, agent_status::partial);
}

std::optional<run_status> run_status_named(std::string_view name) {
  return named(name, run_status::interrupted);
}

std::optional<run_mode> run_mode_named(std::string_view name) {
  return named(name, run_mode::sequential);
}

std::optional<definition::scheduling_policy> scheduling_named(std::string_view name) {
  return named(name, definition::scheduling_policy::eager);
}

const agent_result* run_result::find(std::string_view name) const {
  auto i = std::find_if(agents.begin(), agents.end(),
                        [&](const agent_result& a) { return a.name == name; });
  return i == agents.end() ? nullptr : &*i;
}

double run_result::total_agent_ms() const {
  double total = 0;
  for (const auto& a : agents) {
    total += a.duration_ms;
  }
  return total;
}

run_status status_of(const std::vector<agent_result>& agents) {
  auto succeeded = std::count_if(agents.begin(), agents.end(), [](const agent_result& a) {
    return a.status == agent_status::success;
  });
  auto needed = std::count_if(agents.begin(), agents.end(),
                              [](const agent_result& a) { return !a.skipped_by_condition; });
  if (succeeded == needed) {
    return run_status::completed;
  }
  const auto in_part = std::count_if(agents.begin(), agents.end(), [](const agent_result& a) {
    return a.status == agent_status::partial;
  });
  return succeeded + in_part == 0 ? run_status::failed : run_status::partial;
}

run_totals totals_of(const run_result& r) {
  run_totals t;
  for (const auto& a : r.agents) {
    ++t.agents;
    switch (a.status) {
    case agent_status::success:
      ++t.succeeded;
      break;
    case agent_status::failed:
      ++t.failed;
      break;
    case agent_status::timeout:
      ++t.timed_out;
      break;
    case agent_status::skipped:
      ++t.skipped;
      t.skipped_by_condition += a.skipped_by_condition ? 1 : 0;
      break;
    case agent_status::pending:
      ++t.pending;
      break;
    case agent_status::partial:
      ++t.partial;
      break;
    }
    t.agent_ms += a.duration_ms;
    t.input_tokens += a.reused ? 0 : a.usage.input_tokens.value_or(0);
    t.output_tokens += a.reused ? 0 : a.usage.output_tokens.value_or(0);
    const bool has_output = a.status == agent_status::success || a.status == agent_status::partial;
    if (!has_output || a.reused ||
        a.provider == definition::to_string(definition::provider_kind::process)) {
      continue; // a failed, cancelled or reused call, or a script: no usage owed
    }
    t.without_usage += a.usage.is_known() ? 0 : 1;
    if (a.cost_usd) {
      t.cost_usd = t.cost_usd.value_or(0.0) + *a.cost_usd;
    } else {
      ++t.without_cost;
    }
  }
  return t;
}

std::string output_heading(const std::string& agent, std::size_t finals) {
  return finals > 1 ? "### " + agent + "\n\n" : "";
}

std::optional<std::string> final_output(const run_result& r, std::string& why) {
  if (r.phases.empty()) {
    return std::string{};
  }
  const auto& last_phase = r.phases.back();
  std::vector<const agent_result*> finals; // a condition skipped is not needed: no part of it
  for (const auto& a : r.agents) {
    if (std::find(last_phase.begin(), last_phase.end(), a.name) != last_phase.end() &&
        !a.skipped_by_condition) {
      finals.push_back(&a);
    }
  }
  std::string text;
  for (const auto* a : finals) {
    if (a->status != agent_status::success && a->status != agent_status::partial) {
      why = "ensemble " + r.ensemble + " (run " + r.id + "): agent " + a->name + " " +
            std::string{to_string(a->status)} + (a->error.empty() ? "" : ": " + a->error);
      return std::nullopt;
    }
    text += (text.empty() ? "" : "\n\n") + output_heading(a->name, finals.size()) + a->response;
  }
  return text;
}

} // namespace tutti::engine
