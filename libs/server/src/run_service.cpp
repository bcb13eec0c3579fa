#include <tutti/engine/run_id.hpp>
#include <tutti/server/run_service.hpp>
#include <tutti/store/fingerprint.hpp>
#include <tutti/store/store_recorder.hpp>

#include <algorithm>

namespace tutti::server {
namespace {

std::string ensemble_names(const library& lib) {
  std::string names;
  for (const auto& [name, e] : lib.ensembles) {
    names += (names.empty() ? "" : ", ") + name;
  }
  return names.empty() ? "none" : names;
}

} // namespace

run_service::run_service(library_source source, library initial,
                         engine::engine_options engine_options, service_settings settings,
                         std::shared_ptr<store::store_writer> writer)
    : source_(std::move(source)), settings_(settings), writer_(std::move(writer)),
      library_(std::make_shared<const library>(std::move(initial))),
      engine_(library_->config, std::move(engine_options)) {
  prepare(*library_);
}

void run_service::prepare(const library& lib) {
  for (const auto& [name, e] : lib.ensembles) {
    engine_.prepare(e);
  }
}

run_service::~run_service() {
  shutdown();
}

api_outcome<std::shared_ptr<run_record>> run_service::submit(run_request request) {
  auto lib = current();
  auto found = lib->ensembles.find(request.ensemble);
  if (found == lib->ensembles.end()) {
    return api_error{404, "no ensemble named '" + request.ensemble + "' (this server has " +
                              ensemble_names(*lib) + ")"};
  }
  definition::resolved_ensemble e = found->second;
  if (request.timeout) {
    e.timeout = *request.timeout;
  }
  // An input given is taken as it is, even empty, as `tutti run --input ""` does.
  std::string input = request.input.value_or(e.default_input);
  if (!request.input && input.empty()) {
    return api_error{400, "no input for " + e.name + ": give \"input\", or set default_input in " +
                              e.file};
  }
  engine::run_options options;
  options.priority = request.priority;
  options.max_concurrent_agents = request.max_concurrent_agents;
  options.mode = request.mode.value_or(engine::run_mode::parallel);
  options.scheduling = request.scheduling;
  options.id = unused_run_id();
  std::shared_ptr<engine::run_observer> store_recorder;
  if (writer_) {
    auto origin = store::origin_of(e);
    origin.file =
        std::filesystem::absolute(source_.working_dir / e.file).lexically_normal().string();
    store_recorder = std::make_shared<store::run_recorder>(writer_, std::move(origin));
  }
  auto record = std::make_shared<run_record>(
      options.id, e.name, request.priority.value_or(definition::default_priority),
      std::move(store_recorder), [this, id = options.id] { finished(id); });
  options.observer = record;
  {
    std::lock_guard lock{mutex_};
    if (stopping_) {
      return api_error{503, "the server is stopping", std::nullopt};
    }
    if (going_.size() + starting_ >= settings_.max_pending_runs) {
      return api_error{503,
                       "the server is at its limit of " +
                           std::to_string(going_.size() + starting_) +
                           " runs going (--max-pending-runs); try again shortly",
                       1};
    }
    ++starting_;
  }
  try {
    record->attach(engine_.start(e, std::move(input), std::move(options),
                                 [record](const engine::run_event& ev) { record->add(ev); }));
  } catch (const engine::engine_error& problem) {
    record->abandon();
    std::lock_guard lock{mutex_};
    --starting_;
    std::string message;
    for (const auto& p : problem.problems()) {
      message += (message.empty() ? "" : "; ") + definition::to_string(p);
    }
    return api_error{409, message};
  }
  // Listed only now that the engine has shown it whole (its agents, its phases).
  std::lock_guard lock{mutex_};
  --starting_;
  if (stopping_) {
    record->cancel(); // shutdown() did not see it; the engine's end waits for it
  }
  if (record->is_finished()) {
    keep(record); // it ended before it could be listed: finished() did not find it
  } else {
    going_.emplace(record->id(), record);
  }
  return record;
}

void run_service::keep(std::shared_ptr<run_record> record) {
  kept_.push_back(std::move(record));
  while (kept_.size() > settings_.kept_runs) {
    kept_.pop_front();
  }
}

std::string run_service::unused_run_id() const {
  // Ids are 24 random bits a second: a busy server could draw one twice.
  while (true) {
    auto id = engine::new_run_id();
    if (!find(id)) {
      return id;
    }
  }
}

void run_service::finished(const std::string& id) {
  std::lock_guard lock{mutex_};
  auto found = going_.find(id);
  if (found == going_.end()) {
    return;
  }
  keep(std::move(found->second));
  going_.erase(found);
}

std::shared_ptr<run_record> run_service::find(const std::string& id) const {
  std::lock_guard lock{mutex_};
  if (auto found = going_.find(id); found != going_.end()) {
    return found->second;
  }
  auto kept =
      std::find_if(kept_.begin(), kept_.end(), [&](const auto& r) { return r->id() == id; });
  return kept == kept_.end() ? nullptr : *kept;
}

std::vector<std::shared_ptr<run_record>> run_service::runs() const {
  std::lock_guard lock{mutex_};
  std::vector<std::shared_ptr<run_record>> out;
  out.reserve(going_.size() + kept_.size());
  for (const auto& [id, record] : going_) {
    out.push_back(record);
  }
  out.insert(out.end(), kept_.begin(), kept_.end());
  // By when they were taken: ids say the second only, and kept runs are in order of ending.
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a->submitted() > b->submitted(); });
  return out;
}

void run_service::shutdown() {
  std::vector<std::shared_ptr<run_record>> going;
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
    for (const auto& [id, record] : going_) {
      going.push_back(record);
    }
  }
  for (const auto& record : going) {
    record->cancel();
  }
  for (const auto& record : going) {
    record->wait();
  }
}

std::shared_ptr<const library> run_service::current() const {
  std::lock_guard lock{mutex_};
  return library_;
}

api_outcome<std::shared_ptr<const library>> run_service::reload() {
  auto loaded = load_library(source_);
  if (!loaded) {
    std::string message = "the library was not reloaded; the one loaded before stays:";
    for (const auto& p : loaded.problems()) {
      message += "\n" + definition::to_string(p);
    }
    return api_error{422, message};
  }
  auto fresh = std::make_shared<const library>(std::move(loaded).value());
  if (!(fresh->config.cluster == current()->config.cluster)) {
    return api_error{422, "the library was not reloaded: [cluster] in " + fresh->config.file +
                              " changed, and the nodes a server shares its groups with change "
                              "with a restart; the one loaded before stays"};
  }
  try {
    prepare(*fresh);
  } catch (const engine::engine_error& conflict) {
    std::string message = "the library was not reloaded (a server's limit changes with "
                          "PUT /v1/resources/GROUP/limit, or a restart):";
    for (const auto& p : conflict.problems()) {
      message += "\n" + definition::to_string(p);
    }
    return api_error{422, message};
  }
  std::lock_guard lock{mutex_};
  library_ = fresh;
  return fresh;
}

engine::resource_statistics run_service::resources() const {
  return engine_.statistics();
}

std::optional<api_error> run_service::set_limit(const std::string& group,
                                                definition::concurrency_limit limit) {
  if (!engine_.set_group_limit(group, limit)) {
    return api_error{404, "no resource group '" + group + "' (GET /v1/resources lists them)"};
  }
  return std::nullopt;
}

std::size_t run_service::pending() const {
  std::lock_guard lock{mutex_};
  return going_.size() + starting_;
}

} // namespace tutti::server
