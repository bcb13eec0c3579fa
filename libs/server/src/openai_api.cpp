#include "openai_api.hpp"

#include "event_streams.hpp"

#include <tutti/engine/run_json.hpp>

#include <nlohmann/json.hpp>

#include <set>

namespace tutti::server {
namespace {

using json = nlohmann::json;

constexpr std::string_view model_prefix = "ensemble/";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_string_field(const json& j, const char* name, std::string_view value) {
  return j.contains(name) && j[name].is_string() && j[name].get<std::string>() == value;
}

// An optional boolean field; nullopt (with `why`) when it is there and not a boolean.
std::optional<bool> flag(const json& j, const char* name, std::string& why) {
  if (!j.contains(name) || j[name].is_null()) {
    return false;
  }
  if (!j[name].is_boolean()) {
    why = std::string{"\""} + name + "\" must be true or false";
    return std::nullopt;
  }
  return j[name].get<bool>();
}

// The text of the last user message: a string, or the text parts of a list of parts.
std::optional<std::string> last_user_text(const json& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (!it->is_object() || !is_string_field(*it, "role", "user") || !it->contains("content")) {
      continue;
    }
    const auto& content = (*it)["content"];
    if (content.is_string()) {
      return content.get<std::string>();
    }
    if (content.is_array()) {
      std::string text;
      for (const auto& part : content) {
        if (part.is_object() && is_string_field(part, "type", "text") && part.contains("text") &&
            part["text"].is_string()) {
          text += part["text"].get<std::string>();
        }
      }
      return text;
    }
  }
  return std::nullopt;
}

std::set<std::string> final_agents(const definition::resolved_ensemble& e) {
  std::set<std::string> out;
  for (const auto& a : e.agents) {
    if (a.phase + 1 == e.phases.size()) {
      out.insert(a.name);
    }
  }
  return out;
}

json usage_of(const engine::run_result& run) {
  std::int64_t in = 0;
  std::int64_t out = 0;
  for (const auto& a : run.agents) {
    in += a.usage.input_tokens.value_or(0);
    out += a.usage.output_tokens.value_or(0);
  }
  return {{"prompt_tokens", in}, {"completion_tokens", out}, {"total_tokens", in + out}};
}

json chunk(const std::string& run_id, const std::string& model, std::int64_t created, json delta,
           json finish_reason = nullptr) {
  return {{"id", "chatcmpl-" + run_id},
          {"object", "chat.completion.chunk"},
          {"created", created},
          {"model", model},
          {"choices", json::array({{{"index", 0},
                                    {"delta", std::move(delta)},
                                    {"finish_reason", std::move(finish_reason)}}})}};
}

// The run's final agents' output as chat.completion.chunk events: a single final agent's
// tokens as they come, several agents' whole outputs as each ends; then the finish, the usage
// when asked, and [DONE].
class completion_chunks final : public event_source {
 public:
  completion_chunks(std::shared_ptr<run_record> record, std::set<std::string> finals,
                    std::string model, bool include_usage)
      : record_(std::move(record)), model_(std::move(model)), include_usage_(include_usage),
        created_(unix_now()), finals_(std::move(finals)) {}

  std::optional<std::string> next(std::function<void()> wake) override {
    if (done_) {
      return std::nullopt;
    }
    std::string out;
    if (!began_) {
      began_ = true;
      out += data(chunk(record_->id(), model_, created_, {{"role", "assistant"}, {"content", ""}}));
    }
    // Most events say nothing to a chat client: read on until one does, or until there are
    // none and `wake` waits for more.
    while (out.empty() && !done_) {
      auto slice = record_->read(next_, wake);
      if (slice.events.empty()) {
        break;
      }
      next_ += slice.events.size();
      for (const auto& text : slice.events) {
        out += translate(json::parse(text));
      }
    }
    return out;
  }

 private:
  std::string data(const json& j) { return sse_event(json_text(j)); }

  std::string content(const std::string& text) {
    if (text.empty()) {
      return "";
    }
    sent_ = true;
    return data(chunk(record_->id(), model_, created_, {{"content", text}}));
  }

  std::string translate(const json& event) {
    const auto kind = event.value("kind", "");
    const auto agent = event.value("agent", "");
    if (kind == "token" && finals_.size() == 1 && finals_.count(agent) != 0) {
      streamed_.insert(agent);
      return content(event.value("text", ""));
    }
    if (kind == "finished" && finals_.count(agent) != 0 && streamed_.count(agent) == 0 &&
        event.value("status", "") == "success") {
      // Not streamed token by token (several final agents, or a provider that does not
      // stream): its whole output now.
      const auto run = record_->snapshot();
      const auto* a = run.find(agent);
      return a == nullptr ? ""
                          : content((sent_ ? "\n\n" : "") +
                                    engine::output_heading(agent, finals_.size()) + a->response);
    }
    if (kind != "run_finished") {
      return "";
    }
    done_ = true;
    const auto run = record_->snapshot();
    std::string why;
    if (!engine::final_output(run, why)) {
      return sse_event(error_reply(502, why).body) + sse_event("[DONE]"); // the whole one's shape
    }
    std::string out = data(chunk(record_->id(), model_, created_, json::object(), "stop"));
    if (include_usage_) {
      auto last = chunk(record_->id(), model_, created_, json::object());
      last["choices"] = json::array();
      last["usage"] = usage_of(run);
      out += data(last);
    }
    return out + sse_event("[DONE]");
  }

  std::shared_ptr<run_record> record_;
  std::string model_;
  bool include_usage_;
  std::int64_t created_;
  std::set<std::string> finals_;
  std::set<std::string> streamed_;
  std::size_t next_ = 0;
  bool began_ = false;
  bool sent_ = false;
  bool done_ = false;
};

http_reply completion_reply(const engine::run_result& run, const std::string& model) {
  std::string why;
  auto text = engine::final_output(run, why);
  if (!text) {
    return error_reply(502, why);
  }
  json reply{{"id", "chatcmpl-" + run.id},
             {"object", "chat.completion"},
             {"created", unix_now()},
             {"model", model},
             {"choices", json::array({{{"index", 0},
                                       {"message", {{"role", "assistant"}, {"content", *text}}},
                                       {"finish_reason", "stop"}}})},
             {"usage", usage_of(run)}};
  return json_reply(200, json_text(reply));
}

} // namespace

http_reply list_models(const library& lib) {
  json data = json::array();
  for (const auto& [name, e] : lib.ensembles) {
    data.push_back({{"id", std::string{model_prefix} + name},
                    {"object", "model"},
                    {"created", 0},
                    {"owned_by", "tutti"}});
  }
  return json_reply(200, json_text({{"object", "list"}, {"data", std::move(data)}}));
}

http_reply chat_completion(run_service& service, const std::string& body) {
  json request;
  try {
    request = json::parse(body);
  } catch (const json::exception&) {
    return error_reply(400, "the request body is not JSON");
  }
  if (!request.is_object() || !request.contains("model") || !request["model"].is_string()) {
    return error_reply(400, "\"model\" must be a string: ensemble/NAME, or the ensemble's name");
  }
  if (!request.contains("messages") || !request["messages"].is_array()) {
    return error_reply(400, "\"messages\" must be an array of chat messages");
  }
  std::string why;
  const auto stream = flag(request, "stream", why);
  if (!stream) {
    return error_reply(400, why);
  }
  std::optional<bool> include_usage = false;
  if (request.contains("stream_options") && !request["stream_options"].is_null()) {
    if (!request["stream_options"].is_object()) {
      return error_reply(400, "\"stream_options\" must be an object");
    }
    include_usage = flag(request["stream_options"], "include_usage", why);
    if (!include_usage) {
      return error_reply(400, "\"stream_options.include_usage\" must be true or false");
    }
  }
  const auto model = request["model"].get<std::string>();
  auto input = last_user_text(request["messages"]);
  if (!input || input->empty()) {
    return error_reply(400, "\"messages\" has no user message with text to give the ensemble");
  }
  run_request run;
  run.ensemble = model.rfind(model_prefix, 0) == 0 ? model.substr(model_prefix.size()) : model;
  run.input = std::move(input);
  const auto lib = service.current();
  const auto found = lib->ensembles.find(run.ensemble);
  auto finals =
      found == lib->ensembles.end() ? std::set<std::string>{} : final_agents(found->second);
  auto submitted = service.submit(std::move(run));
  if (const auto* no = std::get_if<api_error>(&submitted)) {
    return refused(*no);
  }
  auto record = std::get<std::shared_ptr<run_record>>(std::move(submitted));
  http_reply reply;
  reply.headers.emplace_back("X-Tutti-Run", record->id());
  // The run was this client's question: with nobody left to answer, it ends.
  reply.on_client_gone = [record] { record->cancel(); };
  if (*stream) {
    reply.events =
        std::make_shared<completion_chunks>(record, std::move(finals), model, *include_usage);
    return reply;
  }
  reply.later = [record, model](std::function<void()> wake) -> std::optional<http_reply> {
    if (!record->read(SIZE_MAX, std::move(wake)).finished) {
      return std::nullopt;
    }
    auto done = completion_reply(record->snapshot(), model);
    done.headers.emplace_back("X-Tutti-Run", record->id());
    return done;
  };
  return reply;
}

} // namespace tutti::server
