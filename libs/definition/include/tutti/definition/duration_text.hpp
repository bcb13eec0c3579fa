// Durations as people read them in messages and tables.
#pragma once

#include <chrono>
#include <string>

namespace tutti::definition {

/// "30 s", "1.5 s", "250 ms".
std::string duration_text(std::chrono::milliseconds d);

} // namespace tutti::definition
