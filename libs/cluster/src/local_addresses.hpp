// Whether a host name is this machine, as the machine itself knows its addresses: a node may
// name the server of a GPU box "http://gpu-box:11434" while the box's own configuration says
// "http://localhost:11434"; both are one server, and the box's authority must know it.
#pragma once

#include <string>

namespace tutti::cluster {

/// True when `host` is loopback or resolves to an address of one of this machine's interfaces.
bool is_this_machine(const std::string& host);

/// True when every address `host` resolves to is a loopback address (127.0.0.0/8, ::1): a
/// socket bound there takes no connection from another machine. Wildcards (0.0.0.0, ::) and
/// names that do not resolve are not.
bool is_loopback_only(const std::string& host);

} // namespace tutti::cluster
