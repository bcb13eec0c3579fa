// The server's token, compared without telling by the time taken how much of a guess was right.
#pragma once

#include <string_view>

namespace tutti::server {

/// Whether `authorization` is "Bearer TOKEN" for `token`, in time independent of where they
/// differ.
bool carries_token(std::string_view authorization, std::string_view token);

} // namespace tutti::server
