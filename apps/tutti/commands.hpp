// One function per subcommand; each adds itself to the app and reports its exit code.
#pragma once

#include "command_support.hpp"

#include <CLI/CLI.hpp>

namespace tutti::cli {

void add_init_command(CLI::App& app, command_state& state);
void add_doctor_command(CLI::App& app, command_state& state);
void add_validate_command(CLI::App& app, command_state& state);
void add_list_command(CLI::App& app, command_state& state);
void add_profiles_command(CLI::App& app, command_state& state);
void add_plan_command(CLI::App& app, command_state& state);
void add_run_command(CLI::App& app, command_state& state);
void add_runs_command(CLI::App& app, command_state& state);
void add_timeline_command(CLI::App& app, command_state& state);
void add_resume_command(CLI::App& app, command_state& state);
void add_mock_server_command(CLI::App& app, command_state& state);
void add_serve_command(CLI::App& app, command_state& state);
void add_convert_command(CLI::App& app, command_state& state);

} // namespace tutti::cli
