#include "routes.hpp"

#include "bearer_token.hpp"
#include "dashboard.hpp"
#include "event_streams.hpp"
#include "openai_api.hpp"

#include <tutti/definition/nearest_name.hpp>
#include <tutti/definition/server_url.hpp>
#include <tutti/definition/value_ranges.hpp>
#include <tutti/engine/run_json.hpp>

#include <nlohmann/json.hpp>

#include <charconv>

namespace tutti::server {
namespace {

using json = nlohmann::json;

// The path's segments, percent-decoded; nullopt when an escape is broken.
std::optional<std::vector<std::string>> segments_of(std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  std::vector<std::string> out;
  std::string current;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '/') {
      if (!current.empty() || i > 0) {
        out.push_back(std::move(current));
        current.clear();
      }
      continue;
    }
    if (c == '%') {
      unsigned value = 0;
      if (i + 2 >= path.size()) {
        return std::nullopt;
      }
      auto [end, ec] = std::from_chars(path.data() + i + 1, path.data() + i + 3, value, 16);
      if (ec != std::errc{} || end != path.data() + i + 3) {
        return std::nullopt;
      }
      current += static_cast<char>(value);
      i += 2;
      continue;
    }
    current += c;
  }
  if (!current.empty()) {
    out.push_back(std::move(current));
  }
  return out;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// "127.0.0.1:8765", "localhost", "[::1]:80": whether the host it names is loopback, as the
// resource groups decide it (every spelling). No Host at all (HTTP/1.0) is taken as the
// connection's own, which is loopback or has a token.
bool is_loopback_authority(std::string_view authority) {
  if (authority.empty()) {
    return true;
  }
  auto url = definition::parse_server_url("http://" + std::string{authority});
  return url && url->is_loopback;
}

bool is_loopback_origin(std::string_view origin) {
  auto url = definition::parse_server_url(origin);
  return url && url->is_loopback;
}

http_reply method_not_allowed(const std::string& allowed) {
  auto reply = error_reply(405, "this path takes " + allowed);
  reply.headers.emplace_back("Allow", allowed);
  return reply;
}

// An optional integer field within `range`; throws std::invalid_argument naming the field.
std::optional<int> int_field(const json& j, const char* name, definition::value_range<int> range) {
  if (!j.contains(name) || j[name].is_null()) {
    return std::nullopt;
  }
  if (!j[name].is_number_integer() || j[name].get<std::int64_t>() < range.min ||
      j[name].get<std::int64_t>() > range.max) {
    throw std::invalid_argument("\"" + std::string{name} + "\" must be a whole number from " +
                                std::to_string(range.min) + " to " + std::to_string(range.max));
  }
  return j[name].get<int>();
}

const std::vector<std::string> run_request_keys{
    "ensemble",        "input", "priority",  "max_concurrent_agents",
    "timeout_seconds", "mode",  "scheduling"};

run_request run_request_from(const std::string& body) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception&) {
    throw std::invalid_argument("the request body is not JSON");
  }
  if (!j.is_object()) {
    throw std::invalid_argument("the request body must be a JSON object");
  }
  for (const auto& [key, value] : j.items()) {
    if (std::find(run_request_keys.begin(), run_request_keys.end(), key) ==
        run_request_keys.end()) {
      throw std::invalid_argument("unknown field \"" + key + "\"" +
                                  definition::did_you_mean(key, run_request_keys));
    }
  }
  run_request r;
  if (!j.contains("ensemble") || !j["ensemble"].is_string()) {
    throw std::invalid_argument("\"ensemble\" must be the name of an ensemble (GET /v1/ensembles)");
  }
  r.ensemble = j["ensemble"].get<std::string>();
  if (j.contains("input") && !j["input"].is_null()) {
    if (!j["input"].is_string()) {
      throw std::invalid_argument("\"input\" must be a string");
    }
    r.input = j["input"].get<std::string>();
  }
  r.priority = int_field(j, "priority", definition::priority_range);
  r.max_concurrent_agents = int_field(j, "max_concurrent_agents", definition::cap_range);
  if (j.contains("timeout_seconds") && !j["timeout_seconds"].is_null()) {
    const auto& t = j["timeout_seconds"];
    if (!t.is_number() || t.get<double>() <= 0 || t.get<double>() > 7 * 24 * 3600) {
      throw std::invalid_argument("\"timeout_seconds\" must be a number of seconds above 0 and "
                                  "at most a week");
    }
    r.timeout = std::chrono::milliseconds{static_cast<std::int64_t>(t.get<double>() * 1000)};
  }
  if (j.contains("mode") && !j["mode"].is_null()) {
    auto mode =
        j["mode"].is_string() ? engine::run_mode_named(j["mode"].get<std::string>()) : std::nullopt;
    if (!mode) {
      throw std::invalid_argument("\"mode\" must be \"parallel\" or \"sequential\"");
    }
    r.mode = mode;
  }
  if (j.contains("scheduling") && !j["scheduling"].is_null()) {
    auto s = j["scheduling"].is_string()
                 ? engine::scheduling_named(j["scheduling"].get<std::string>())
                 : std::nullopt;
    if (!s) {
      throw std::invalid_argument("\"scheduling\" must be \"phased\" or \"eager\"");
    }
    r.scheduling = s;
  }
  return r;
}

json run_summary(const run_record& record) {
  const auto run = record.progress();
  return {{"id", record.id()},
          {"ensemble", record.ensemble()},
          {"status", engine::to_string(run.status)},
          {"priority", record.priority()},
          {"submitted_unix_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                    record.submitted().time_since_epoch())
                                    .count()},
          {"elapsed_ms", run.elapsed_ms},
          {"agents", run.agents},
          {"agents_done", run.agents_done}};
}

http_reply post_run(run_service& service, const std::string& body) {
  run_request request;
  try {
    request = run_request_from(body);
  } catch (const std::invalid_argument& e) {
    return error_reply(400, e.what());
  }
  auto submitted = service.submit(std::move(request));
  if (const auto* e = std::get_if<api_error>(&submitted)) {
    return refused(*e);
  }
  const auto& record = std::get<std::shared_ptr<run_record>>(submitted);
  const auto location = "/v1/runs/" + record->id();
  auto reply = json_reply(201, json({{"id", record->id()},
                                     {"location", location},
                                     {"events", location + "/events"},
                                     {"status", "running"}}));
  reply.headers.emplace_back("Location", location);
  return reply;
}

http_reply list_runs(const run_service& service) {
  json runs = json::array();
  for (const auto& record : service.runs()) {
    runs.push_back(run_summary(*record));
  }
  return json_reply(200, json({{"runs", std::move(runs)}, {"runs_going", service.pending()}}));
}

http_reply list_ensembles(const library& lib) {
  json out = json::array();
  for (const auto& [name, e] : lib.ensembles) {
    json agents = json::array();
    for (const auto& a : e.agents) {
      agents.push_back(a.name);
    }
    out.push_back({{"name", name},
                   {"description", e.description},
                   {"file", e.file},
                   {"agents", std::move(agents)},
                   {"phases", e.phases.size()},
                   {"has_default_input", !e.default_input.empty()}});
  }
  return json_reply(200, json({{"ensembles", std::move(out)}}));
}

http_reply resources_reply(const run_service& service) {
  const auto stats = service.resources();
  return json_reply(200, "{\"groups\":" + engine::to_json(stats.groups) +
                             ",\"engine_limit\":" + engine::to_json({stats.engine_limit}) +
                             ",\"active\":" + std::to_string(stats.active) +
                             ",\"pending\":" + std::to_string(stats.pending) +
                             ",\"runs_going\":" + std::to_string(service.pending()) + "}");
}

http_reply put_limit(run_service& service, const std::string& group, const std::string& body) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception&) {
    return error_reply(400, "the request body is not JSON");
  }
  auto limit = definition::concurrency_limit::unlimited();
  if (!j.is_object() || !j.contains("limit")) {
    return error_reply(400, "give {\"limit\": N} (1 or more) or {\"limit\": null} for none");
  }
  const auto& n = j["limit"];
  if (n.is_null()) {
    // unlimited
  } else if (n.is_number() && n.get<double>() == static_cast<double>(n.get<std::int64_t>()) &&
             n.get<std::int64_t>() >= 1 && n.get<std::int64_t>() <= 1'000'000) {
    limit = definition::concurrency_limit::at_most(static_cast<int>(n.get<std::int64_t>()));
  } else {
    return error_reply(400, "\"limit\" must be a whole number from 1 to 1000000, or null");
  }
  if (auto e = service.set_limit(group, limit)) {
    return refused(*e);
  }
  return json_reply(200, json({{"group", group}, {"limit", j["limit"]}}));
}

http_reply run_routes(run_service& service, const http_request& request,
                      const std::vector<std::string>& path) {
  // path: v1 runs [ID [events]]
  if (path.size() == 2) {
    if (request.method == "POST") {
      return post_run(service, request.body);
    }
    if (request.method == "GET") {
      return list_runs(service);
    }
    return method_not_allowed("GET, POST");
  }
  auto record = service.find(path[2]);
  if (!record) {
    return error_reply(404, "no run " + path[2] + " on this server (GET /v1/runs lists them)");
  }
  if (path.size() == 3) {
    if (request.method == "GET") {
      return json_reply(200, engine::to_json(record->snapshot(), -1));
    }
    if (request.method == "DELETE") {
      if (record->is_finished()) {
        return error_reply(409, "run " + record->id() + " has already ended (" +
                                    std::string{engine::to_string(record->progress().status)} +
                                    ")");
      }
      record->cancel();
      return json_reply(202, json({{"id", record->id()}, {"status", "cancelling"}}));
    }
    return method_not_allowed("GET, DELETE");
  }
  if (path.size() == 4 && path[3] == "events") {
    if (request.method != "GET") {
      return method_not_allowed("GET");
    }
    std::size_t from = 0;
    if (!request.last_event_id.empty()) {
      std::size_t last = 0;
      const auto& id = request.last_event_id;
      auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), last);
      if (ec != std::errc{} || end != id.data() + id.size()) {
        return error_reply(400, "Last-Event-ID must be the id of an event of this stream");
      }
      from = last + 1;
    }
    http_reply reply;
    reply.events = run_event_stream(record, from);
    return reply;
  }
  return error_reply(404, "no such path; see GET /v1/runs/ID and /v1/runs/ID/events");
}

http_reply api_routes(run_service& service, const http_request& request,
                      const std::vector<std::string>& path) {
  const auto& what = path.size() > 1 ? path[1] : std::string{};
  if (what == "runs") {
    return run_routes(service, request, path);
  }
  if (what == "ensembles" && path.size() == 2) {
    return request.method == "GET" ? list_ensembles(*service.current()) : method_not_allowed("GET");
  }
  if (what == "models" && path.size() == 2) {
    return request.method == "GET" ? list_models(*service.current()) : method_not_allowed("GET");
  }
  if (what == "chat" && path.size() == 3 && path[2] == "completions") {
    return request.method == "POST" ? chat_completion(service, request.body)
                                    : method_not_allowed("POST");
  }
  if (what == "reload" && path.size() == 2) {
    if (request.method != "POST") {
      return method_not_allowed("POST");
    }
    auto reloaded = service.reload();
    if (const auto* e = std::get_if<api_error>(&reloaded)) {
      return refused(*e);
    }
    return json_reply(
        200, json_text({{"ensembles",
                         std::get<std::shared_ptr<const library>>(reloaded)->ensembles.size()}}));
  }
  if (what == "resources") {
    if (path.size() == 2) {
      return request.method == "GET" ? resources_reply(service) : method_not_allowed("GET");
    }
    if (path.size() == 4 && path[3] == "limit") {
      return request.method == "PUT" ? put_limit(service, path[2], request.body)
                                     : method_not_allowed("PUT");
    }
  }
  return error_reply(404, "no such path: " + request.target.substr(0, 200));
}

} // namespace

http_reply route(run_service& service, const http_request& request, const std::string& token) {
  auto path = segments_of(request.target);
  if (!path) {
    return error_reply(400, "the path has a broken %-escape");
  }
  if (path->empty()) {
    // The page holds no data (its script asks the API, with the token), and a browser cannot
    // put a header on the address it is sent to.
    if (request.method != "GET") {
      return method_not_allowed("GET");
    }
    http_reply page;
    page.content_type = "text/html; charset=utf-8";
    page.body = std::string{dashboard_page()};
    return page;
  }
  if (!token.empty() && !carries_token(request.authorization, token)) {
    auto reply = error_reply(401, "this server asks for its token: Authorization: Bearer TOKEN "
                                  "(tutti run --server sends TUTTI_TOKEN)");
    reply.headers.emplace_back("WWW-Authenticate", "Bearer");
    return reply;
  }
  if (token.empty() && (!is_loopback_authority(request.host) ||
                        (!request.origin.empty() && !is_loopback_origin(request.origin)))) {
    return error_reply(403, "this server answers loopback only: it has no token (--token-env) "
                            "for requests from other hosts or web pages");
  }
  if ((request.method == "POST" || request.method == "PUT") &&
      !starts_with_nocase(request.content_type, "application/json")) {
    return error_reply(415, "send the request as JSON: Content-Type: application/json");
  }
  if ((*path)[0] == "healthz" && path->size() == 1) {
    if (request.method != "GET") {
      return method_not_allowed("GET");
    }
    return json_reply(200, json({{"status", "ok"}, {"runs_going", service.pending()}}));
  }
  if ((*path)[0] == "v1") {
    return api_routes(service, request, *path);
  }
  return error_reply(404, "no such path: " + request.target.substr(0, 200));
}

} // namespace tutti::server
