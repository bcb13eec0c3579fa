// One thread running an Asio io_context, where providers' timers and sockets live. CAF keeps
// its own threads; completions cross over as messages.
#pragma once

#include <memory>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace tutti::providers {

class io_thread {
 public:
  io_thread();
  /// Stops the loop and joins the thread; pending handlers never run. Idempotent.
  void stop();
  ~io_thread();
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;

  boost::asio::io_context& context();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace tutti::providers
