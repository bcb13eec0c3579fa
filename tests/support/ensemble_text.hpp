// Ensembles for tests, written as TOML and resolved against the built-in configuration.
#pragma once

#include <tutti/definition/resolved_ensemble.hpp>

#include <string>

namespace tutti::test {

/// Parses and resolves `toml`; a test fails at once if it is not a valid ensemble.
definition::resolved_ensemble ensemble_from(const std::string& toml);

} // namespace tutti::test
