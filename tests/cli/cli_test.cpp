#include "cli.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"
#include "support/tutti_in.hpp"

#include <tutti/mock_server/mock_server.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <future>
#include <map>
#include <signal.h>
#include <sstream>
#include <thread>
#include <unistd.h>

using tutti::test::contains;
using tutti::test::temp_dir;
using tutti::test::tutti_in;

namespace {

const std::string valid = R"(
name = "pair"
description = "two steps"
[[agents]]
name = "first"
provider = "mock"
[[agents]]
name = "second"
provider = "mock"
depends_on = ["first"]
)";

} // namespace

TEST_CASE("tutti --version prints the version") {
  temp_dir dir;
  auto r = tutti_in(dir.path(), {"--version"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "tutti 0."));
}

TEST_CASE("every command has --help") {
  temp_dir dir;
  for (std::string command : {"validate", "list", "profiles", "plan", "run"}) {
    INFO(command);
    auto r = tutti_in(dir.path(), {command, "--help"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "Usage:"));
  }
}

TEST_CASE("a usage mistake exits 2 with a message") {
  temp_dir dir;
  auto none = tutti_in(dir.path(), {});
  CHECK(none.code == 2);
  CHECK_FALSE(none.err.empty());
  auto unknown = tutti_in(dir.path(), {"valdate", "x.toml"});
  CHECK(unknown.code == 2);
  CHECK(contains(unknown.err, "unknown command 'valdate' (did you mean 'validate'?)"));
  CHECK(tutti_in(dir.path(), {"plan"}).code == 2);
}

TEST_CASE("doctor checks each backend's server, models and key, and each agent's model, without "
          "sending a completion") {
  tutti::mock_server::server backend;
  temp_dir dir;
  dir.write("tutti.toml", "[backends.box]\nprovider = \"ollama\"\nbase_url = \"" +
                              backend.base_url() +
                              "\"\n[backends.gone]\nprovider = \"openai\"\nbase_url = "
                              "\"http://127.0.0.1:1\"\napi_key_env = \"GONE_KEY\"\n");
  dir.write("d.toml", "name = \"d\"\n[[agents]]\nname = \"a\"\nbackend = \"box\"\nmodel = "
                      "\"echo\"\n[[agents]]\nname = \"b\"\nbackend = \"box\"\nmodel = "
                      "\"ech\"\n");
  auto used = tutti_in(dir.path(), {"doctor", "d.toml"});
  CHECK(used.code == 1);
  CHECK(contains(used.out, "ok      box      server  " + backend.base_url() + " answers in"));
  CHECK(contains(used.out, "ok      box      model   agent d.a: model 'echo' is there"));
  CHECK(contains(used.out,
                 "fail    box      model   agent d.b: model 'ech' is not there (did you mean "
                 "'echo'?)"));
  CHECK_FALSE(contains(used.out, "gone"));
  // An agent that names its server itself is checked too, and one whose server does not
  // answer says its model was not checked.
  dir.write("inline.toml", "name = \"inline\"\n[[agents]]\nname = \"a\"\nprovider = "
                           "\"ollama\"\nbase_url = \"" +
                               backend.base_url() +
                               "\"\nmodel = \"ecoh\"\n[[agents]]\nname = \"b\"\nbackend = "
                               "\"gone\"\nmodel = \"m\"\n");
  auto inline_agents = tutti_in(dir.path(), {"doctor", "inline.toml"});
  CHECK(inline_agents.code == 1);
  CHECK(contains(inline_agents.out, "agent inline.a: model 'ecoh' is not there (did you mean "
                                    "'echo'?)"));
  CHECK(contains(inline_agents.out, "agent inline.b: model 'm' not checked (no model list)"));
  auto all = tutti_in(dir.path(), {"doctor", "--json"});
  CHECK(all.code == 1);
  auto checks = nlohmann::json::parse(all.out).at("checks");
  std::map<std::string, std::string> gone;
  for (const auto& c : checks) {
    if (c.at("backend") == "gone") {
      gone[c.at("check").get<std::string>()] =
          c.at("status").get<std::string>() + " " + c.at("message").get<std::string>();
    }
  }
  CHECK(gone.at("key") == "fail GONE_KEY is not set: export it, holding the key");
  CHECK(gone.at("server").starts_with("fail cannot connect to http://127.0.0.1:1"));
  CHECK(backend.overall().requests == 0); // model lists only, never a completion
}

TEST_CASE("validate warns about a key variable not set and a placeholder typo, and still "
          "exits 0") {
  temp_dir dir;
  dir.write("w.toml", "name = \"w\"\n[[agents]]\nname = \"a\"\nprovider = \"openai\"\nmodel = "
                      "\"gpt-4o\"\nprompt = \"Answer {inptu} in JSON like {\\\"k\\\": 1} or "
                      "{input}\"\n");
  auto r = tutti_in(dir.path(), {"validate", "w.toml"});
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(contains(r.err, "w.toml: agents.a: backend 'openai' needs OPENAI_API_KEY, which is not "
                        "set"));
  CHECK(contains(r.err, "w.toml: agents.a.prompt: {inptu} is no placeholder and is sent as "
                        "written (did you mean '{input}'?)"));
  CHECK_FALSE(contains(r.err, "{input} is no"));
  CHECK_FALSE(contains(r.err, "\"k\""));
  dir.write("shell.toml", "name = \"shell\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n"
                          "prompt = \"Explain echo ${HOME} for {input}\"\n");
  CHECK(tutti_in(dir.path(), {"validate", "shell.toml"}).err.empty());
  auto keyed = tutti_in(dir.path(), {"validate", "w.toml"}, {{"OPENAI_API_KEY", "k"}});
  CHECK_FALSE(contains(keyed.err, "OPENAI_API_KEY"));
}

TEST_CASE("init writes a configuration and an ensemble that runs on the mock, and never "
          "overwrites") {
  temp_dir dir;
  auto text_of = [](const std::filesystem::path& file) {
    std::ifstream in{file};
    return std::string{std::istreambuf_iterator<char>{in}, {}};
  };
  auto first = tutti_in(dir.path(), {"init", "project"});
  CHECK(first.code == 0);
  CHECK(contains(first.out, "cd project\n  tutti plan hello"));
  auto project = dir.path() / "project";
  auto ran = tutti_in(project, {"run", "hello", "--no-store", "--json"});
  INFO(ran.err);
  CHECK(ran.code == 0);
  CHECK(contains(ran.out, "\"status\": \"completed\""));
  CHECK(contains(ran.out, "Best case: [optimist]")); // the summary sees both views
  CHECK(tutti_in(project, {"validate", "hello"}).code == 0);
  const auto before = text_of(project / "tutti.toml");
  dir.write("project/tutti.toml", before + "# mine\n");
  auto again = tutti_in(dir.path(), {"init", "project"});
  CHECK(again.code == 2);
  CHECK(contains(again.err, "tutti.toml already exists"));
  CHECK(text_of(project / "tutti.toml") == before + "# mine\n");
  // Both files or neither; and no second ensemble named hello.
  dir.write("blocked/ensembles", "a file where the folder would go");
  CHECK(tutti_in(dir.path(), {"init", "blocked"}).code == 2);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "blocked" / "tutti.toml"));
  dir.write("taken/ensembles/greet.toml", "name = \"hello\"\n[[agents]]\nname = \"a\"\n"
                                          "provider = \"mock\"\n");
  auto taken = tutti_in(dir.path(), {"init", "taken"});
  CHECK(taken.code == 2);
  CHECK(contains(taken.err, "greet.toml already names an ensemble 'hello'"));
  CHECK(contains(tutti_in(dir.path(), {"init", "my dir"}).out, "cd 'my dir'\n"));
}

TEST_CASE("usage mistakes say error:, suggest the nearest option and name the command's help") {
  temp_dir dir;
  auto misspelt = tutti_in(dir.path(), {"run", "x.toml", "--jsn"});
  CHECK(misspelt.code == 2);
  CHECK(misspelt.err ==
        "error: unknown option --jsn (did you mean '--json'?); see tutti run --help\n");
  auto with_value = tutti_in(dir.path(), {"serve", "--cluster-hots=1"});
  CHECK(contains(with_value.err, "error: unknown option --cluster-hots (did you mean "
                                 "'--cluster-host'?); see tutti serve --help"));
  auto extra = tutti_in(dir.path(), {"run", "x.toml", "y.toml"});
  CHECK(extra.err == "error: unexpected argument 'y.toml'; see tutti run --help\n");
  auto range = tutti_in(dir.path(), {"run", "x.toml", "--max-concurrent", "0"});
  CHECK(range.code == 2);
  CHECK(contains(range.err, "error: --max-concurrent: '0' is not a number from 1 to 1000000"));
  CHECK(contains(range.err, "; see tutti run --help"));
}

TEST_CASE("validate exits 0 for valid files and 2 with every error for invalid ones") {
  temp_dir dir;
  dir.write("good.toml", valid);
  dir.write("bad.toml", "name = \"bad\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n"
                        "depends-on = [\"b\"]\npriority = 11\n");
  auto good = tutti_in(dir.path(), {"validate", "good.toml"});
  CHECK(good.code == 0);
  CHECK(contains(good.out, "ok: "));
  CHECK(contains(good.out, "pair: 2 agents in 2 phases"));

  auto bad = tutti_in(dir.path(), {"validate", "good.toml", "bad.toml"});
  CHECK(bad.code == 2);
  CHECK(contains(bad.err, "bad.toml:5:1: agents.a.depends-on: unknown key (did you mean "
                          "'depends_on'?)"));
  CHECK(contains(bad.err, "bad.toml:6:12: agents.a.priority: must be between 1 and 10"));
  CHECK(contains(bad.out, "pair"));
}

namespace {

// Files people give by mistake, each with what tutti must say of it (as an ensemble, and
// as a configuration: an empty configuration is valid).
struct bad_file {
  std::string name;
  std::string said;
  std::string said_as_config;
};

std::vector<bad_file> write_bad_files(const temp_dir& dir) {
  dir.write("binary.toml", std::string("\x7f\x45\x4c\x46\0\0\x01", 7));
  dir.write("not-utf8.toml", std::string("name = \"\xff\xfe\xc3\"\n"));
  std::filesystem::create_directories(dir.path() / "folder.toml");
  dir.write("empty.toml", "");
  dir.write("big.toml", "");
  std::filesystem::resize_file(dir.path() / "big.toml", 100 * 1024 * 1024);
  dir.write("nested-arrays.toml", "a = " + std::string(100'000, '[') + std::string(100'000, ']'));
  std::string tables = "a = ";
  for (int i = 0; i < 20'000; ++i) {
    tables += "{b = ";
  }
  dir.write("nested-tables.toml", tables + "1" + std::string(20'000, '}'));
  std::string key = "[k";
  for (int i = 0; i < 100'000; ++i) {
    key += ".k";
  }
  dir.write("deep-key.toml", key + "]\n");
  const std::string too_deep = "exceeded maximum nested value depth of 256";
  return {
      {"missing.toml", "no file and no ensemble named 'missing.toml'",
       "missing.toml: no such file"},
      {"folder.toml", "folder.toml: is a directory, not a file", ""},
      {"empty.toml", "empty.toml:1:1: name: is required", "(valid)"},
      {"binary.toml", "binary.toml: is a binary file, not TOML text", ""},
      {"not-utf8.toml", "not-utf8.toml:1:8: Encountered invalid utf-8 sequence", ""},
      {"big.toml", "big.toml: is 100 MiB; definition files are limited to 64 MiB", ""},
      {"nested-arrays.toml", too_deep, ""},
      {"nested-tables.toml", too_deep, ""},
      {"deep-key.toml", "deep-key.toml:1:1: a dotted key of more than 256 parts is not supported",
       ""},
  };
}

} // namespace

TEST_CASE("every command answers a bad file with what is wrong and exit 2, never a crash") {
  temp_dir dir;
  dir.write("ok.toml", valid);
  for (const auto& bad : write_bad_files(dir)) {
    INFO(bad.name);
    for (const auto& command : {std::vector<std::string>{"validate", bad.name},
                                {"plan", bad.name},
                                {"run", bad.name, "--input", "x"}}) {
      INFO(command.front());
      auto r = tutti_in(dir.path(), command);
      CHECK(r.code == 2);
      CHECK(contains(r.err, bad.said));
    }
    const auto said = bad.said_as_config.empty() ? bad.said : bad.said_as_config;
    for (const auto& command : {std::vector<std::string>{"--config", bad.name, "profiles"},
                                {"--config", bad.name, "validate", "ok.toml"}}) {
      INFO(command.back());
      auto r = tutti_in(dir.path(), command);
      CHECK(r.code == (said == "(valid)" ? 0 : 2));
      CHECK(contains(r.err, said == "(valid)" ? "" : said));
    }
  }
  auto listed = tutti_in(dir.path(), {"list", "."});
  CHECK(listed.code == 2); // lists what it can, then the files it cannot read
  CHECK(contains(listed.out, "pair"));
  CHECK(contains(listed.err, "binary.toml: is a binary file"));
}

TEST_CASE("an ensemble of 100,000 agents validates, plans and runs") {
  temp_dir dir;
  std::string text = "name = \"crowd\"\nmax_concurrent_agents = 100\n";
  for (int i = 0; i < 100'000; ++i) {
    text += "[[agents]]\nname = \"a" + std::to_string(i) + "\"\nprovider = \"mock\"\n";
  }
  dir.write("crowd.toml", text);
  CHECK(tutti_in(dir.path(), {"validate", "crowd.toml"}).code == 0);
  auto plan = tutti_in(dir.path(), {"plan", "crowd.toml"});
  CHECK(plan.code == 0);
  CHECK(contains(plan.out, "a99999"));
  auto run = tutti_in(dir.path(), {"run", "crowd.toml", "--input", "x", "--quiet"});
  CHECK(run.code == 0);
  CHECK(contains(run.err, "completed: 100000 of 100000 agents succeeded"));
  CHECK(contains(run.out, "## a99999\n\n[a99999] x\n"));
}

TEST_CASE("the definition size limit is a guard the configuration or a flag raises, and its "
          "error says how") {
  temp_dir dir;
  // A description pads the file to 1.5 MiB.
  dir.write("big.toml", valid + "# " + std::string(1536 * 1024, 'x') + "\n");
  dir.write("small.toml", "[limits]\nmax_definition_mib = 1\n");
  dir.write("roomy.toml", "[limits]\nmax_definition_mib = 2\n");
  CHECK(tutti_in(dir.path(), {"validate", "big.toml"}).code == 0);
  auto refused = tutti_in(dir.path(), {"validate", "big.toml", "--config", "small.toml"});
  CHECK(refused.code == 2);
  CHECK(contains(refused.err, "big.toml: is 1.6 MiB; definition files are limited to 1 MiB "
                              "(raise it with [limits] max_definition_mib in the configuration "
                              "or --max-definition-mib)"));
  CHECK(tutti_in(dir.path(),
                 {"validate", "big.toml", "--config", "small.toml", "--max-definition-mib", "2"})
            .code == 0);
  CHECK(tutti_in(dir.path(), {"run", "big.toml", "--config", "roomy.toml", "--input", "x"}).code ==
        0);
  dir.write("listed/big.toml", valid + "# " + std::string(1536 * 1024, 'x') + "\n");
  CHECK(tutti_in(dir.path(), {"--max-definition-mib", "1", "list", "listed"}).code == 2);
  CHECK(tutti_in(dir.path(), {"list", "listed", "--config", "roomy.toml"}).code == 0);
  CHECK(contains(tutti_in(dir.path(), {"validate", "big.toml", "--max-definition-mib", "0"}).err,
                 "'0' is not a number from 1 to 4096"));
}

TEST_CASE("list shows each ensemble's name, agents, phases and description") {
  temp_dir dir;
  dir.write("ensembles/pair.toml", valid);
  auto r = tutti_in(dir.path(), {"list"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "NAME"));
  CHECK(contains(r.out, "pair  2       2"));
  CHECK(contains(r.out, "two steps"));

  dir.write("other/broken.toml", "name = ");
  dir.write("other/pair.toml", valid);
  auto broken = tutti_in(dir.path(), {"list", "other"});
  CHECK(broken.code == 2);
  CHECK(contains(broken.err, "broken.toml:1:"));
  CHECK(contains(broken.out, "pair"));
}

TEST_CASE("list finds ensembles in the XDG folder too") {
  temp_dir dir;
  dir.write("xdg/tutti/ensembles/pair.toml", valid);
  auto r = tutti_in(dir.path(), {"list"}, {{"XDG_CONFIG_HOME", (dir.path() / "xdg").string()}});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "pair"));
}

TEST_CASE("plan shows phases, backends, groups, limits and timeouts") {
  temp_dir dir;
  dir.write("ensembles/pair.toml", valid);
  dir.write("tutti.toml", "[limits]\nagent_timeout_seconds = 12\nmax_concurrent_agents = 3\n");
  auto r = tutti_in(dir.path(), {"plan", "pair"});
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(contains(r.out, "ensemble pair"));
  CHECK(contains(r.out, "max_concurrent_agents 3, max_concurrent_llm_calls 50, ensemble "
                        "timeout 300 s"));
  CHECK(contains(r.out, "phase 0 (1 agent)"));
  CHECK(contains(r.out, "phase 1 (1 agent)"));
  CHECK(contains(r.out,
                 "second  mock     mock   mock   unlimited  12 s     -              5         "
                 "first"));
}

TEST_CASE("the --config flag wins over ./tutti.toml before or after the command") {
  temp_dir dir;
  dir.write("ensembles/pair.toml", valid);
  dir.write("tutti.toml", "[limits]\nmax_concurrent_agents = 3\n");
  dir.write("other.toml", "[limits]\nmax_concurrent_agents = 4\n");
  CHECK(contains(tutti_in(dir.path(), {"--config", "other.toml", "plan", "pair"}).out,
                 "max_concurrent_agents 4"));
  CHECK(contains(tutti_in(dir.path(), {"plan", "pair", "--config", "other.toml"}).out,
                 "max_concurrent_agents 4"));
  auto env_wins = tutti_in(dir.path(), {"plan", "pair"}, {{"TUTTI_MAX_CONCURRENT_AGENTS", "5"}});
  CHECK(contains(env_wins.out, "max_concurrent_agents 5"));
}

TEST_CASE("an invalid configuration stops every command that needs it with exit 2") {
  temp_dir dir;
  dir.write("ensembles/pair.toml", valid);
  dir.write("tutti.toml", "[limits]\nmax_concurrent_agents = 0\n");
  for (std::vector<std::string> args :
       {std::vector<std::string>{"plan", "pair"}, {"profiles"}, {"validate", "pair"}}) {
    auto r = tutti_in(dir.path(), args);
    CHECK(r.code == 2);
    CHECK(contains(r.err, "tutti.toml:2:25: limits.max_concurrent_agents: must be between 1"));
  }
}

TEST_CASE("profiles shows groups and limits, and a key's variable but never its value") {
  temp_dir dir;
  dir.write("tutti.toml", R"(
[backends.studio]
provider = "lmstudio"
api_key_env = "STUDIO_KEY"
[profiles.fast]
backend = "studio"
model = "qwen"
timeout_seconds = 30
)");
  auto r = tutti_in(dir.path(), {"profiles"},
                    {{"STUDIO_KEY", "secret-value-123"}, {"OPENAI_API_KEY", "sk-planted-456"}});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "studio      lmstudio   local-server  1          "
                        "http://localhost:1234          STUDIO_KEY (set)"));
  CHECK(contains(r.out, "OPENAI_API_KEY (set)"));
  CHECK(contains(r.out, "ANTHROPIC_API_KEY (not set)"));
  CHECK(contains(r.out, "fast  studio   qwen   30 s"));
  CHECK_FALSE(contains(r.out + r.err, "secret-value-123"));
  CHECK_FALSE(contains(r.out + r.err, "sk-planted-456"));
}

namespace {

const std::string two_step = R"(
name = "steps"
default_input = "the default"
[[agents]]
name = "first"
provider = "mock"
mock = { latency_ms = 20 }
[[agents]]
name = "second"
provider = "mock"
depends_on = ["first"]
)";

} // namespace

TEST_CASE("run prints the answer on standard output and the summary on standard error, and "
          "exits 0 when all succeeded") {
  temp_dir dir;
  dir.write("ensembles/steps.toml", two_step);
  auto r = tutti_in(dir.path(), {"run", "steps", "--input", "hello"});
  INFO(r.err);
  CHECK(r.code == 0);
  // One agent in the last phase: its text alone, as $(tutti run steps) wants it.
  CHECK(r.out == "[second] hello\n\n## first\n[first] hello\n");
  CHECK(contains(r.err, "completed: 2 of 2 agents succeeded in "));
  CHECK(contains(r.err, "tokens: 6 in, 8 out\n"));
  CHECK_FALSE(contains(r.err, "first  success")); // only agents that did not succeed
  CHECK_FALSE(contains(r.err, "speedup"));        // a chain of two: nothing ran side by side
  auto all = tutti_in(dir.path(), {"run", "steps", "--input", "hello", "--show", "all"});
  CHECK(contains(all.out, "## first\n\n[first] hello\n\n## second\n\n[second] hello"));
  CHECK(contains(all.err, "first  success  "));
  CHECK(contains(all.err, "  1 in, 2 out\n"));
  auto one = tutti_in(dir.path(), {"run", "steps", "--input", "hello", "--show", "first"});
  CHECK(one.out == "[first] hello\n");
  auto typo = tutti_in(dir.path(), {"run", "steps", "--input", "hello", "--show", "frist"});
  CHECK(typo.code == 2);
  CHECK(contains(typo.err, "error: --show: no agent 'frist' in this run (did you mean 'first'?)"));
  dir.write("ensembles/side.toml",
            "name = \"side\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\nmock = { "
            "latency_ms = 100 }\n[[agents]]\nname = \"b\"\nprovider = \"mock\"\nmock = { "
            "latency_ms = 100 }\n");
  auto side = tutti_in(dir.path(), {"run", "side", "--input", "hello"});
  CHECK(contains(side.err, "x speedup\n"));
}

TEST_CASE("run takes its input from --input, --input-file, piped standard input or the default") {
  temp_dir dir;
  dir.write("ensembles/steps.toml", two_step);
  dir.write("question.txt", "from a file");
  CHECK(contains(tutti_in(dir.path(), {"run", "steps", "--input", "flag"}, {}, "piped").out,
                 "[first] flag"));
  CHECK(contains(tutti_in(dir.path(), {"run", "steps", "--input-file", "question.txt"}).out,
                 "[first] from a file"));
  CHECK(contains(tutti_in(dir.path(), {"run", "steps"}, {}, "piped").out, "[first] piped"));
  CHECK(contains(tutti_in(dir.path(), {"run", "steps"}, {}, "").out, "[first] the default"));
  CHECK(contains(tutti_in(dir.path(), {"run", "steps"}).out, "[first] the default"));
  auto missing = tutti_in(dir.path(), {"run", "steps", "--input-file", "nope.txt"});
  CHECK(missing.code == 2);
  CHECK(contains(missing.err, "nope.txt: cannot read the input file"));
}

TEST_CASE("one rule for input: empty is an error unless --allow-empty, - reads standard input, "
          "a folder is no file, and the default is announced") {
  temp_dir dir;
  dir.write("ensembles/steps.toml", two_step);
  dir.write("empty.txt", "");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"run", "steps", "--input", ""}, {"run", "steps", "--input-file", "empty.txt"}}) {
    auto empty = tutti_in(dir.path(), args);
    CHECK(empty.code == 2);
    CHECK(contains(empty.err, "is empty; give --allow-empty to run on no input"));
    CHECK(empty.out.empty());
  }
  auto allowed = tutti_in(dir.path(), {"run", "steps", "--input", "", "--allow-empty"});
  CHECK(allowed.code == 0);
  auto dash = tutti_in(dir.path(), {"run", "steps", "--input-file", "-"}, {}, "from stdin");
  CHECK(contains(dash.out, "[first] from stdin"));
  auto folder = tutti_in(dir.path(), {"run", "steps", "--input-file", "ensembles"});
  CHECK(folder.code == 2);
  CHECK(contains(folder.err, "error: --input-file ensembles: is a folder, not a file"));
  auto fallback = tutti_in(dir.path(), {"run", "steps"}, {}, "\n");
  CHECK(contains(fallback.out, "[first] the default"));
  CHECK(contains(fallback.err, "no input given: using the default_input of steps"));
  CHECK(tutti_in(dir.path(), {"run", "steps", "--input", "  \n"}).code == 2);
}

TEST_CASE("run without any input is a clear error") {
  temp_dir dir;
  dir.write("bare.toml", "name = \"bare\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\n");
  auto r = tutti_in(dir.path(), {"run", "bare.toml"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "no input for bare: give --input TEXT or --input-file PATH"));
  CHECK(r.out.empty());
}

TEST_CASE("run --json prints one JSON document with the mode and caps in force") {
  temp_dir dir;
  dir.write("ensembles/steps.toml", two_step);
  auto r = tutti_in(dir.path(), {"run", "steps", "--json", "--sequential"});
  CHECK(r.code == 0);
  CHECK(r.out.front() == '{');
  CHECK(contains(r.out, "\"mode\": \"sequential\""));
  CHECK(contains(r.out, "\"status\": \"completed\""));
  auto eager = tutti_in(dir.path(), {"run", "steps", "--json", "--eager", "--max-concurrent", "3"});
  CHECK(contains(eager.out, "\"scheduling\": \"eager\""));
  CHECK(contains(eager.out, "\"max_concurrent_agents\": 3"));
}

TEST_CASE("the bug-triage example fans out, decides a condition and runs scripts, out of the "
          "box") {
  temp_dir dir;
  std::ifstream example{std::string{TUTTI_SOURCE_DIR} + "/ensembles/bug-triage.toml"};
  std::stringstream text;
  text << example.rdbuf();
  dir.write("ensembles/bug-triage.toml", text.str());
  auto r = tutti_in(dir.path(), {"run", "bug-triage", "--json", "--no-store"});
  INFO(r.err);
  CHECK(r.code == 0);
  auto run = nlohmann::json::parse(r.out);
  CHECK(run.at("status") == "completed");
  const auto& triage = run.at("agents").at("triage");
  REQUIRE(triage.at("instances").size() == 3);
  CHECK(triage.at("instances")[2].at("name") == "triage[2]");
  CHECK(contains(triage.at("instances")[2].at("response").get<std::string>(),
                 "The editor crashes when a file is saved twice"));
  CHECK(run.at("agents").at("escalate").at("status") == "success");
  const auto summary =
      nlohmann::json::parse(run.at("agents").at("summary").at("response").get<std::string>());
  CHECK(summary.at("dependencies").at("triage").at("output").size() == 3);

  // Without a crash among the reports, the condition skips the escalation; the run completes.
  auto calm = tutti_in(dir.path(), {"run", "bug-triage", "--json", "--no-store", "--input",
                                    "The logo is blurry\nThe font is small"});
  CHECK(calm.code == 0);
  auto quiet = nlohmann::json::parse(calm.out);
  CHECK(quiet.at("status") == "completed");
  CHECK(quiet.at("agents").at("triage").at("instances").size() == 2);
  CHECK(quiet.at("agents").at("escalate").at("skipped_by_condition") == true);
}

TEST_CASE("run exits 1 when some agent did not succeed and 2 when nothing could run") {
  temp_dir dir;
  dir.write("partial.toml", "name = \"p\"\ndefault_input = \"x\"\n[[agents]]\nname = \"a\"\n"
                            "provider = \"mock\"\nmock = { fail = \"no\" }\n[[agents]]\nname = "
                            "\"b\"\nprovider = \"mock\"\n");
  auto partial = tutti_in(dir.path(), {"run", "partial.toml"});
  CHECK(partial.code == 1);
  CHECK(contains(partial.err, "a  failed  "));
  CHECK(contains(partial.err, "\n  no\n")); // its error, under it
  CHECK(contains(partial.err, "partial: 1 of 2 agents succeeded"));
  CHECK(partial.out == "## b\n\n[b] x\n"); // the answers there are

  dir.write("remote.toml", "name = \"r\"\ndefault_input = \"x\"\n[[agents]]\nname = \"a\"\n"
                           "provider = \"anthropic\"\nmodel = \"claude\"\n");
  auto keyless = tutti_in(dir.path(), {"run", "remote.toml"});
  CHECK(keyless.code == 1);
  CHECK(contains(keyless.err, "no API key for backend 'anthropic': set ANTHROPIC_API_KEY"));
  CHECK(keyless.out.empty());

  CHECK(tutti_in(dir.path(), {"run", "missing"}).code == 2);
  CHECK(tutti_in(dir.path(), {"run", "partial.toml", "--sequential", "--eager"}).code == 2);
  CHECK(tutti_in(dir.path(), {"run", "partial.toml", "--max-concurrent", "0"}).code == 2);
}

TEST_CASE("run --stats shows each resource group, and the JSON carries them too") {
  temp_dir dir;
  dir.write("ensembles/steps.toml", two_step);
  auto r = tutti_in(dir.path(), {"run", "steps", "--stats"});
  CHECK(r.code == 0);
  CHECK(
      contains(r.err, "resources:\n  GROUP   RESOURCE    LIMIT      ACTIVE  PENDING  PEAK  DONE"));
  CHECK(contains(r.err, "  mock    remote-api  unlimited  0       0        1     2"));
  // The caps above the groups are rows of their own; two agents cannot reach a cap of 10, so
  // the run's is never asked.
  CHECK(contains(r.err, "  run     cap         10         0       0        0     0"));
  CHECK(contains(r.err, "  engine  cap         50         0       0        1     2"));
  auto json = tutti_in(dir.path(), {"run", "steps", "--json"});
  CHECK(contains(json.out, "\"resources\": ["));
  CHECK(contains(json.out, "\"id\": \"mock\""));
}

TEST_CASE("run --stream prints the last phase's responses as they arrive, --stream=all all") {
  temp_dir dir;
  dir.write("ensembles/steps.toml", two_step);
  auto last = tutti_in(dir.path(), {"run", "steps", "--stream", "--input", "hi"});
  CHECK(last.code == 0);
  // One agent streamed: its tokens as they came, and not printed again at the end.
  CHECK(last.out == "[second] hi\n\n## first\n[first] hi\n");
  auto all = tutti_in(dir.path(), {"run", "steps", "--stream=all", "--input", "hi"});
  // Several: whole lines, each behind its agent's name.
  CHECK(all.out == "[first] [first] hi\n[second] [second] hi\n[second]\n[second] ## first\n"
                   "[second] [first] hi\n");
  auto spaced = tutti_in(dir.path(), {"run", "steps", "--stream", "all", "--input", "hi"});
  CHECK(spaced.code == 0);
  CHECK(spaced.out == all.out);
  auto json = tutti_in(dir.path(), {"run", "steps", "--stream", "--json", "--input", "hi"});
  CHECK(json.out.front() == '{');
  CHECK(contains(json.err, "[second] "));
  CHECK(tutti_in(dir.path(), {"run", "steps", "--stream=some"}).code == 2);
}

TEST_CASE(
    "model output to a terminal has its control characters escaped, while pipes and JSON keep "
    "the bytes") {
  temp_dir dir;
  dir.write("echo.toml", "name = \"echo\"\n[[agents]]\nname = \"only\"\nprovider = \"mock\"\n");
  using namespace std::string_literals;
  const auto hostile = "a\x1b]0;owned\x07"s + "b\x1b[31mred\x01z"s;
  auto shown =
      tutti_in(dir.path(), {"run", "echo.toml", "--input", hostile}, {}, std::nullopt, true);
  CHECK(shown.code == 0);
  INFO(shown.out);
  CHECK_FALSE(contains(shown.out, "\x1b"));
  CHECK(contains(shown.out, "a\\x1b]0;owned\\x07b\\x1b[31mred\\x01z"));
  auto piped = tutti_in(dir.path(), {"run", "echo.toml", "--input", hostile});
  CHECK(contains(piped.out, hostile));
  auto json = tutti_in(dir.path(), {"run", "echo.toml", "--json", "--input", hostile}, {},
                       std::nullopt, true);
  CHECK(contains(json.out, "a\\u001b]0;owned\\u0007b"));
}

TEST_CASE("SIGTERM, SIGHUP and SIGQUIT cancel a run like Ctrl-C: what finished is printed, "
          "exit 1") {
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    INFO("signal " << signal_number);
    temp_dir dir;
    dir.write("slow.toml", "name = \"slow\"\n[[agents]]\nname = \"quick\"\nprovider = "
                           "\"mock\"\n[[agents]]\nname = \"slow\"\nprovider = \"mock\"\n"
                           "mock = { latency_ms = 60000 }\n");
    struct sigaction before {};
    sigaction(signal_number, nullptr, &before); // Catch2 has handlers of its own
    std::promise<tutti::test::cli_result> ran;
    std::thread runner{[&] {
      ran.set_value(tutti_in(dir.path(), {"run", "slow.toml", "--input", "go", "--quiet"}));
    }};
    // The run has installed its handler once the signal's disposition has changed.
    REQUIRE(tutti::test::eventually([&] {
      struct sigaction current {};
      sigaction(signal_number, nullptr, &current);
      return current.sa_handler != before.sa_handler;
    }));
    kill(getpid(), signal_number);
    auto r = ran.get_future().get();
    runner.join();
    CHECK(r.code == 1);
    CHECK(r.out == "## quick\n\n[quick] go\n");
    CHECK(contains(r.err, "slow  failed"));
    CHECK(contains(r.err, "cancelled: 1 of 2 agents succeeded"));
  }
}

TEST_CASE("list, plan, profiles and validate speak JSON with --json, and their errors do too") {
  temp_dir dir;
  dir.write("ensembles/pair.toml", valid);
  dir.write("tutti.toml", "[profiles.smart]\nprovider = \"mock\"\nmodel = \"deep\"\n");
  auto listed = nlohmann::json::parse(tutti_in(dir.path(), {"list", "--json"}).out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["name"] == "pair");
  CHECK(listed[0]["phases"] == 2);
  auto plan = nlohmann::json::parse(tutti_in(dir.path(), {"plan", "pair", "--json"}).out);
  CHECK(plan["phases"][1][0]["agent"] == "second");
  CHECK(plan["phases"][1][0]["depends_on"] == nlohmann::json{"first"});
  CHECK(plan["phases"][0][0]["group"] == "mock");
  auto profiles = nlohmann::json::parse(
      tutti_in(dir.path(), {"profiles", "--json"}, {{"OPENAI_API_KEY", "sk-secret-1"}}).out);
  CHECK(profiles["profiles"][0]["model"] == "deep");
  CHECK(profiles["prices"]["gpt-4o"]["input_per_mtok"] == 2.5);
  CHECK(contains(tutti_in(dir.path(), {"profiles"}).out, "  gpt-4o "));
  bool saw_openai = false;
  for (const auto& b : profiles["backends"]) {
    if (b["name"] == "openai") {
      saw_openai = true;
      CHECK(b["key_env"] == "OPENAI_API_KEY");
      CHECK(b["key_set"] == true);
    }
  }
  CHECK(saw_openai);
  CHECK_FALSE(contains(profiles.dump(), "sk-secret-1"));
  dir.write("w.toml", "name = \"w\"\n[[agents]]\nname = \"a\"\nprovider = \"mock\"\nprompt = "
                      "\"{inptu}\"\n");
  auto validated = tutti_in(dir.path(), {"validate", "pair", "w.toml", "--json"});
  CHECK(validated.code == 0);
  auto doc = nlohmann::json::parse(validated.out);
  CHECK(doc["ensembles"].size() == 2);
  CHECK(doc["warnings"][0]["field"] == "agents.a.prompt");
  CHECK(validated.err.empty()); // the warning is in the document

  dir.write("bad.toml", "name = \"bad\"\n[[agents]]\nname = \"a\"\nprofile = \"smrat\"\n");
  auto bad = tutti_in(dir.path(), {"validate", "bad.toml", "--json"});
  CHECK(bad.code == 2);
  auto error = nlohmann::json::parse(bad.out)["error"];
  CHECK(error["code"] == "unknown_profile");
  CHECK(error["file"].get<std::string>().ends_with("bad.toml"));
  CHECK(error["line"] == 4);
  CHECK(contains(error["message"].get<std::string>(), "unknown profile 'smrat'"));
  auto usage = tutti_in(dir.path(), {"plan", "--json"});
  CHECK(usage.code == 2);
  CHECK(nlohmann::json::parse(usage.out)["error"]["code"] == "usage");
  auto missing = tutti_in(dir.path(), {"run", "nothere", "--json"});
  CHECK(missing.code == 2);
  CHECK(nlohmann::json::parse(missing.out)["errors"].size() == 1);
  CHECK(missing.err.empty());
}

TEST_CASE("every problem of a file is said at once: an invalid agent name does not hide that "
          "agent's unknown profile, or another agent's unknown backend") {
  temp_dir dir;
  dir.write("e.toml", "name = \"x\"\n[[agents]]\nname = \"bad name\"\nprofile = \"smrat\"\n"
                      "[[agents]]\nname = \"ok\"\nbackend = \"nope\"\nmodel = \"m\"\n");
  auto r = tutti_in(dir.path(), {"validate", "e.toml"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "e.toml:3:1: agents[0].name: 'bad name' may contain only letters"));
  CHECK(contains(r.err, "e.toml:4:1: agents.bad name.profile: unknown profile 'smrat'"));
  CHECK(contains(r.err, "e.toml:7:1: agents.ok.backend: unknown backend 'nope'"));
  // In the order of the file.
  CHECK(r.err.find("'bad name'") < r.err.find("smrat"));
  CHECK(r.err.find("smrat") < r.err.find("nope"));
}

TEST_CASE("a number option given something else says what it wants") {
  temp_dir dir;
  auto word = tutti_in(dir.path(), {"run", "x.toml", "--max-concurrent", "abc"});
  CHECK(word.code == 2);
  CHECK(contains(word.err, "error: --max-concurrent: 'abc' is not a number from 1 to 1000000"));
  auto port = tutti_in(dir.path(), {"mock-server", "--port", "70000"});
  CHECK(port.code == 2);
  CHECK(contains(port.err, "error: --port: '70000' is not a port (0 to 65535)"));
}

TEST_CASE("doctor fails two backends that reach one server with different limits, as run would "
          "refuse them") {
  temp_dir dir;
  dir.write("tutti.toml",
            "[backends.a]\nprovider = \"ollama\"\nbase_url = "
            "\"http://127.0.0.1:1\"\nmax_concurrent = 1\n[backends.b]\nprovider "
            "= \"openai\"\nbase_url = \"http://localhost:1/v1\"\nmax_concurrent = 4\n");
  auto r = tutti_in(dir.path(), {"doctor", "--json"});
  CHECK(r.code == 1);
  const auto checks = nlohmann::json::parse(r.out).at("checks");
  bool flagged = false;
  for (const auto& c : checks) {
    if (c.at("check") == "group" && c.at("status") == "fail") {
      flagged = true;
      CHECK(contains(c.at("message").get<std::string>(), "'a'"));
    }
  }
  CHECK(flagged);
}

TEST_CASE("run refuses options that would be silently ignored: an empty --show, a cap on a "
          "sequential run") {
  temp_dir dir;
  dir.write("ensembles/steps.toml", two_step);
  auto empty = tutti_in(dir.path(), {"run", "steps", "--input", "x", "--show", ""});
  CHECK(empty.code == 2);
  CHECK(contains(empty.err, "error: --show: give all, or agent names comma-separated"));
  auto capped = tutti_in(dir.path(),
                         {"run", "steps", "--input", "x", "--sequential", "--max-concurrent", "5"});
  CHECK(capped.code == 2);
  CHECK(contains(capped.err, "error: --sequential excludes --max-concurrent"));
}
