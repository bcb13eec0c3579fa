#include <tutti/definition/agent_output.hpp>
#include <tutti/definition/condition.hpp>
#include <tutti/definition/value_ranges.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <re2/re2.h>

namespace tutti::definition {

using json = nlohmann::json;

namespace {

enum class relation {
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  contains,
  matches
};

struct operand {
  enum class kind { value, status, output, literal } what = kind::literal;
  std::string agent;
  std::vector<std::string> path; // of a value: the JSON field under the output
  json literal;
};

} // namespace

struct condition::node {
  enum class kind { all_of, any_of, negation, test } what = kind::test;
  std::vector<std::shared_ptr<const node>> children; // two or more; one for a negation
  operand left;
  std::optional<relation> how; // none: left's truth
  operand right;
  std::shared_ptr<const re2::RE2> pattern; // of `matches`
};

namespace {

using node = condition::node;
using node_ptr = std::shared_ptr<const node>;

struct token {
  enum class kind { end, open, close, word, text, number, reference, symbol } what;
  std::string value;
  std::size_t column;    // 1-based
  std::string spelled{}; // as written
};

struct parse_failure {
  condition_error error;
};

[[noreturn]] void fail(std::size_t column, std::string message) {
  throw parse_failure{{column, std::move(message)}};
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

std::vector<token> tokenize(std::string_view text) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const auto column = i + 1;
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '(' || c == ')') {
      out.push_back({c == '(' ? token::kind::open : token::kind::close, std::string(1, c), column});
      ++i;
    } else if (text.substr(i, 2) == "${") {
      const auto end = text.find('}', i);
      if (end == std::string_view::npos) {
        fail(column, "'${' is not closed by '}'");
      }
      out.push_back({token::kind::reference, std::string{text.substr(i + 2, end - i - 2)}, column});
      i = end + 1;
    } else if (c == '"' || c == '\'') {
      std::string value;
      ++i;
      while (i < text.size() && text[i] != c) {
        // Only the quote and the backslash are escaped: a regular expression keeps its own.
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == c || text[i + 1] == '\\')) {
          ++i;
        }
        value += text[i++];
      }
      if (i == text.size()) {
        fail(column, std::string{"the string is not closed by "} + c);
      }
      ++i;
      out.push_back({token::kind::text, std::move(value), column});
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
               (c == '-' && i + 1 < text.size() &&
                std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0)) {
      auto end = i + 1;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '.' ||
              text[end] == '+' ||
              (text[end] == '-' && (text[end - 1] == 'e' || text[end - 1] == 'E')))) {
        ++end;
      }
      out.push_back({token::kind::number, std::string{text.substr(i, end - i)}, column});
      i = end;
    } else if (is_word_char(c)) {
      auto end = i;
      while (end < text.size() && is_word_char(text[end])) {
        ++end;
      }
      out.push_back({token::kind::word, std::string{text.substr(i, end - i)}, column});
      i = end;
    } else {
      static constexpr std::string_view symbols[] = {"==", "!=", "<=", ">=", "&&",
                                                     "||", "<",  ">",  "!"};
      auto match = std::find_if(std::begin(symbols), std::end(symbols),
                                [&](std::string_view s) { return text.substr(i, s.size()) == s; });
      if (match == std::end(symbols)) {
        fail(column, std::string{"unexpected '"} + c + "'");
      }
      out.push_back({token::kind::symbol, std::string{*match}, column});
      i += match->size();
    }
  }
  out.push_back({token::kind::end, "", text.size() + 1});
  for (std::size_t k = 0; k + 1 < out.size(); ++k) {
    const auto from = out[k].column - 1;
    auto to = out[k + 1].column - 1;
    while (to > from && std::isspace(static_cast<unsigned char>(text[to - 1])) != 0) {
      --to;
    }
    out[k].spelled = std::string{text.substr(from, to - from)};
  }
  return out;
}

std::optional<relation> relation_named(const token& t) {
  static const std::pair<std::string_view, relation> names[] = {{"==", relation::equal},
                                                                {"!=", relation::not_equal},
                                                                {"<", relation::less},
                                                                {"<=", relation::less_equal},
                                                                {">", relation::greater},
                                                                {">=", relation::greater_equal},
                                                                {"contains", relation::contains},
                                                                {"matches", relation::matches}};
  if (t.what != token::kind::symbol && t.what != token::kind::word) {
    return std::nullopt;
  }
  for (const auto& [name, r] : names) {
    if (t.value == name) {
      return r;
    }
  }
  return std::nullopt;
}

class parser {
 public:
  explicit parser(std::string_view text) : tokens_(tokenize(text)) {}

  node_ptr whole() {
    if (peek().what == token::kind::end) {
      fail(1, "the condition is empty");
    }
    auto root = any_of();
    if (peek().what != token::kind::end) {
      fail(peek().column, "unexpected '" + peek().spelled + "'; expected and, or, or the end");
    }
    return root;
  }

  std::vector<std::string> agents;

 private:
  const token& peek() const { return tokens_[at_]; }
  const token& take() { return tokens_[at_++]; }
  bool take_if(std::string_view a, std::string_view b) {
    const auto& t = peek();
    if ((t.what == token::kind::word || t.what == token::kind::symbol) &&
        (t.value == a || t.value == b)) {
      ++at_;
      return true;
    }
    return false;
  }

  node_ptr joined(node::kind kind, std::string_view word, std::string_view symbol,
                  node_ptr (parser::*part)()) {
    auto first = (this->*part)();
    if (peek().value != word && peek().value != symbol) {
      return first;
    }
    auto joint = std::make_shared<node>();
    joint->what = kind;
    joint->children.push_back(std::move(first));
    while (take_if(word, symbol)) {
      joint->children.push_back((this->*part)());
    }
    return joint;
  }
  node_ptr any_of() { return joined(node::kind::any_of, "or", "||", &parser::all_of); }
  node_ptr all_of() { return joined(node::kind::all_of, "and", "&&", &parser::negation); }

  node_ptr negation() {
    if (take_if("not", "!")) {
      auto n = std::make_shared<node>();
      n->what = node::kind::negation;
      n->children.push_back(negation());
      return n;
    }
    if (peek().what == token::kind::open) {
      const auto column = take().column;
      auto inner = any_of();
      if (peek().what != token::kind::close) {
        fail(peek().column, "expected ')' to close the '(' at column " + std::to_string(column));
      }
      take();
      return inner;
    }
    return test();
  }

  node_ptr test() {
    auto n = std::make_shared<node>();
    n->left = value();
    if (auto how = relation_named(peek())) {
      const auto& op = take();
      n->how = how;
      n->right = value();
      if (*how == relation::matches) {
        if (n->right.what != operand::kind::literal || !n->right.literal.is_string()) {
          fail(op.column, "'matches' needs a quoted regular expression on its right");
        }
        n->pattern =
            std::make_shared<const re2::RE2>(n->right.literal.get<std::string>(), re2::RE2::Quiet);
        if (!n->pattern->ok()) {
          fail(op.column,
               "the regular expression after 'matches' is not valid: " + n->pattern->error());
        }
      }
    }
    return n;
  }

  void refer(const std::string& agent, std::size_t column) {
    if (!is_valid_agent_name(agent)) {
      fail(column, "'" + agent + "' is not an agent name");
    }
    if (std::find(agents.begin(), agents.end(), agent) == agents.end()) {
      agents.push_back(agent);
    }
  }

  operand value() {
    const auto& t = take();
    operand o;
    switch (t.what) {
    case token::kind::reference: {
      o.what = operand::kind::value;
      std::string_view rest = t.value;
      for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
        (o.agent.empty() ? o.agent : o.path.emplace_back()) = std::string{rest.substr(0, dot)};
        rest.remove_prefix(dot + 1);
      }
      (o.agent.empty() ? o.agent : o.path.emplace_back()) = std::string{rest};
      if (std::any_of(o.path.begin(), o.path.end(), [](const auto& p) { return p.empty(); })) {
        fail(t.column, "'${" + t.value + "}' has an empty field name");
      }
      refer(o.agent, t.column + 2);
      return o;
    }
    case token::kind::text:
      o.literal = t.value;
      return o;
    case token::kind::number: {
      o.literal = json::parse(t.value, nullptr, false);
      if (o.literal.is_discarded() || !o.literal.is_number()) {
        fail(t.column, "'" + t.value + "' is not a number");
      }
      return o;
    }
    case token::kind::word:
      if ((t.value == "status" || t.value == "output") && peek().what == token::kind::open) {
        take();
        const auto& agent = take();
        if (agent.what != token::kind::word || take().what != token::kind::close) {
          fail(agent.column,
               t.value + "(...) takes one agent name, as in " + t.value + "(classify)");
        }
        o.what = t.value == "status" ? operand::kind::status : operand::kind::output;
        o.agent = agent.value;
        refer(o.agent, agent.column);
        return o;
      }
      if (t.value == "true" || t.value == "false") {
        o.literal = t.value == "true";
      } else if (t.value == "null") {
        o.literal = nullptr;
      } else if (t.value == "and" || t.value == "or" || t.value == "not" || t.value == "contains" ||
                 t.value == "matches") {
        fail(t.column, "expected a value before '" + t.value + "'");
      } else {
        o.literal = t.value; // a bare word is a string, as llm-orc reads it
      }
      return o;
    case token::kind::end:
      fail(t.column, "the condition ends where a value was expected");
    default:
      fail(t.column, "expected a value, not '" + t.spelled + "'");
    }
  }

  std::vector<token> tokens_;
  std::size_t at_ = 0;
};

using lookup = std::function<std::optional<dependency_view>(std::string_view)>;

json field_of(json value, const std::vector<std::string>& path) {
  for (const auto& part : path) {
    if (value.is_object() && value.contains(part)) {
      value = std::move(value[part]);
    } else if (value.is_array() && !part.empty() &&
               std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(c); }) &&
               std::stoul(part) < value.size()) {
      value = std::move(value[std::stoul(part)]);
    } else {
      return nullptr;
    }
  }
  return value;
}

// A text as a condition reads it: without the whitespace around it (a model's or a program's
// last newline is no part of "yes").
std::string trimmed(std::string_view text) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && space(text.back())) {
    text.remove_suffix(1);
  }
  return std::string{text};
}

json value_of(const operand& o, const lookup& dependency) {
  if (o.what == operand::kind::literal) {
    return o.literal;
  }
  const auto d = dependency(o.agent);
  if (!d) {
    return nullptr;
  }
  switch (o.what) {
  case operand::kind::status:
    return std::string{d->status};
  case operand::kind::output:
    return trimmed(d->output);
  default:
    break;
  }
  if (d->status != "success" && d->status != "partial") {
    return nullptr; // no output to read; a fan-out's partial one holds null for what failed
  }
  auto value = json_or_text(d->output);
  if (value.is_string()) {
    return o.path.empty() ? json(trimmed(value.get_ref<const std::string&>())) : json(nullptr);
  }
  return field_of(std::move(value), o.path);
}

bool is_true(const json& v) {
  switch (v.type()) {
  case json::value_t::null:
    return false;
  case json::value_t::boolean:
    return v.get<bool>();
  case json::value_t::string:
    return !v.get_ref<const std::string&>().empty();
  case json::value_t::array:
  case json::value_t::object:
    return !v.empty();
  default:
    return v.get<double>() != 0;
  }
}

bool ordered(const json& a, const json& b, relation how) {
  int order = 0;
  if (a.is_number() && b.is_number()) {
    const auto x = a.get<double>();
    const auto y = b.get<double>();
    order = x < y ? -1 : (x > y ? 1 : 0);
  } else if (a.is_string() && b.is_string()) {
    order = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
  } else {
    return false;
  }
  switch (how) {
  case relation::less:
    return order < 0;
  case relation::less_equal:
    return order <= 0;
  case relation::greater:
    return order > 0;
  default:
    return order >= 0;
  }
}

bool contains(const json& whole, const json& part) {
  if (whole.is_string() && part.is_string()) {
    return whole.get_ref<const std::string&>().find(part.get_ref<const std::string&>()) !=
           std::string::npos;
  }
  if (whole.is_array()) {
    return std::find(whole.begin(), whole.end(), part) != whole.end();
  }
  return whole.is_object() && part.is_string() &&
         whole.contains(part.get_ref<const std::string&>());
}

bool is_met(const node& n, const lookup& dependency) {
  switch (n.what) {
  case node::kind::all_of:
    return std::all_of(n.children.begin(), n.children.end(),
                       [&](const node_ptr& c) { return is_met(*c, dependency); });
  case node::kind::any_of:
    return std::any_of(n.children.begin(), n.children.end(),
                       [&](const node_ptr& c) { return is_met(*c, dependency); });
  case node::kind::negation:
    return !is_met(*n.children.front(), dependency);
  case node::kind::test:
    break;
  }
  const auto left = value_of(n.left, dependency);
  if (!n.how) {
    return is_true(left);
  }
  const auto right = value_of(n.right, dependency);
  switch (*n.how) {
  case relation::equal:
    return left == right;
  case relation::not_equal:
    return left != right;
  case relation::contains:
    return contains(left, right);
  case relation::matches:
    if (left.is_null()) {
      return false;
    }
    return re2::RE2::PartialMatch(left.is_string() ? left.get<std::string>() : left.dump(),
                                  *n.pattern);
  default:
    return ordered(left, right, *n.how);
  }
}

} // namespace

std::variant<condition, condition_error> condition::parse(std::string_view text) {
  try {
    parser p{text};
    condition c;
    c.root_ = p.whole();
    c.agents_ = std::move(p.agents);
    c.text_ = std::string{text};
    return c;
  } catch (const parse_failure& failure) {
    return failure.error;
  }
}

bool condition::holds(const lookup& dependency) const {
  return is_met(*root_, dependency);
}

bool condition::is_operand() const {
  return root_->what == node::kind::test && !root_->how;
}

std::optional<std::string> condition::value_text(const lookup& dependency) const {
  if (!is_operand()) {
    return std::nullopt;
  }
  auto value = value_of(root_->left, dependency);
  if (value.is_null()) {
    return std::nullopt;
  }
  return value.is_string() ? value.get<std::string>() : json_text(value);
}

} // namespace tutti::definition
