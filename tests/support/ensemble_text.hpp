// Ensembles for tests, written as TOML and resolved against the built-in configuration.
#pragma once

#include <tutti/definition/resolved_ensemble.hpp>

#include <string>

namespace tutti::test {

/// Parses and resolves `toml`; a test fails at once if it is not a valid ensemble.
definition::resolved_ensemble ensemble_from(const std::string& toml);

/// "chain": first, second (depends on first), and broken, which fails with "model exploded".
extern const std::string chain_with_a_failure;

} // namespace tutti::test
