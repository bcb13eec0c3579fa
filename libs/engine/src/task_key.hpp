// What a message between the run, its phases and its agents is about: an agent, or one
// instance of a fan-out agent, in one number, so that the actors that only count and time
// their work need not tell the two apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace tutti::engine {

/// The agent's index in the low 32 bits; its instance + 1 in the high ones, 0 for the agent
/// itself.
inline std::uint64_t task_key(std::size_t agent) {
  return static_cast<std::uint64_t>(agent);
}
inline std::uint64_t task_key(std::size_t agent, std::size_t instance) {
  return static_cast<std::uint64_t>(agent) | (static_cast<std::uint64_t>(instance + 1) << 32);
}
/// The agent of a task: the index into the ensemble's agents.
inline std::size_t agent_of(std::uint64_t task) {
  return static_cast<std::size_t>(task & 0xffffffffu);
}
/// Which instance of a fan-out agent a task is; nullopt for an agent itself.
inline std::optional<std::size_t> instance_of(std::uint64_t task) {
  const auto high = task >> 32;
  return high == 0 ? std::nullopt : std::optional<std::size_t>{high - 1};
}

} // namespace tutti::engine
