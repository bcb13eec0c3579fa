// One client connection: requests read under deadlines and a size limit, answered by the
// routes, kept alive; a stream of events written as they come. Lives on its own strand.
#pragma once

#include "http_reply.hpp"
#include "routes.hpp"

#include <tutti/server/http_server.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <memory>

namespace tutti::server {

class connection {
 public:
  virtual ~connection() = default;
  /// Closes the connection from any thread; a run it started and waits on is cancelled.
  virtual void close_from_anywhere() = 0;
};

/// Serves `socket` (whose executor must be a strand) until the client leaves or a deadline
/// passes. The connection lives as long as it is served, whoever holds the pointer.
/// `streaming` counts the connections that stream events or wait for a run to answer.
std::shared_ptr<connection> serve_connection(boost::asio::ip::tcp::socket socket,
                                             run_service& service, const http_settings& settings,
                                             std::atomic<std::size_t>& streaming);

} // namespace tutti::server
