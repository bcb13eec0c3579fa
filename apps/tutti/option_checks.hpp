// Checks for number options that say what they want in words: CLI11's own say "Value abc not
// in range 1 to 10" or "Could not convert: --port = 70000".
#pragma once

#include <CLI/CLI.hpp>

namespace tutti::cli {

/// "'abc' is not a number from 1 to 10"; whole numbers only unless `fractions`.
CLI::Validator number_from(double min, double max, bool fractions = false);

/// "'70000' is not a port (0 to 65535)"
CLI::Validator port_number();

} // namespace tutti::cli
