#include <tutti/providers/io_thread.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace tutti::providers {

struct io_thread::impl {
  boost::asio::io_context context{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
      context.get_executor()};
  std::thread thread{[this] { context.run(); }};
};

io_thread::io_thread() : impl_(std::make_unique<impl>()) {}

void io_thread::stop() {
  impl_->work.reset();
  impl_->context.stop();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
}

io_thread::~io_thread() {
  stop();
}

boost::asio::io_context& io_thread::context() {
  return impl_->context;
}

} // namespace tutti::providers
