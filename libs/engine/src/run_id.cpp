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

std::string utc_text(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
  const auto seconds = std::chrono::system_clock::to_time_t(ms);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms.time_since_epoch().count() % 1000));
  return text;
}

} // namespace tutti::engine
