#include <tutti/engine/run_id.hpp>

#include <cstdio>
#include <ctime>
#include <random>

namespace tutti::engine {

std::string new_run_id(std::chrono::system_clock::time_point now) {
  static thread_local std::mt19937 random{std::random_device{}()};
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char id[64];
  std::snprintf(id, sizeof id, "%04d%02d%02d-%02d%02d%02d-%06x", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<unsigned>(random() & 0xffffffu));
  return id;
}

} // namespace tutti::engine
