#include <tutti/definition/server_url.hpp>
#include <tutti/resources/group_directory.hpp>

namespace tutti::resources {

group_directory::membership group_directory::join(const definition::backend_spec& backend,
                                                  std::string_view model) {
  membership m{classify(backend, model), std::nullopt};
  const auto limit = limit_text(m.group);
  auto [found, is_new] = groups_.try_emplace(m.group.id, member_group{backend.name, limit, {}});
  if (!is_new && found->second.limit != limit) {
    m.conflict = "backends '" + found->second.first_backend + "' and '" + backend.name +
                 "' are the same server (group " + m.group.id + ") with different limits (" +
                 found->second.limit + " and " + limit +
                 "); use one backend for it, or give both the same limit";
    return m;
  }
  // A spelling is worth showing when it names the server otherwise, not for its path alone.
  if (auto url = definition::parse_server_url(backend.base_url);
      url && url->scheme + "://" + url->authority() != url->identity()) {
    found->second.spellings.insert(backend.base_url);
  }
  return m;
}

std::vector<std::string> group_directory::spellings(const std::string& id) const {
  auto found = groups_.find(id);
  if (found == groups_.end()) {
    return {};
  }
  return {found->second.spellings.begin(), found->second.spellings.end()};
}

definition::diagnostics conflicting_limits(const definition::resolved_ensemble& e,
                                           group_directory& directory) {
  definition::diagnostics problems;
  std::set<std::string> reported; // one problem per pair of backends is enough
  definition::for_each_caller(e, [&](const definition::resolved_agent& agent) {
    auto m = directory.join(agent.backend, agent.model);
    if (m.conflict && reported.insert(*m.conflict).second) {
      // The backend's own definition is where a limit is set, when it has one.
      const bool is_configured = !agent.backend.where.file.empty();
      problems.push_back(
          {definition::definition_errc::conflicting_fields,
           is_configured ? agent.backend.where : definition::source_location{e.file, 0, 0},
           is_configured ? "backends." + agent.backend.name : "agents." + agent.name + ".backend",
           *m.conflict});
    }
  });
  return problems;
}

} // namespace tutti::resources
