// A named model profile from the configuration, which agents refer to by name.
#pragma once

#include <tutti/definition/diagnostic.hpp>
#include <tutti/definition/model_settings.hpp>

#include <string>

namespace tutti::definition {

struct profile {
  std::string name;
  model_settings settings;
  source_location where;
};

} // namespace tutti::definition
