#include "support/tls_test_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace tutti::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string pem_of(const auto& write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), BIO_free};
  write(bio.get());
  char* data = nullptr;
  auto size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

// A key and a certificate for 127.0.0.1, signed by that key itself.
void use_self_signed(ssl::context& tls) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_RSA_gen(2048), EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> cert{X509_new(), X509_free};
  if (!key || !cert) {
    throw std::runtime_error("cannot make a test certificate");
  }
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  auto* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  auto cert_pem = pem_of([&](BIO* b) { PEM_write_bio_X509(b, cert.get()); });
  auto key_pem = pem_of([&](BIO* b) {
    PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  tls.use_certificate(asio::buffer(cert_pem), ssl::context::pem);
  tls.use_private_key(asio::buffer(key_pem), ssl::context::pem);
}

} // namespace

struct tls_test_server::impl {
  impl() : acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) { use_self_signed(tls); }

  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) {
        return;
      }
      auto stream = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), tls);
      stream->async_handshake(
          ssl::stream_base::server,
          [this, stream](const boost::system::error_code& e) { handshakes += e ? 0 : 1; });
      accept();
    });
  }

  asio::io_context io;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor;
  std::atomic<int> handshakes{0};
  std::thread thread;
};

tls_test_server::tls_test_server() : impl_(std::make_unique<impl>()) {
  impl_->accept();
  impl_->thread = std::thread{[this] { impl_->io.run(); }};
}

tls_test_server::~tls_test_server() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string tls_test_server::base_url() const {
  return "https://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

int tls_test_server::handshakes_completed() const {
  return impl_->handshakes;
}

} // namespace tutti::test
