#include <tutti/engine/run_json.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace tutti::engine {
namespace {

using json = nlohmann::ordered_json;

// Times to the microsecond: finer is noise, and shorter documents read and diff better.
// Rounding is idempotent, so a document read back prints the same.
double ms(double value) {
  return std::round(value * 1000.0) / 1000.0;
}

// Model output is arbitrary bytes: invalid UTF-8 is replaced rather than thrown on.
std::string dumped(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

json optional_ms(const std::optional<double>& value) {
  return value ? json(ms(*value)) : json(nullptr);
}

json optional_number(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

json optional_count(const std::optional<std::int64_t>& count) {
  return count ? json(*count) : json(nullptr);
}

// null when the backend reported nothing: unknown is not zero.
json usage_json(const providers::token_usage& u) {
  if (!u.is_known()) {
    return nullptr;
  }
  return {{"input_tokens", optional_count(u.input_tokens)},
          {"output_tokens", optional_count(u.output_tokens)}};
}

json totals_json(const run_totals& t) {
  return {{"agents", t.agents},
          {"succeeded", t.succeeded},
          {"failed", t.failed},
          {"timed_out", t.timed_out},
          {"skipped", t.skipped},
          {"partial", t.partial},
          {"skipped_by_condition", t.skipped_by_condition},
          {"pending", t.pending},
          {"input_tokens", t.input_tokens},
          {"output_tokens", t.output_tokens},
          {"agents_without_usage", t.without_usage},
          {"cost_usd", optional_number(t.cost_usd)},
          {"agents_without_cost", t.without_cost},
          {"agent_ms", ms(t.agent_ms)}};
}

json text_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json agent_json(const agent_result& a);

// Agents each with its name, in order: a fan-out agent's instances, a nested run's agents.
json named_list(const std::vector<agent_result>& agents) {
  json list = json::array();
  for (const auto& a : agents) {
    auto j = agent_json(a);
    j["name"] = a.name;
    list.push_back(std::move(j));
  }
  return list;
}

// What an agent has beyond the fields every agent has: a fan-out's instances, the runs of the
// ensemble an agent runs, the models an agent with fallbacks tried. An empty object for most
// agents.
json details(const agent_result& a) {
  json j = json::object();
  if (!a.fan_out.empty()) {
    j["fan_out"] = a.fan_out;
    j["instances"] = named_list(a.instances);
  }
  if (!a.ensemble.empty()) {
    j["ensemble"] = a.ensemble;
    json runs = json::array();
    for (const auto& run : a.runs) {
      runs.push_back({{"id", run.id},
                      {"status", to_string(run.status)},
                      {"started_ms", ms(run.started_ms)},
                      {"elapsed_ms", ms(run.elapsed_ms)},
                      {"output", run.output},
                      {"agents", named_list(run.agents)}});
    }
    j["runs"] = std::move(runs);
  }
  if (!a.profile_attempts.empty()) {
    json tried = json::array();
    for (const auto& p : a.profile_attempts) {
      tried.push_back(
          {{"profile", text_or_null(p.profile)},
           {"provider", p.provider},
           {"model", p.model},
           {"status", to_string(p.status)},
           {"error_code", p.error_code ? json(providers::to_string(*p.error_code)) : json(nullptr)},
           {"error", text_or_null(p.error)},
           {"attempts", p.attempts}});
    }
    j["profile_attempts"] = std::move(tried);
  }
  return j;
}

json agent_json(const agent_result& a) {
  json j;
  j["status"] = to_string(a.status);
  j["response"] = a.status == agent_status::success || a.status == agent_status::partial
                      ? json(a.response)
                      : json(nullptr);
  j["error"] = text_or_null(a.error);
  j["error_code"] = a.error_code ? json(providers::to_string(*a.error_code)) : json(nullptr);
  j["reused"] = a.reused;
  j["skipped_by_condition"] = a.skipped_by_condition;
  j["profile"] = text_or_null(a.profile);
  j["provider"] = a.provider;
  j["model"] = a.model;
  j["backend"] = a.backend;
  j["group"] = a.group;
  j["phase"] = a.phase;
  j["depends_on"] = a.depends_on;
  j["queued_ms"] = optional_ms(a.queued_ms);
  j["started_ms"] = optional_ms(a.started_ms);
  j["finished_ms"] = optional_ms(a.finished_ms);
  j["duration_ms"] = ms(a.duration_ms);
  j["attempts"] = a.attempts;
  json waits = json::array();
  for (const auto& w : a.retry_waits) {
    waits.push_back({{"start_ms", ms(w.start_ms)}, {"end_ms", ms(w.end_ms)}});
  }
  j["retry_waits"] = std::move(waits);
  j["usage"] = usage_json(a.usage);
  j["cost_usd"] = optional_number(a.cost_usd);
  if (a.prompt) {
    j["prompt"] = *a.prompt; // only when asked for (--include-prompts)
  }
  auto extra = details(a);
  for (auto& [key, value] : extra.items()) {
    j[key] = std::move(value);
  }
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
           {{"mean", ms(g.wait_mean_ms)},
            {"p50", ms(g.wait_p50_ms)},
            {"p95", ms(g.wait_p95_ms)},
            {"max", ms(g.wait_max_ms)}}}};
}

// The reading side: each throws (a json exception, or std::invalid_argument) on what to_json
// cannot have written. Keys added since schema version 1 may be missing: the run store keeps
// documents written by earlier versions.

// The value a name stands for, by `parse` (one of the *_named functions).
template <class Parse>
auto named(const json& j, Parse parse) {
  auto value = parse(j.get<std::string>());
  if (!value) {
    throw std::invalid_argument("unknown name " + j.get<std::string>());
  }
  return *value;
}

template <class T>
std::optional<T> read_optional(const json& j) {
  return j.is_null() ? std::nullopt : std::optional{j.get<T>()};
}

std::optional<double> read_optional_ms(const json& j) {
  return read_optional<double>(j);
}

std::string read_text_or_null(const json& j) {
  return j.is_null() ? std::string{} : j.get<std::string>();
}

std::vector<agent_result> read_named_list(const json& list);
void read_details(const json& j, agent_result& a);

agent_result read_agent(const std::string& name, const json& j) {
  agent_result a;
  a.name = name;
  a.status = named(j.at("status"), agent_status_named);
  a.response = read_text_or_null(j.at("response"));
  a.error = read_text_or_null(j.at("error"));
  if (!j.at("error_code").is_null()) {
    a.error_code = named(j.at("error_code"), providers::call_errc_named);
  }
  a.reused = j.at("reused").get<bool>();
  a.skipped_by_condition = j.value("skipped_by_condition", false); // absent before conditions
  a.profile = read_text_or_null(j.at("profile"));
  a.provider = j.at("provider").get<std::string>();
  a.model = j.at("model").get<std::string>();
  a.backend = j.at("backend").get<std::string>();
  a.group = j.at("group").get<std::string>();
  a.phase = j.at("phase").get<std::size_t>();
  a.queued_ms = read_optional_ms(j.at("queued_ms"));
  a.started_ms = read_optional_ms(j.at("started_ms"));
  a.finished_ms = read_optional_ms(j.at("finished_ms"));
  a.duration_ms = j.at("duration_ms").get<double>();
  a.attempts = j.at("attempts").get<int>();
  a.depends_on = j.value("depends_on", std::vector<std::string>{});
  for (const auto& w : j.value("retry_waits", json::array())) {
    a.retry_waits.push_back({w.at("start_ms").get<double>(), w.at("end_ms").get<double>()});
  }
  if (const auto& usage = j.at("usage"); !usage.is_null()) {
    a.usage.input_tokens = read_optional<std::int64_t>(usage.at("input_tokens"));
    a.usage.output_tokens = read_optional<std::int64_t>(usage.at("output_tokens"));
  }
  if (j.contains("cost_usd")) {
    a.cost_usd = read_optional<double>(j.at("cost_usd"));
  }
  if (j.contains("prompt")) {
    a.prompt = j.at("prompt").get<std::string>();
  }
  read_details(j, a);
  return a;
}

void read_details(const json& j, agent_result& a) {
  if (j.contains("fan_out")) {
    a.fan_out = j.at("fan_out").get<std::string>();
    a.instances = read_named_list(j.at("instances"));
  }
  if (j.contains("ensemble")) {
    a.ensemble = j.at("ensemble").get<std::string>();
    for (const auto& r : j.at("runs")) {
      nested_run run;
      run.id = r.at("id").get<std::string>();
      run.status = named(r.at("status"), run_status_named);
      run.started_ms = r.at("started_ms").get<double>();
      run.elapsed_ms = r.at("elapsed_ms").get<double>();
      run.output = r.at("output").get<std::string>();
      run.agents = read_named_list(r.at("agents"));
      a.runs.push_back(std::move(run));
    }
  }
  for (const auto& p : j.value("profile_attempts", json::array())) {
    profile_attempt tried;
    tried.profile = read_text_or_null(p.at("profile"));
    tried.provider = p.at("provider").get<std::string>();
    tried.model = p.at("model").get<std::string>();
    tried.status = named(p.at("status"), agent_status_named);
    if (!p.at("error_code").is_null()) {
      tried.error_code = named(p.at("error_code"), providers::call_errc_named);
    }
    tried.error = read_text_or_null(p.at("error"));
    tried.attempts = p.at("attempts").get<int>();
    a.profile_attempts.push_back(std::move(tried));
  }
}

std::vector<agent_result> read_named_list(const json& list) {
  std::vector<agent_result> instances;
  for (const auto& instance : list) {
    instances.push_back(read_agent(instance.at("name").get<std::string>(), instance));
  }
  return instances;
}

resources::group_statistics read_group(const json& j) {
  resources::group_statistics g;
  g.id = j.at("id").get<std::string>();
  g.spellings = j.at("spellings").get<std::vector<std::string>>();
  g.resource = j.at("resource").get<std::string>();
  g.is_unlimited = j.at("limit").is_null();
  g.limit = g.is_unlimited ? 0 : j.at("limit").get<std::int64_t>();
  g.is_auto_limit = j.at("auto_limit").get<bool>();
  g.active = j.at("active").get<std::uint64_t>();
  g.pending = j.at("pending").get<std::uint64_t>();
  g.peak_active = j.at("peak_active").get<std::uint64_t>();
  g.completed = j.at("completed").get<std::uint64_t>();
  g.failed = j.at("failed").get<std::uint64_t>();
  g.timed_out = j.at("timed_out").get<std::uint64_t>();
  g.cancelled = j.at("cancelled").get<std::uint64_t>();
  g.backoff = j.at("backoff").get<std::string>();
  g.note = j.at("note").get<std::string>();
  const auto& wait = j.at("wait_ms");
  g.wait_mean_ms = wait.at("mean").get<double>();
  g.wait_p50_ms = wait.at("p50").get<double>();
  g.wait_p95_ms = wait.at("p95").get<double>();
  g.wait_max_ms = wait.at("max").get<double>();
  return g;
}

run_result read_run(const json& j) {
  run_result r;
  r.id = j.at("id").get<std::string>();
  r.resumed_from = read_text_or_null(j.at("resumed_from"));
  r.ensemble = j.at("ensemble").get<std::string>();
  if (j.contains("started_at")) {
    r.started_at = read_text_or_null(j.at("started_at"));
  }
  r.status = named(j.at("status"), run_status_named);
  r.input = j.at("input").get<std::string>();
  r.elapsed_ms = j.at("elapsed_ms").get<double>();
  r.mode = named(j.at("mode"), run_mode_named);
  r.scheduling = named(j.at("scheduling"), scheduling_named);
  r.max_concurrent_agents = j.at("max_concurrent_agents").get<int>();
  if (j.contains("max_cost_usd")) {
    r.max_cost_usd = read_optional<double>(j.at("max_cost_usd"));
  }
  r.phases = j.at("phases").get<std::vector<std::vector<std::string>>>();
  for (const auto& [name, agent] : j.at("agents").items()) {
    r.agents.push_back(read_agent(name, agent));
  }
  for (const auto& g : j.at("resources")) {
    r.resources.push_back(read_group(g));
  }
  for (const auto& c : j.at("caps")) {
    r.caps.push_back(read_group(c));
  }
  return r;
}

constexpr std::array<std::string_view, 6> event_kind_names{"queued", "waiting", "started",
                                                           "token",  "retry",   "finished"};

run_event read_event(const json& j) {
  run_event e;
  e.kind = named(j.at("kind"), run_event_kind_named);
  e.agent = j.at("agent").get<std::string>();
  e.at_ms = j.at("at_ms").get<double>();
  switch (e.kind) {
  case run_event_kind::waiting:
    e.group = j.at("group").get<std::string>();
    e.ahead = j.at("ahead").get<std::uint64_t>();
    break;
  case run_event_kind::token:
    e.text = j.at("text").get<std::string>();
    break;
  case run_event_kind::retry:
    e.attempt = j.at("attempt").get<int>();
    e.delay_ms = j.at("delay_ms").get<double>();
    e.max_attempts = j.value("max_attempts", 0);
    e.text = j.at("error").get<std::string>();
    break;
  case run_event_kind::finished:
    e.status = named(j.at("status"), agent_status_named);
    break;
  case run_event_kind::queued:
  case run_event_kind::started:
    break;
  }
  return e;
}

} // namespace

std::string_view to_string(run_event_kind k) {
  return event_kind_names.at(static_cast<std::size_t>(k));
}

std::optional<run_event_kind> run_event_kind_named(std::string_view name) {
  for (std::size_t i = 0; i < event_kind_names.size(); ++i) {
    if (event_kind_names[i] == name) {
      return static_cast<run_event_kind>(i);
    }
  }
  return std::nullopt;
}

std::string to_json(const run_event& e) {
  json j;
  j["kind"] = to_string(e.kind);
  j["agent"] = e.agent;
  j["at_ms"] = ms(e.at_ms);
  switch (e.kind) {
  case run_event_kind::waiting:
    j["group"] = e.group;
    j["ahead"] = e.ahead;
    break;
  case run_event_kind::token:
    j["text"] = e.text;
    break;
  case run_event_kind::retry:
    j["attempt"] = e.attempt;
    j["delay_ms"] = ms(e.delay_ms);
    j["max_attempts"] = e.max_attempts;
    j["error"] = e.text;
    break;
  case run_event_kind::finished:
    j["status"] = to_string(e.status);
    break;
  case run_event_kind::queued:
  case run_event_kind::started:
    break;
  }
  return dumped(j, -1);
}

std::optional<run_event> run_event_from_json(std::string_view text) {
  try {
    return read_event(json::parse(text));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string to_json(const std::vector<resources::group_statistics>& groups) {
  json out = json::array();
  for (const auto& g : groups) {
    out.push_back(group_json(g));
  }
  return dumped(out, -1);
}

namespace {

// Writes the run's JSON member by member, in the order and layout that dumping the whole
// document at once would give: each member's value is dumped alone, and its lines moved in
// to their depth (a raw newline occurs in dumped JSON only between tokens; those in strings
// are escaped).
class document_writer {
 public:
  document_writer(std::ostream& out, int indent) : out_(out), indent_(indent) {}

  void open() { out_ << '{'; }
  void close() { out_ << (is_first_ ? "}" : newline(0) + "}"); }
  void member(const std::string& key, const json& value) {
    start_member(key);
    write_value(value, 1);
  }
  // An object member whose own members come one at a time from `each(emit)`.
  template <class Each>
  void object_member(const std::string& key, Each each) {
    start_member(key);
    out_ << '{';
    bool first = true;
    each([&](const std::string& name, const json& value) {
      write_key(first, 2, name);
      write_value(value, 2);
      first = false;
    });
    out_ << (first ? "}" : newline(1) + "}");
  }

 private:
  void start_member(const std::string& key) {
    write_key(is_first_, 1, key);
    is_first_ = false;
  }
  void write_key(bool is_first, int depth, const std::string& key) {
    out_ << (is_first ? "" : ",") << newline(depth) << dumped(json(key), -1) << separator();
  }
  void write_value(const json& value, int depth) {
    auto text = dumped(value, indent_);
    if (indent_ < 0) {
      out_ << text;
      return;
    }
    const auto pad = std::string(static_cast<std::size_t>(indent_ * depth), ' ');
    std::size_t from = 0;
    for (auto at = text.find('\n'); at != std::string::npos; at = text.find('\n', from)) {
      out_.write(text.data() + from, static_cast<std::streamsize>(at + 1 - from));
      out_ << pad;
      from = at + 1;
    }
    out_.write(text.data() + from, static_cast<std::streamsize>(text.size() - from));
  }
  std::string newline(int depth) const {
    if (indent_ < 0) {
      return {};
    }
    std::string line(1 + static_cast<std::size_t>(indent_ * depth), ' ');
    line.front() = '\n';
    return line;
  }
  const char* separator() const { return indent_ < 0 ? ":" : ": "; }

  std::ostream& out_;
  int indent_;
  bool is_first_ = true;
};

} // namespace

void write_json(std::ostream& out, const run_result& r, int indent) {
  document_writer doc{out, indent};
  doc.open();
  doc.member("schema_version", run_json_schema_version);
  doc.member("id", r.id);
  doc.member("resumed_from", text_or_null(r.resumed_from));
  doc.member("ensemble", r.ensemble);
  doc.member("started_at", text_or_null(r.started_at));
  doc.member("status", to_string(r.status));
  doc.member("input", r.input);
  doc.member("elapsed_ms", ms(r.elapsed_ms));
  doc.member("mode", to_string(r.mode));
  doc.member("scheduling", to_string(r.scheduling));
  doc.member("max_concurrent_agents", r.max_concurrent_agents);
  doc.member("max_cost_usd", optional_number(r.max_cost_usd));
  doc.member("total_agent_ms", ms(r.total_agent_ms()));
  doc.member("totals", totals_json(totals_of(r)));
  doc.member("phases", r.phases);
  doc.object_member("agents", [&](auto emit) {
    for (const auto& a : r.agents) {
      emit(a.name, agent_json(a));
    }
  });
  json groups = json::array();
  for (const auto& g : r.resources) {
    groups.push_back(group_json(g));
  }
  doc.member("resources", groups);
  json caps = json::array();
  for (const auto& c : r.caps) {
    caps.push_back(group_json(c));
  }
  doc.member("caps", caps);
  doc.close();
}

std::string to_json(const run_result& r, int indent) {
  std::ostringstream out;
  write_json(out, r, indent);
  return std::move(out).str();
}

std::optional<std::string> details_json(const agent_result& a) {
  auto j = details(a);
  return j.empty() ? std::nullopt : std::optional{dumped(j, -1)};
}

bool read_details_json(std::string_view text, agent_result& a) {
  try {
    agent_result read;
    read_details(json::parse(text), read);
    a.fan_out = std::move(read.fan_out);
    a.instances = std::move(read.instances);
    a.ensemble = std::move(read.ensemble);
    a.runs = std::move(read.runs);
    a.profile_attempts = std::move(read.profile_attempts);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::optional<run_result> run_result_from_json(std::string_view text) {
  try {
    return read_run(json::parse(text));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

} // namespace tutti::engine
