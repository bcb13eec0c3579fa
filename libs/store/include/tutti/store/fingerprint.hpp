// Fingerprints of what decides an ensemble's outputs, so that a resume can tell whether a
// stored result still answers the same question.
#pragma once

#include <tutti/definition/resolved_ensemble.hpp>
#include <tutti/store/run_store.hpp>

#include <string>

namespace tutti::store {

/// A hash of what decides one agent's response: its name, prompt, system prompt, provider,
/// server, model, sampling settings, mock replies and dependencies. Not what only decides when
/// or how patiently it runs (timeouts, priority, limits, latency): changing those and resuming
/// is the point of a resume.
std::string agent_fingerprint(const definition::resolved_agent& agent);

/// A hash of every agent's fingerprint, in definition order.
std::string ensemble_fingerprint(const definition::resolved_ensemble& e);

/// What a run of `e` is started from: its file and fingerprints.
run_origin origin_of(const definition::resolved_ensemble& e);

} // namespace tutti::store
