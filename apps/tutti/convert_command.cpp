// tutti convert FILE.yaml: an llm-orc ensemble as a tutti ensemble file, on stdout. The
// llm-orc profiles it uses follow as commented-out [profiles.NAME] tables, so that the output
// stays one valid ensemble file and the profiles can be copied into tutti.toml.
#include "commands.hpp"

#include <tutti/llm_orc/ensemble_reader.hpp>
#include <tutti/llm_orc/profiles.hpp>
#include <tutti/llm_orc/toml_writer.hpp>

#include <sstream>

namespace tutti::cli {
namespace {

// Each line of `text` as a TOML comment.
std::string commented(const std::string& text) {
  std::istringstream lines{text};
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    out += line.empty() ? "#\n" : "# " + line + '\n';
  }
  return out;
}

// What the TOML alone does not tell: profiles it names that llm-orc does not define, and
// nested llm-orc files that need converting too.
std::vector<std::string> conversion_notes(const definition::ensemble& e,
                                          const std::map<std::string, definition::profile>& all) {
  std::vector<std::string> notes;
  auto note_profile = [&](const definition::agent_spec& a, const std::string& name) {
    if (all.count(name) == 0) {
      notes.push_back(e.file + ": agents." + a.name + ": profile '" + name +
                      "' is no llm-orc profile here; define it in tutti.toml");
    }
  };
  for (const auto& a : e.agents) {
    if (a.profile) {
      note_profile(a, *a.profile);
    }
    for (const auto& fallback : a.settings.fallback.value_or(std::vector<std::string>{})) {
      note_profile(a, fallback);
    }
    const auto* nested = a.ensemble ? &*a.ensemble : a.loop ? &a.loop->body : nullptr;
    if (nested != nullptr && llm_orc::is_llm_orc_file(*nested)) {
      notes.push_back(e.file + ": agents." + a.name + ": runs " + *nested +
                      ", an llm-orc file: convert it too and name the .toml here");
    }
  }
  return notes;
}

} // namespace

void add_convert_command(CLI::App& app, command_state& state) {
  auto* cmd = app.add_subcommand("convert", "Print an llm-orc ensemble (.yaml) as a tutti "
                                            "ensemble (TOML), with the llm-orc profiles it uses");
  auto file = std::make_shared<std::string>();
  cmd->add_option("file", *file, "llm-orc ensemble file (.yaml or .yml)")->required();
  cmd->callback([&state, file] {
    auto fail = [&](const definition::diagnostics& problems) {
      print_problems(state, problems);
      state.exit_code = exit_code::invalid_input;
    };
    const auto path = state.ctx.working_dir / *file;
    if (!llm_orc::is_llm_orc_file(path)) {
      return fail({{definition::definition_errc::invalid_value,
                    {*file, 0, 0},
                    "",
                    "tutti convert reads llm-orc ensembles, files ending in .yaml or .yml"}});
    }
    const auto working_dir =
        state.ctx.working_dir.empty() ? std::filesystem::current_path() : state.ctx.working_dir;
    auto profiles = llm_orc::load_llm_orc_profiles(working_dir, state.ctx.env);
    if (!profiles) {
      return fail(profiles.problems());
    }
    std::vector<std::string> notes;
    auto e = llm_orc::load_llm_orc_ensemble(path, definition_limit_bytes(state), &notes);
    if (!e) {
      return fail(e.problems());
    }
    auto more = conversion_notes(*e, *profiles);
    notes.insert(notes.end(), more.begin(), more.end());
    for (const auto& note : notes) {
      state.ctx.err << "note: " << note << '\n';
    }
    auto used = llm_orc::profiles_used_by(*e, *profiles);
    state.ctx.out << llm_orc::to_toml(*e)
                  << "\n# For tutti.toml: the llm-orc profiles this "
                     "ensemble uses\n"
                  << (used.empty() ? "# (none)\n" : commented(llm_orc::profiles_toml(used)));
  });
}

} // namespace tutti::cli
