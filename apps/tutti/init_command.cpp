// tutti init [DIR]: a commented tutti.toml and an example ensemble that runs on the built-in
// mock at once, so that a new user has something working before any key or server; never
// overwrites, and says what to try next.
#include "commands.hpp"

#include <tutti/definition/ensemble_catalog.hpp>
#include <tutti/definition/ensemble_parser.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <ostream>

namespace tutti::cli {
namespace {

constexpr const char* config_text =
    R"toml(# tutti's configuration (tutti init wrote this; every key is optional).
# The full list, with the defaults: tutti.example.toml in tutti's sources, or README.md.

[limits]
max_concurrent_llm_calls = 50   # requests in flight across every backend
max_concurrent_agents = 10      # agents in flight per run, unless an ensemble says otherwise
agent_timeout_seconds = 60
ensemble_timeout_seconds = 300

# Backends built in, without configuration: openai (key from OPENAI_API_KEY), anthropic
# (ANTHROPIC_API_KEY), ollama ($OLLAMA_HOST or http://localhost:11434), lmstudio
# (http://localhost:1234), mock (in-process, no key) and mock-local (the mock acting as a
# local server, one request at a time). Add your own, for example:
#
# [backends.gpu-box]
# provider = "ollama"             # openai, anthropic, ollama, lmstudio or mock
# base_url = "http://gpu-box:11434"
# max_concurrent = 2              # a number, "unlimited" or "auto"
#
# [profiles.fast]
# backend = "ollama"
# model = "llama3.2"

# [store]
# path = "runs.db"                # where runs are kept (default: ~/.local/state/tutti/runs.db)
)toml";

constexpr const char* ensemble_text =
    R"toml(# An example ensemble (tutti init wrote this): two agents look at the input in parallel,
# then a third joins their answers. It runs on the built-in mock, which echoes its prompt after
# a delay; point `provider` or `profile` at a real model when you have one.
name = "hello"
description = "two views in parallel, then a summary (runs on the mock)"
default_input = "How should a small team start with LLM agents?"

[[agents]]
name = "optimist"
provider = "mock"
mock = { latency_ms = 300 }
prompt = "Give the best case for: {input}"

[[agents]]
name = "skeptic"
provider = "mock"
mock = { latency_ms = 300 }
prompt = "Give the risks of: {input}"

[[agents]]
name = "summary"
provider = "mock"
mock = { latency_ms = 200 }
depends_on = ["optimist", "skeptic"]
prompt = """Weigh both views and recommend one step.

Best case: {agents.optimist}

Risks: {agents.skeptic}"""
)toml";

// `text` as a shell reads it back: as it is when it is plain, else in single quotes.
std::string quoted_for_shell(const std::string& text) {
  const bool is_plain =
      !text.empty() && text.front() != '-' && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view{"/._-+"}.find(c) != std::string_view::npos;
      });
  if (is_plain) {
    return text;
  }
  std::string out = text.front() == '-' ? "'./" : "'";
  for (char c : text) {
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  }
  return out + "'";
}

void init(command_state& state, const std::optional<std::string>& dir) {
  const auto root = dir ? state.ctx.working_dir / *dir : state.ctx.working_dir;
  const auto config = root / "tutti.toml";
  const auto ensemble = root / "ensembles" / "hello.toml";
  for (const auto& file : {config, ensemble}) {
    if (std::error_code ec; std::filesystem::exists(file, ec)) {
      state.ctx.err << "error: " << file.string()
                    << " already exists; tutti init writes only into a folder without one "
                       "(give another DIR, or move it away)\n";
      state.exit_code = exit_code::invalid_input;
      return;
    }
  }
  for (const auto& existing : definition::ensemble_files({ensemble.parent_path()})) {
    if (auto e = definition::load_ensemble(existing); e && e->name == "hello") {
      state.ctx.err << "error: " << existing.string()
                    << " already names an ensemble 'hello'; tutti init writes one of that name "
                       "(give another DIR)\n";
      state.exit_code = exit_code::invalid_input;
      return;
    }
  }
  // Both files or neither: a folder half written would refuse the next tutti init.
  std::error_code ec;
  std::filesystem::create_directories(ensemble.parent_path(), ec);
  std::vector<std::filesystem::path> written;
  for (const auto& [file, text] :
       {std::pair{config, config_text}, std::pair{ensemble, ensemble_text}}) {
    std::ofstream out{file};
    out << text;
    if (!out.flush()) {
      state.ctx.err << "error: cannot write " << file.string() << ": "
                    << (ec ? ec.message() : std::string{"check the folder's permissions"}) << '\n';
      for (const auto& done : written) {
        std::filesystem::remove(done, ec);
      }
      state.exit_code = exit_code::invalid_input;
      return;
    }
    written.push_back(file);
  }
  auto& out = state.ctx.out;
  out << "wrote " << config.string() << " and " << ensemble.string() << "\n\nnext:\n";
  if (dir && *dir != ".") {
    out << "  cd " << quoted_for_shell(*dir) << '\n';
  }
  out << "  tutti plan hello                    # its phases, backends and limits\n"
         "  tutti run hello                     # run it on the mock, on its default input\n"
         "  tutti run hello --input \"your question\" --json\n";
}

} // namespace

void add_init_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand("init", "Write a commented tutti.toml and an example ensemble "
                                         "that runs on the mock at once (never overwrites)");
  auto dir = std::make_shared<std::optional<std::string>>();
  cmd->add_option("dir", *dir, "Folder to write into (default: this one)");
  cmd->callback([&state, dir] { init(state, *dir); });
}

} // namespace tutti::cli
