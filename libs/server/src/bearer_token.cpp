#include "bearer_token.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace tutti::server {
namespace {

std::array<unsigned char, SHA256_DIGEST_LENGTH> digest(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

} // namespace

bool carries_token(std::string_view authorization, std::string_view token) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() < scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), authorization.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
    return false; // the scheme's name is not case-sensitive (RFC 9110)
  }
  // Digests have one length whatever was sent, so the comparison's time says nothing.
  const auto sent = digest(authorization.substr(scheme.size()));
  const auto expected = digest(token);
  return CRYPTO_memcmp(sent.data(), expected.data(), sent.size()) == 0;
}

} // namespace tutti::server
