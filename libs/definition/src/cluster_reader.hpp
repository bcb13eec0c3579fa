// Reads [cluster] of tutti.toml into cluster_settings, with file:line for every problem.
#pragma once

#include "table_reader.hpp"

#include <tutti/definition/cluster_settings.hpp>

namespace tutti::definition {

void read_cluster(table_reader& reader, cluster_settings& out);

} // namespace tutti::definition
