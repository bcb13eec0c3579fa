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
  }
  return "unknown";
}

std::string_view to_string(run_mode m) {
  return m == run_mode::sequential ? "sequential" : "parallel";
}

std::string_view to_string(definition::scheduling_policy s) {
  return s == definition::scheduling_policy::eager ? "eager" : "phased";
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
  if (succeeded == static_cast<std::ptrdiff_t>(agents.size())) {
    return run_status::completed;
  }
  return succeeded == 0 ? run_status::failed : run_status::partial;
}

} // namespace tutti::engine
