// Which request goes where: the HTTP API of `tutti serve` over a run_service, as a plain
// function of a request, so that every route is tested without a socket.
#pragma once

#include "http_reply.hpp"

#include <tutti/server/run_service.hpp>

#include <string>

namespace tutti::server {

struct http_request {
  std::string method; // "GET", "POST", ...
  std::string target; // path and query, as sent
  std::string body;
  std::string authorization; // the Authorization header
  std::string last_event_id; // the Last-Event-ID header: where a reconnecting stream resumes
  std::string host;          // the Host header
  std::string origin;        // the Origin header a browser sends with a page's requests
  std::string content_type;
};

/// `token`: the bearer token every request must carry (except the dashboard page, which holds
/// no data); empty when none is asked. Without a token, only loopback may ask: a Host or
/// Origin that names another machine (a web page, DNS rebinding) is refused, and a POST or PUT
/// must be JSON, which a page cannot send elsewhere without the server's leave.
http_reply route(run_service& service, const http_request& request, const std::string& token);

} // namespace tutti::server
