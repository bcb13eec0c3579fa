#include "support/diagnostics_match.hpp"
#include "support/temp_dir.hpp"

#include <tutti/definition/config_loader.hpp>

#include <catch2/catch.hpp>

using namespace tutti::definition;
using namespace std::chrono_literals;
using tutti::test::has_problem;
using tutti::test::listing;
using tutti::test::temp_dir;

namespace {

const environment no_env = fixed_environment({});

config parsed(const std::string& text, const environment& env = no_env) {
  auto c = parse_config(text, "tutti.toml", env);
  INFO(listing(c.problems()));
  REQUIRE(c.has_value());
  return std::move(c).value();
}

diagnostics problems_of(const std::string& text, const environment& env = no_env) {
  auto c = parse_config(text, "tutti.toml", env);
  REQUIRE_FALSE(c.has_value());
  return c.problems();
}

} // namespace

TEST_CASE("a configuration yields its limits, backends and profiles") {
  auto c = parsed(R"(
[limits]
max_concurrent_llm_calls = 20
max_concurrent_agents = 4
agent_timeout_seconds = 15
ensemble_timeout_seconds = 90.5

[backends.studio]
provider = "lmstudio"
base_url = "http://localhost:1234/"
resource = "local-server"
max_concurrent = 2
api_key_env = "LMSTUDIO_KEY"

[backends.vllm]
provider = "openai"
base_url = "http://gpu-box:8000"
max_concurrent = "unlimited"

[profiles.fast-local]
backend = "studio"
model = "qwen2.5-7b-instruct"
system_prompt = "You are concise."
timeout_seconds = 30
temperature = 0.5
max_tokens = 256

[profiles.smart-remote]
provider = "anthropic"
model = "claude-sonnet"
)");
  CHECK(c.file == "tutti.toml");
  CHECK(c.limits.max_concurrent_llm_calls == 20);
  CHECK(c.limits.max_concurrent_agents == 4);
  CHECK(c.limits.agent_timeout == 15s);
  CHECK(c.limits.ensemble_timeout == 90500ms);
  const auto& studio = c.backends.at("studio");
  CHECK(studio.provider == provider_kind::lmstudio);
  CHECK(studio.base_url == "http://localhost:1234");
  CHECK(studio.resource == resource_class::local_server);
  CHECK(studio.max_concurrent == concurrency_limit::at_most(2));
  CHECK(studio.api_key_env == "LMSTUDIO_KEY");
  CHECK(studio.where.line == 8);
  CHECK(c.backends.at("vllm").max_concurrent == concurrency_limit::unlimited());
  const auto& fast = c.profiles.at("fast-local");
  CHECK(fast.settings.backend == "studio");
  CHECK(fast.settings.model == "qwen2.5-7b-instruct");
  CHECK(fast.settings.system_prompt == "You are concise.");
  CHECK(fast.settings.timeout == 30s);
  CHECK(fast.settings.temperature == Approx(0.5));
  CHECK(fast.settings.max_tokens == 256);
  CHECK(c.profiles.at("smart-remote").settings.provider == "anthropic");
}

TEST_CASE("an empty configuration has the documented defaults and built-in backends") {
  auto c = parsed("");
  CHECK(c.limits.max_concurrent_llm_calls == 50);
  CHECK(c.limits.max_concurrent_agents == 10);
  CHECK(c.limits.agent_timeout == 60s);
  CHECK(c.limits.ensemble_timeout == 300s);
  CHECK(c.limits.max_definition_mib == 64);
  CHECK(c.profiles.empty());
  CHECK(c.backends.at("openai").base_url == "https://api.openai.com");
  CHECK(c.backends.at("openai").api_key_env == "OPENAI_API_KEY");
  CHECK(c.backends.at("anthropic").base_url == "https://api.anthropic.com");
  CHECK(c.backends.at("anthropic").api_key_env == "ANTHROPIC_API_KEY");
  CHECK(c.backends.at("ollama").base_url == "http://localhost:11434");
  CHECK(c.backends.at("lmstudio").base_url == "http://localhost:1234");
  CHECK(c.backends.at("mock").base_url.empty());
  CHECK(c.backends.at("mock-local").resource == resource_class::local_server);
}

TEST_CASE("OLLAMA_HOST sets the default Ollama address, with or without a scheme") {
  CHECK(parsed("", fixed_environment({{"OLLAMA_HOST", "0.0.0.0:11434"}}))
            .backends.at("ollama")
            .base_url == "http://0.0.0.0:11434");
  CHECK(parsed("", fixed_environment({{"OLLAMA_HOST", "https://gpu-box:443"}}))
            .backends.at("ollama")
            .base_url == "https://gpu-box:443");
  // Without a scheme or a port, as the ollama CLI reads it: Ollama's own port.
  CHECK(parsed("", fixed_environment({{"OLLAMA_HOST", "localhost"}}))
            .backends.at("ollama")
            .base_url == "http://localhost:11434");
  CHECK(parsed("", fixed_environment({{"OLLAMA_HOST", "[::1]"}})).backends.at("ollama").base_url ==
        "http://[::1]:11434");
}

TEST_CASE("a provider's default key is sent only to that provider's own host") {
  auto c = parsed(R"(
[backends.work]
provider = "openai"
[backends.llamacpp]
provider = "openai"
base_url = "http://localhost:8080"
)");
  CHECK(c.backends.at("work").api_key_env == "OPENAI_API_KEY");
  CHECK(c.backends.at("llamacpp").api_key_env.empty());
}

TEST_CASE("api_key_env holding a key instead of a variable name is rejected without echoing it") {
  auto problems = problems_of("[backends.x]\nprovider = \"openai\"\napi_key_env = \"sk-abc123\"\n");
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "backends.x.api_key_env: must name an environment variable"));
  CHECK(listing(problems).find("sk-abc123") == std::string::npos);
}

TEST_CASE("a backend needs a known provider and a usable base URL") {
  auto problems = problems_of(R"(
[backends.a]
base_url = "http://localhost:1"
[backends.b]
provider = "olama"
[backends.c]
provider = "ollama"
base_url = "ftp://host"
resource = "local"
max_concurrent = 0
[backends.d]
provider = "mock"
base_url = "http://localhost:1"
[backends.ollama]
provider = "lmstudio"
[backends.e]
provider = "ollama"
max_concurent = 2
)");
  CHECK(has_problem(problems, definition_errc::missing_field, "backends.a.provider: is required"));
  CHECK(has_problem(problems, definition_errc::invalid_value, "(did you mean 'ollama'?)"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "backends.c.base_url: 'ftp://host' is not an http:// or https:// URL"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "backends.c.resource: 'local' is not one of remote-api, remote-server, "
                    "local-server"));
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "backends.c.max_concurrent: must be between 1 and 1000000 or \"unlimited\""));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "backends.d.base_url: the mock provider runs in-process"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "the backend name 'ollama' is reserved for provider 'ollama'"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "tutti.toml:18:1: backends.e.max_concurent: unknown key (did you mean "
                    "'max_concurrent'?)"));
}

TEST_CASE("a profile naming an unknown backend suggests the closest") {
  auto problems = problems_of(R"(
[backends.studio]
provider = "lmstudio"
[profiles.fast]
backend = "stuido"
model = "m"
)");
  CHECK(has_problem(problems, definition_errc::unknown_backend,
                    "tutti.toml:5:1: profiles.fast.backend: unknown backend 'stuido' (did you "
                    "mean 'studio'?)"));
}

TEST_CASE("unknown sections and limit keys are errors") {
  auto problems = problems_of("[limit]\nx = 1\n[limits]\nmax_concurrent_calls = 3\n");
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "limit: unknown key (did you mean 'limits'?)"));
  CHECK(has_problem(problems, definition_errc::unknown_key,
                    "limits.max_concurrent_calls: unknown key"));
  CHECK(has_problem(problems_of("[limits]\nmax_definition_mib = 0\n"),
                    definition_errc::out_of_range,
                    "limits.max_definition_mib: must be between 1 and 4096"));
}

TEST_CASE("environment variables override [limits]") {
  auto env = fixed_environment({{"TUTTI_MAX_CONCURRENT_LLM_CALLS", "7"},
                                {"TUTTI_MAX_CONCURRENT_AGENTS", "3"},
                                {"TUTTI_AGENT_TIMEOUT_SECONDS", "2.5"},
                                {"TUTTI_ENSEMBLE_TIMEOUT_SECONDS", "40"},
                                {"TUTTI_MAX_DEFINITION_MIB", "300"}});
  auto c = parsed("[limits]\nmax_concurrent_llm_calls = 20\nagent_timeout_seconds = 9\n"
                  "max_definition_mib = 100\n",
                  env);
  CHECK(c.limits.max_concurrent_llm_calls == 7);
  CHECK(c.limits.max_concurrent_agents == 3);
  CHECK(c.limits.agent_timeout == 2500ms);
  CHECK(c.limits.ensemble_timeout == 40s);
  CHECK(c.limits.max_definition_mib == 300);
}

TEST_CASE("an unusable environment override names the variable") {
  auto problems = problems_of("", fixed_environment({{"TUTTI_MAX_CONCURRENT_LLM_CALLS", "many"},
                                                     {"TUTTI_AGENT_TIMEOUT_SECONDS", "-1"},
                                                     {"TUTTI_MAX_DEFINITION_MIB", "5000"}}));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "TUTTI_MAX_DEFINITION_MIB: must be an integer between 1 and 4096, got '5000'"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "TUTTI_MAX_CONCURRENT_LLM_CALLS: must be an integer between 1 and 1000000, "
                    "got 'many'"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "TUTTI_AGENT_TIMEOUT_SECONDS: must be a number of seconds greater than 0"));
}

TEST_CASE("the configuration is found by flag, then ./tutti.toml, then the XDG folder") {
  temp_dir dir;
  auto work = dir.path() / "work";
  auto xdg = dir.path() / "xdg";
  auto home = dir.path() / "home";
  std::filesystem::create_directories(work);
  auto env = fixed_environment({{"XDG_CONFIG_HOME", xdg.string()}, {"HOME", home.string()}});
  auto home_env = fixed_environment({{"HOME", home.string()}});

  CHECK_FALSE(locate_config(std::nullopt, work, env).has_value());
  auto in_home = dir.write("home/.config/tutti/config.toml", "");
  CHECK(locate_config(std::nullopt, work, home_env) == in_home);
  auto in_xdg = dir.write("xdg/tutti/config.toml", "");
  CHECK(locate_config(std::nullopt, work, env) == in_xdg);
  auto local = dir.write("work/tutti.toml", "");
  CHECK(locate_config(std::nullopt, work, env) == local);
  CHECK(locate_config(std::filesystem::path{"other.toml"}, work, env) == work / "other.toml");
}

TEST_CASE("load_config reads the file it finds, and a missing --config file is an error") {
  temp_dir dir;
  dir.write("tutti.toml", "[limits]\nmax_concurrent_agents = 3\n");
  auto env = fixed_environment({{"HOME", (dir.path() / "home").string()}});
  auto found = load_config(std::nullopt, dir.path(), env);
  REQUIRE(found.has_value());
  CHECK(found->limits.max_concurrent_agents == 3);
  CHECK(found->file == (dir.path() / "tutti.toml").string());

  auto missing = load_config(std::filesystem::path{"nope.toml"}, dir.path(), env);
  REQUIRE_FALSE(missing.has_value());
  CHECK(
      has_problem(missing.problems(), definition_errc::unreadable_file, "nope.toml: no such file"));

  temp_dir empty;
  auto defaults = load_config(std::nullopt, empty.path(), env);
  REQUIRE(defaults.has_value());
  CHECK(defaults->file.empty());
  CHECK(defaults->limits.max_concurrent_agents == 10);
}

TEST_CASE("a backend may be exclusive per model, take an auto limit and tune its backoff") {
  auto c = parsed(R"(
[backends.studio]
provider = "lmstudio"
exclusive = "model"
max_concurrent = "auto"
auto_refresh_seconds = 10
backoff_after_failures = 5
backoff_initial_seconds = 0.5
backoff_max_seconds = 8
)");
  const auto& studio = c.backends.at("studio");
  CHECK(studio.exclusive == exclusivity::model);
  CHECK(studio.is_auto_limit);
  CHECK_FALSE(studio.max_concurrent.has_value());
  CHECK(studio.auto_refresh == 10s);
  CHECK(studio.backoff.failures_before_pause == 5);
  CHECK(studio.backoff.initial_pause == 500ms);
  CHECK(studio.backoff.max_pause == 8s);

  auto problems = problems_of(R"(
[backends.api]
provider = "anthropic"
max_concurrent = "auto"
exclusive = "models"
backoff_initial_seconds = 10
backoff_max_seconds = 5
)");
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "backends.api.max_concurrent: \"auto\" asks the server how many models"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "backends.api.exclusive: 'models' is not one of backend, model"));
  CHECK(has_problem(problems, definition_errc::out_of_range,
                    "backends.api.backoff_max_seconds: must not be less than"));
}

TEST_CASE("[store] path names where runs are kept, read from the configuration's folder") {
  CHECK_FALSE(parsed("").store_path);
  auto c = parse_config("[store]\npath = \"state/runs.db\"\n", "/etc/tutti/tutti.toml", no_env);
  REQUIRE(c);
  CHECK(c->store_path == std::filesystem::path{"/etc/tutti/state/runs.db"});
  CHECK(parsed("[store]\npath = \"/var/runs.db\"\n").store_path ==
        std::filesystem::path{"/var/runs.db"});
  CHECK(parsed("[store]\npath = \"~/kept/runs.db\"\n", fixed_environment({{"HOME", "/home/me"}}))
            .store_path == std::filesystem::path{"/home/me/kept/runs.db"});
  CHECK(has_problem(problems_of("[store]\npath = \"\"\n"), definition_errc::empty_field,
                    "store.path"));
  CHECK(has_problem(problems_of("[store]\npaht = \"x\"\n"), definition_errc::unknown_key,
                    "store.paht"));
}

TEST_CASE("[cluster] names the authority of each shared server; by default local and remote "
          "servers are shared and cloud APIs are not") {
  auto c = parsed(R"(
[cluster]
authority = "hub:4242"
authority_timeout_seconds = 2.5
[cluster.authorities]
"http://gpu-box:11434" = "gpu-box:4242"
"http://[fd00::7]:8000/v1" = "[fd00::7]:4243"
)");
  const auto& cluster = c.cluster;
  CHECK(cluster.authority == node_address{"hub", 4242});
  CHECK(cluster.authority_timeout == 2500ms);
  CHECK(cluster.authority_for("http://gpu-box:11434", resource_class::remote_server) ==
        node_address{"gpu-box", 4242});
  CHECK(cluster.authority_for("http://[fd00::7]:8000", resource_class::remote_server)->text() ==
        "[fd00::7]:4243");
  CHECK(cluster.authority_for("http://localhost:11434", resource_class::local_server) ==
        node_address{"hub", 4242});
  CHECK_FALSE(cluster.authority_for("https://api.openai.com:443", resource_class::remote_api));
  CHECK(parsed("").cluster.authority_timeout == 10s);
  CHECK_FALSE(parsed("").cluster.authority);

  auto only = parsed("[cluster]\nauthority = \"hub:1\"\nshared_groups = [\"remote-api\", "
                     "\"http://box:8080\"]\n")
                  .cluster;
  CHECK(only.authority_for("https://api.openai.com:443", resource_class::remote_api));
  CHECK(only.authority_for("http://box:8080", resource_class::local_server));
  CHECK_FALSE(only.authority_for("http://other:8080", resource_class::local_server));
}

TEST_CASE("one server claimed by two authorities, a bad address or an unknown group class is "
          "an error at its line") {
  auto two = problems_of(R"([cluster.authorities]
"http://localhost:11434" = "a:1"
"http://127.0.0.1:11434/v1" = "b:2"
)");
  CHECK(has_problem(two, definition_errc::conflicting_fields,
                    "tutti.toml:2:28: cluster.authorities.\"http://localhost:11434\": "
                    "'http://localhost:11434' and 'http://127.0.0.1:11434/v1' are one server, "
                    "claimed by two authorities (a:1 and b:2)"));
  CHECK(parsed("[cluster.authorities]\n\"http://localhost:1\" = \"a:1\"\n\"http://127.0.0.1:1\" = "
               "\"a:1\"\n")
            .cluster.authorities.size() == 1);
  CHECK(has_problem(problems_of("[cluster]\nauthority = \"hub\"\n"), definition_errc::invalid_value,
                    "cluster.authority: 'hub' is no host:port"));
  CHECK(has_problem(problems_of("[cluster]\nauthority = \"hub:70000\"\n"),
                    definition_errc::invalid_value, "is no host:port"));
  CHECK(has_problem(problems_of("[cluster.authorities]\n\"gpu-box\" = \"a:1\"\n"),
                    definition_errc::invalid_value, "'gpu-box' is no server URL"));
  CHECK(has_problem(problems_of("[cluster]\nshared_groups = [\"local-servers\"]\n"),
                    definition_errc::invalid_value, "'local-servers' is neither a group class"));
  CHECK(has_problem(problems_of("[cluster]\nauthorty = \"a:1\"\n"), definition_errc::unknown_key,
                    "cluster.authorty"));
}

TEST_CASE("host:port addresses: IPv6 in brackets, a port of 1 to 65535") {
  CHECK(parse_node_address("gpu-box:4242") == node_address{"gpu-box", 4242});
  CHECK(parse_node_address("[::1]:4242") == node_address{"::1", 4242});
  CHECK(node_address{"::1", 4242}.text() == "[::1]:4242");
  for (auto bad : {"", ":4242", "gpu-box:", "gpu-box:0", "gpu-box:65536", "::1:4242", "[::1]4242",
                   "gpu-box:42x"}) {
    INFO(bad);
    CHECK_FALSE(parse_node_address(bad));
  }
}

TEST_CASE("a profile's fallback that names itself or no profile is an error at its own line") {
  auto problems =
      problems_of("[profiles.spare]\nprovider = \"mock\"\n"
                  "[profiles.main]\nprovider = \"mock\"\nfallback = [\"spar\", \"main\"]\n");
  INFO(listing(problems));
  CHECK(has_problem(problems, definition_errc::unknown_profile,
                    "tutti.toml:5:12: profiles.main.fallback: unknown profile 'spar' (did you "
                    "mean 'spare'?)"));
  CHECK(has_problem(problems, definition_errc::invalid_value,
                    "profiles.main.fallback: names 'main', the profile itself"));
  CHECK(problems.size() == 2);
}
