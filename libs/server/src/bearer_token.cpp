#include "bearer_token.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>

namespace tutti::server {
namespace {

std::array<unsigned char, SHA256_DIGEST_LENGTH> digest(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

} // namespace

bool carries_token(std::string_view authorization, std::string_view token) {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() < scheme.size() || authorization.substr(0, scheme.size()) != scheme) {
    return false;
  }
  // Digests have one length whatever was sent, so the comparison's time says nothing.
  const auto sent = digest(authorization.substr(scheme.size()));
  const auto expected = digest(token);
  return CRYPTO_memcmp(sent.data(), expected.data(), sent.size()) == 0;
}

} // namespace tutti::server
