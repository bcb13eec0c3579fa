// The dashboard: one page, its HTML, CSS and script built into the binary from
// web/dashboard.html, so that it needs nothing but the server.
#pragma once

#include <string_view>

namespace tutti::server {

std::string_view dashboard_page();

} // namespace tutti::server
