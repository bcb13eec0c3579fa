// "Did you mean ...?": the closest candidate to a misspelt name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tutti::definition {

/// The candidate closest to `name` by edit distance, if it is close enough to be a plausible
/// typo: at most max(1, length / 3) edits away, or its start.
std::optional<std::string> nearest_name(std::string_view name,
                                        const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" or empty, ready to append to a message.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

/// The candidates nearest `name` first, at most `at_most` of them, as "a, b, and 3 more".
std::string nearest_first(std::string_view name, std::vector<std::string> candidates,
                          std::size_t at_most = 8);

} // namespace tutti::definition
