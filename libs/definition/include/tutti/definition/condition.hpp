// An agent's `when`: a condition on its dependencies' results, decided once they have finished.
// One grammar, a superset of llm-orc's (`${dep.field.path}` for truthiness,
// `${dep.field} == literal`):
//
//   condition  := or
//   or         := and { ("or" | "||") and }
//   and        := not { ("and" | "&&") not }
//   not        := ("not" | "!") not | "(" condition ")" | comparison
//   comparison := operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "matches")
//                           operand ]
//   operand    := "${" AGENT { "." FIELD } "}" | "status(" AGENT ")" | "output(" AGENT ")"
//               | "string" | 'string' | number | true | false | null | bare-word
//
// `${a}` is a's output, parsed as JSON when it is JSON, else its text; `${a.x.y}` a field of
// that JSON (an array index is a number: `${a.items.0}`); both are null unless a succeeded
// (or, fanning out, partly).
// `status(a)` is a's status ("success", "partial" (a fan-out of which some instances failed),
// "failed", "timeout", "skipped"); `output(a)` its text.
// Texts are read without the whitespace around them.
// A bare word is a string, as in llm-orc (`${a.kind} == bug`). A lone operand is true unless it
// is null, false, 0, "" or an empty array or object. `<`, `>` compare numbers with numbers and
// strings with strings; anything else is false. `contains` finds text in a string, an item in
// an array or a key in an object; `matches` searches a string with a regular expression in RE2's
// syntax (Perl's, without backreferences or lookaround: it runs in linear time, whatever the
// pattern and the text), given as a literal and compiled when the file is read. Pure: no actors,
// no I/O.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tutti::definition {

/// Where and why a condition's text does not parse.
struct condition_error {
  std::size_t column = 0; // 1-based, in the condition's text
  std::string message;
};

/// What a condition may know of one dependency.
struct dependency_view {
  std::string_view status; // "success", "failed", ...
  std::string_view output; // its response; empty unless it succeeded
};

class condition {
 public:
  /// Parses `text`; a condition or the first error in it.
  static std::variant<condition, condition_error> parse(std::string_view text);

  /// The agents it refers to, each once, in order of appearance.
  const std::vector<std::string>& agents() const { return agents_; }
  const std::string& text() const { return text_; }

  /// Whether it holds. `dependency` gives a referenced agent's result; an agent it does not
  /// know reads as one that did not succeed.
  bool
  holds(const std::function<std::optional<dependency_view>(std::string_view)>& dependency) const;

  /// Whether it is one operand and nothing else (`${a.x}`, `output(a)`): a value to read.
  bool is_operand() const;
  /// The value of a condition that is one operand, as text: a string as it is, other JSON as
  /// JSON text. nullopt when it is null, or not one operand.
  std::optional<std::string> value_text(
      const std::function<std::optional<dependency_view>(std::string_view)>& dependency) const;

  struct node;

 private:
  std::string text_;
  std::vector<std::string> agents_;
  std::shared_ptr<const node> root_;
};

} // namespace tutti::definition
