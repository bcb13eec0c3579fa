#include <tutti/definition/ensemble_catalog.hpp>
#include <tutti/definition/ensemble_parser.hpp>
#include <tutti/definition/ensemble_resolver.hpp>

#include <algorithm>

namespace tutti::definition {
namespace {

// The same file however it was reached; a path that cannot be made canonical stays as given.
std::filesystem::path identity_of(const std::filesystem::path& file) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(file), ec);
  return ec ? file : canonical;
}

} // namespace

ensemble_resolver::ensemble_resolver(const config& c, std::vector<std::filesystem::path> dirs,
                                     std::size_t max_bytes, ensemble_file_reader read)
    : config_(c), dirs_(std::move(dirs)), max_bytes_(max_bytes),
      read_(read ? std::move(read) : ensemble_file_reader{[](const auto& file, auto bytes) {
        return load_ensemble(file, bytes);
      }}) {}

outcome<resolved_ensemble> ensemble_resolver::resolve(const ensemble& e) {
  chain_.emplace_back(identity_of(e.file), e.name);
  auto resolved = definition::resolve(
      e, config_, [this](const auto& name_or_path, const auto& where, const auto& field) {
        return nested(name_or_path, where, field);
      });
  chain_.pop_back();
  return resolved;
}

outcome<std::shared_ptr<const resolved_ensemble>>
ensemble_resolver::nested(const std::string& name_or_path, const source_location& where,
                          const std::string& field) {
  const auto problem = [&](definition_errc code, std::string message) {
    return diagnostics{{code, where, field, std::move(message)}};
  };
  const auto folder = std::filesystem::path{where.file}.parent_path();
  // The naming file's folder first, then the search folders, each once however spelled (a
  // folder searched twice would find each of its ensembles twice).
  std::vector<std::filesystem::path> dirs{folder.empty() ? std::filesystem::path{"."} : folder};
  for (const auto& dir : dirs_) {
    if (std::none_of(dirs.begin(), dirs.end(),
                     [&](const auto& d) { return identity_of(d) == identity_of(dir); })) {
      dirs.push_back(dir);
    }
  }
  auto found = find_ensemble(name_or_path, folder, dirs, max_bytes_);
  if (!found) {
    return problem(definition_errc::not_found, found.problems().front().message);
  }
  const auto file = identity_of(*found);
  if (auto at = std::find_if(chain_.begin(), chain_.end(),
                             [&](const auto& link) { return link.first == file; });
      at != chain_.end()) {
    std::string cycle;
    for (auto link = at; link != chain_.end(); ++link) {
      cycle += link->second + " (" + link->first.filename().string() + ") -> ";
    }
    return problem(definition_errc::dependency_cycle, "ensembles run each other: " + cycle +
                                                          at->second +
                                                          "; an ensemble cannot "
                                                          "run itself");
  }
  if (auto done = resolved_.find(file); done != resolved_.end()) {
    return done->second;
  }
  auto read = read_(*found, max_bytes_);
  if (!read) {
    return read.problems();
  }
  auto resolved = resolve(*read);
  if (!resolved) {
    return resolved.problems();
  }
  auto shared = std::make_shared<const resolved_ensemble>(std::move(resolved).value());
  resolved_.emplace(file, shared);
  return shared;
}

} // namespace tutti::definition
