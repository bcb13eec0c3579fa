// The resource groups a set of backends forms: which backends and URL spellings reach each
// server, and the limit they give it. Two backends that reach one server share its group, so
// they must agree on its limit; the directory says when they do not. Pure: no actors.
#pragma once

#include <tutti/definition/diagnostic.hpp>
#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/resources/resource_group.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tutti::resources {

class group_directory {
 public:
  /// The group of `backend` (and `model`, for exclusive = "model"), which joins it; or, when
  /// an earlier backend gave that server another limit, why it cannot, and it does not join.
  struct membership {
    resource_group group;
    std::optional<std::string> conflict;
  };
  membership join(const definition::backend_spec& backend, std::string_view model = {});

  /// The URLs of the backends that reach group `id` where they name its host otherwise than
  /// the id does ("http://127.0.0.1:11434/v1" for "http://localhost:11434"), in order.
  std::vector<std::string> spellings(const std::string& id) const;

 private:
  struct member_group {
    std::string first_backend;
    std::string limit;
    std::set<std::string> spellings;
  };
  std::map<std::string, member_group> groups_;
};

/// The agents of `e` whose backend reaches a server that another backend (of `e`, or already
/// in `directory`) gives another limit; `e`'s backends join `directory`.
definition::diagnostics conflicting_limits(const definition::resolved_ensemble& e,
                                           group_directory& directory);

} // namespace tutti::resources
