#include "sim/arm_expression.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/strings.h"
#include "core/time.h"

namespace vivalink::sim::arm {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  core::Result<Expr> ParseAll() {
    if (text_.size() > kMaxLength) {
      return core::InvalidArgumentError(fmt::format(
          "expression of {} bytes is longer than the limit of {}", text_.size(), kMaxLength));
    }
    ASSIGN_OR_RETURN(Expr e, ParseExpr(0));
    SkipSpace();
    if (pos_ != text_.size()) return Error("end of expression");
    return e;
  }

 private:
  core::Status Error(std::string_view expected) const {
    std::string found = pos_ < text_.size() ? fmt::format("'{}'", text_[pos_]) : "the end";
    return core::InvalidArgumentError(
        fmt::format("offset {}: expected {}, found {}", pos_, expected, found));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  static bool IsNameStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  }
  static bool IsNameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '-';
  }

  std::string ParseName() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  core::Result<Expr> ParseExpr(int depth) {
    if (depth > kMaxDepth) {
      return core::InvalidArgumentError(
          fmt::format("offset {}: expression nested deeper than {} levels", pos_, kMaxDepth));
    }
    ASSIGN_OR_RETURN(Expr e, ParsePrimary(depth));
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size()) break;
      bool safe = false;
      size_t save = pos_;
      if (text_[pos_] == '?') {
        safe = true;
        ++pos_;
        if (pos_ >= text_.size() || (text_[pos_] != '.' && text_[pos_] != '[')) {
          pos_ = save;
          return Error("'.' or '[' after '?'");
        }
      }
      if (text_[pos_] == '.') {
        ++pos_;
        SkipSpace();
        if (pos_ >= text_.size() || !IsNameStart(text_[pos_])) return Error("a property name");
        Expr m;
        m.kind = Expr::Kind::kMember;
        m.text = ParseName();
        m.safe = safe;
        m.args.push_back(std::move(e));
        e = std::move(m);
      } else if (text_[pos_] == '[') {
        ++pos_;
        ASSIGN_OR_RETURN(Expr index, ParseExpr(depth + 1));
        if (!Consume(']')) return Error("']'");
        Expr ix;
        ix.kind = Expr::Kind::kIndex;
        ix.safe = safe;
        ix.args.push_back(std::move(e));
        ix.args.push_back(std::move(index));
        e = std::move(ix);
      } else {
        break;
      }
    }
    return e;
  }

  core::Result<Expr> ParsePrimary(int depth) {
    SkipSpace();
    if (pos_ >= text_.size()) return Error("a value");
    char c = text_[pos_];
    Expr e;
    if (c == '\'') {
      ++pos_;
      e.kind = Expr::Kind::kString;
      for (;;) {
        if (pos_ >= text_.size()) return Error("the closing quote of a string");
        if (text_[pos_] == '\'') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\'') {
            e.text.push_back('\'');
            pos_ += 2;
            continue;
          }
          ++pos_;
          break;
        }
        e.text.push_back(text_[pos_++]);
      }
      return e;
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = pos_;
      if (c == '-') ++pos_;
      bool digits = false, dot = false;
      while (pos_ < text_.size()) {
        char d = text_[pos_];
        if (std::isdigit(static_cast<unsigned char>(d))) {
          digits = true;
        } else if (d == '.' && !dot) {
          dot = true;
        } else {
          break;
        }
        ++pos_;
      }
      std::string_view num = text_.substr(start, pos_ - start);
      if (!digits) return Error("a number");
      if (dot) {
        e.kind = Expr::Kind::kDecimal;
        // strtod needs a terminated string; the literal is short.
        std::string copy(num);
        char* end = nullptr;
        e.decimal = std::strtod(copy.c_str(), &end);
        if (!std::isfinite(e.decimal)) return Error("a finite number");
        return e;
      }
      e.kind = Expr::Kind::kInteger;
      auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), e.integer);
      if (ec != std::errc() || ptr != num.data() + num.size()) {
        pos_ = start;
        return Error("an integer within 64 bits");
      }
      return e;
    }
    if (IsNameStart(c)) {
      size_t start = pos_;
      std::string name = ParseName();
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        ++pos_;
        e.kind = Expr::Kind::kCall;
        e.text = std::move(name);
        if (Consume(')')) return e;
        for (;;) {
          ASSIGN_OR_RETURN(Expr arg, ParseExpr(depth + 1));
          e.args.push_back(std::move(arg));
          if (Consume(',')) continue;
          if (Consume(')')) break;
          return Error("',' or ')'");
        }
        return e;
      }
      if (core::EqualsIgnoreCase(name, "true") || core::EqualsIgnoreCase(name, "false")) {
        e.kind = Expr::Kind::kBool;
        e.boolean = core::EqualsIgnoreCase(name, "true");
        return e;
      }
      if (core::EqualsIgnoreCase(name, "null")) {
        e.kind = Expr::Kind::kNull;
        return e;
      }
      pos_ = start;
      return Error("'(' after a function name");
    }
    return Error("a string, number or function call");
  }

  std::string_view text_;
  size_t pos_ = 0;
};

core::Status ArgError(std::string_view fn, std::string_view what) {
  return core::InvalidArgumentError(fmt::format("{}(): {}", fn, what));
}

core::Status WantArgs(std::string_view fn, const std::vector<Value>& a, size_t min, size_t max) {
  if (a.size() < min || a.size() > max) {
    if (min == max) return ArgError(fn, fmt::format("takes {} arguments, got {}", min, a.size()));
    return ArgError(fn, fmt::format("takes {} to {} arguments, got {}", min, max, a.size()));
  }
  return core::OkStatus();
}

core::Result<std::string> StringArg(std::string_view fn, const Value& v, int index) {
  if (!v.is_string()) {
    return ArgError(fn,
                    fmt::format("argument {} must be a string, not {}", index + 1, v.type_name()));
  }
  return v.get<std::string>();
}

core::Result<int64_t> IntArg(std::string_view fn, const Value& v, int index) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && ptr == s.data() + s.size()) return out;
  }
  return ArgError(fn, fmt::format("argument {} must be an integer", index + 1));
}

bool Truthy(const Value& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) return core::EqualsIgnoreCase(v.get_ref<const std::string&>(), "true");
  return false;
}

// .NET custom date and time format strings, the subset pipelines use: yyyy yy MM M dd d HH H hh
// mm ss f..fffffff tt, 'quoted' and "quoted" text, \x escapes; "o"/"O", "s", "u" standard ones.
core::Result<std::string> FormatDotNet(core::TimePoint t, std::string_view format) {
  if (format.empty() || format == "o" || format == "O") {
    format = "yyyy-MM-ddTHH:mm:ss.fffffffK";
  } else if (format == "s") {
    format = "yyyy-MM-ddTHH:mm:ss";
  } else if (format == "u") {
    format = "yyyy-MM-dd HH:mm:ssZ";
  }
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss hms{t - day};
  int year = static_cast<int>(ymd.year());
  unsigned month = static_cast<unsigned>(ymd.month());
  unsigned mday = static_cast<unsigned>(ymd.day());
  long hour = hms.hours().count();
  long minute = hms.minutes().count();
  long second = static_cast<long>(hms.seconds().count());
  long millis = static_cast<long>(hms.subseconds().count());
  std::string out;
  size_t i = 0;
  auto run = [&](char c) {
    size_t n = 0;
    while (i + n < format.size() && format[i + n] == c) ++n;
    return n;
  };
  while (i < format.size()) {
    char c = format[i];
    size_t n = run(c);
    switch (c) {
      case 'y':
        out += n >= 4 ? fmt::format("{:04}", year) : fmt::format("{:02}", year % 100);
        break;
      case 'M':
        out += n >= 2 ? fmt::format("{:02}", month) : fmt::format("{}", month);
        break;
      case 'd':
        if (n > 2)
          return core::InvalidArgumentError("formatDateTime(): day names are not supported");
        out += n == 2 ? fmt::format("{:02}", mday) : fmt::format("{}", mday);
        break;
      case 'H':
        out += n >= 2 ? fmt::format("{:02}", hour) : fmt::format("{}", hour);
        break;
      case 'h': {
        long h12 = hour % 12 == 0 ? 12 : hour % 12;
        out += n >= 2 ? fmt::format("{:02}", h12) : fmt::format("{}", h12);
        break;
      }
      case 'm':
        out += n >= 2 ? fmt::format("{:02}", minute) : fmt::format("{}", minute);
        break;
      case 's':
        out += n >= 2 ? fmt::format("{:02}", second) : fmt::format("{}", second);
        break;
      case 'f':
      case 'F': {
        if (n > 7) return core::InvalidArgumentError("formatDateTime(): more than 7 'f'");
        std::string frac = fmt::format("{:03}0000", millis);
        out += frac.substr(0, n);
        break;
      }
      case 't':
        out += hour < 12 ? (n >= 2 ? "AM" : "A") : (n >= 2 ? "PM" : "P");
        break;
      case 'K':
      case 'Z':
        out += 'Z';
        n = 1;
        break;
      case '\'':
      case '"': {
        size_t end = format.find(c, i + 1);
        if (end == std::string_view::npos) {
          return core::InvalidArgumentError("formatDateTime(): unterminated quoted text");
        }
        out += format.substr(i + 1, end - i - 1);
        n = end - i + 1;
        break;
      }
      case '\\':
        if (i + 1 < format.size()) out += format[i + 1];
        n = 2;
        break;
      default:
        out.append(n, c);
        break;
    }
    i += n;
  }
  return out;
}

core::Result<core::TimePoint> TimeArg(std::string_view fn, const Value& v, int index) {
  ASSIGN_OR_RETURN(std::string s, StringArg(fn, v, index));
  auto t = core::ParseIso8601(s);
  if (!t.ok()) return ArgError(fn, fmt::format("argument {} is not a timestamp", index + 1));
  return *t;
}

core::Result<Value> AddTime(std::string_view fn, const std::vector<Value>& a,
                            std::chrono::milliseconds unit) {
  RETURN_IF_ERROR(WantArgs(fn, a, 2, 3));
  ASSIGN_OR_RETURN(core::TimePoint t, TimeArg(fn, a[0], 0));
  ASSIGN_OR_RETURN(int64_t n, IntArg(fn, a[1], 1));
  constexpr int64_t kLimit = int64_t{1} << 40;
  if (n > kLimit || n < -kLimit) return ArgError(fn, "the amount is out of range");
  std::string format;
  if (a.size() == 3) {
    ASSIGN_OR_RETURN(format, StringArg(fn, a[2], 2));
  }
  ASSIGN_OR_RETURN(std::string text, FormatDotNet(t + unit * n, format));
  return Value(std::move(text));
}

core::Result<Value> Builtin(std::string_view name, const std::vector<Value>& a) {
  std::string fn = core::ToLower(name);
  if (fn == "concat") {
    if (!a.empty() && a[0].is_array()) {
      Value out = Value::array();
      for (const Value& v : a) {
        if (!v.is_array()) return ArgError(name, "mixes arrays and other values");
        for (const Value& x : v) out.push_back(x);
      }
      return out;
    }
    std::string out;
    for (const Value& v : a) out += ValueToText(v);
    return Value(std::move(out));
  }
  if (fn == "string") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    return Value(ValueToText(a[0]));
  }
  if (fn == "int") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    ASSIGN_OR_RETURN(int64_t v, IntArg(name, a[0], 0));
    return Value(v);
  }
  if (fn == "bool") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    if (a[0].is_number_integer()) return Value(a[0].get<int64_t>() != 0);
    return Value(Truthy(a[0]));
  }
  if (fn == "json") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    ASSIGN_OR_RETURN(std::string s, StringArg(name, a[0], 0));
    Value v = Value::parse(s, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) return ArgError(name, "the argument is not JSON");
    return v;
  }
  if (fn == "if") {
    RETURN_IF_ERROR(WantArgs(name, a, 3, 3));
    return Truthy(a[0]) ? a[1] : a[2];
  }
  if (fn == "equals") {
    RETURN_IF_ERROR(WantArgs(name, a, 2, 2));
    if (a[0].is_string() && a[1].is_string()) {
      return Value(a[0].get_ref<const std::string&>() == a[1].get_ref<const std::string&>());
    }
    return Value(a[0] == a[1]);
  }
  if (fn == "not") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    return Value(!Truthy(a[0]));
  }
  if (fn == "and" || fn == "or") {
    if (a.size() < 2) return ArgError(name, "takes at least 2 arguments");
    bool acc = fn == "and";
    for (const Value& v : a) acc = fn == "and" ? (acc && Truthy(v)) : (acc || Truthy(v));
    return Value(acc);
  }
  if (fn == "tolower" || fn == "toupper") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    ASSIGN_OR_RETURN(std::string s, StringArg(name, a[0], 0));
    for (char& c : s) {
      c = static_cast<char>(fn == "tolower" ? std::tolower(static_cast<unsigned char>(c))
                                            : std::toupper(static_cast<unsigned char>(c)));
    }
    return Value(std::move(s));
  }
  if (fn == "replace") {
    RETURN_IF_ERROR(WantArgs(name, a, 3, 3));
    ASSIGN_OR_RETURN(std::string s, StringArg(name, a[0], 0));
    ASSIGN_OR_RETURN(std::string from, StringArg(name, a[1], 1));
    ASSIGN_OR_RETURN(std::string to, StringArg(name, a[2], 2));
    if (from.empty()) return ArgError(name, "the text to replace is empty");
    std::string out;
    size_t i = 0;
    for (size_t hit; (hit = s.find(from, i)) != std::string::npos; i = hit + from.size()) {
      out.append(s, i, hit - i);
      out += to;
    }
    out.append(s, i, std::string::npos);
    return Value(std::move(out));
  }
  if (fn == "split") {
    RETURN_IF_ERROR(WantArgs(name, a, 2, 2));
    ASSIGN_OR_RETURN(std::string s, StringArg(name, a[0], 0));
    ASSIGN_OR_RETURN(std::string sep, StringArg(name, a[1], 1));
    if (sep.empty()) return ArgError(name, "the separator is empty");
    Value out = Value::array();
    size_t i = 0;
    for (size_t hit; (hit = s.find(sep, i)) != std::string::npos; i = hit + sep.size()) {
      out.push_back(s.substr(i, hit - i));
    }
    out.push_back(s.substr(i));
    return out;
  }
  if (fn == "first" || fn == "last") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    const Value& v = a[0];
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.empty()) return Value("");
      return Value(std::string(1, fn == "first" ? s.front() : s.back()));
    }
    if (v.is_array()) {
      if (v.empty()) return Value();
      return fn == "first" ? v.front() : v.back();
    }
    return ArgError(name, "takes a string or an array");
  }
  if (fn == "length") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    if (a[0].is_string())
      return Value(static_cast<int64_t>(a[0].get_ref<const std::string&>().size()));
    if (a[0].is_array() || a[0].is_object()) return Value(static_cast<int64_t>(a[0].size()));
    return ArgError(name, "takes a string, array or object");
  }
  if (fn == "empty") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 1));
    if (a[0].is_null()) return Value(true);
    if (a[0].is_string()) return Value(a[0].get_ref<const std::string&>().empty());
    if (a[0].is_array() || a[0].is_object()) return Value(a[0].empty());
    return Value(false);
  }
  if (fn == "coalesce") {
    for (const Value& v : a) {
      if (!v.is_null()) return v;
    }
    return Value();
  }
  if (fn == "contains") {
    RETURN_IF_ERROR(WantArgs(name, a, 2, 2));
    if (a[0].is_string()) {
      ASSIGN_OR_RETURN(std::string needle, StringArg(name, a[1], 1));
      return Value(a[0].get_ref<const std::string&>().find(needle) != std::string::npos);
    }
    if (a[0].is_array()) {
      for (const Value& v : a[0]) {
        if (v == a[1]) return Value(true);
      }
      return Value(false);
    }
    if (a[0].is_object()) {
      ASSIGN_OR_RETURN(std::string key, StringArg(name, a[1], 1));
      return Value(FindProperty(a[0], key) != nullptr);
    }
    return ArgError(name, "takes a string, array or object");
  }
  if (fn == "startswith" || fn == "endswith") {
    RETURN_IF_ERROR(WantArgs(name, a, 2, 2));
    ASSIGN_OR_RETURN(std::string s, StringArg(name, a[0], 0));
    ASSIGN_OR_RETURN(std::string x, StringArg(name, a[1], 1));
    std::string ls = core::ToLower(s), lx = core::ToLower(x);
    bool hit = fn == "startswith" ? ls.starts_with(lx) : ls.ends_with(lx);
    return Value(hit);
  }
  if (fn == "substring") {
    RETURN_IF_ERROR(WantArgs(name, a, 2, 3));
    ASSIGN_OR_RETURN(std::string s, StringArg(name, a[0], 0));
    ASSIGN_OR_RETURN(int64_t start, IntArg(name, a[1], 1));
    int64_t len = static_cast<int64_t>(s.size()) - start;
    if (a.size() == 3) {
      ASSIGN_OR_RETURN(len, IntArg(name, a[2], 2));
    }
    if (start < 0 || len < 0 || start > static_cast<int64_t>(s.size()) ||
        len > static_cast<int64_t>(s.size()) - start) {
      return ArgError(name, "the range is outside the string");
    }
    return Value(s.substr(static_cast<size_t>(start), static_cast<size_t>(len)));
  }
  if (fn == "createarray") {
    Value out = Value::array();
    for (const Value& v : a) out.push_back(v);
    return out;
  }
  if (fn == "formatdatetime") {
    RETURN_IF_ERROR(WantArgs(name, a, 1, 2));
    ASSIGN_OR_RETURN(core::TimePoint t, TimeArg(name, a[0], 0));
    std::string format;
    if (a.size() == 2) {
      ASSIGN_OR_RETURN(format, StringArg(name, a[1], 1));
    }
    ASSIGN_OR_RETURN(std::string text, FormatDotNet(t, format));
    return Value(std::move(text));
  }
  if (fn == "adddays") return AddTime(name, a, std::chrono::hours(24));
  if (fn == "addhours") return AddTime(name, a, std::chrono::hours(1));
  if (fn == "addminutes") return AddTime(name, a, std::chrono::minutes(1));
  if (fn == "addseconds") return AddTime(name, a, std::chrono::seconds(1));
  return core::InvalidArgumentError(fmt::format("unknown function {}()", name));
}

core::Result<Value> EvalDepth(const Expr& e, FunctionScope& scope, int depth) {
  if (depth > 4 * kMaxDepth) return core::InvalidArgumentError("expression nested too deeply");
  switch (e.kind) {
    case Expr::Kind::kString:
      return Value(e.text);
    case Expr::Kind::kInteger:
      return Value(e.integer);
    case Expr::Kind::kDecimal:
      return Value(e.decimal);
    case Expr::Kind::kBool:
      return Value(e.boolean);
    case Expr::Kind::kNull:
      return Value();
    case Expr::Kind::kCall: {
      std::vector<Value> args;
      args.reserve(e.args.size());
      for (const Expr& a : e.args) {
        ASSIGN_OR_RETURN(Value v, EvalDepth(a, scope, depth + 1));
        args.push_back(std::move(v));
      }
      if (auto r = scope.Call(e.text, args)) return std::move(*r);
      return Builtin(e.text, args);
    }
    case Expr::Kind::kMember: {
      ASSIGN_OR_RETURN(Value obj, EvalDepth(e.args[0], scope, depth + 1));
      const Value* v = FindProperty(obj, e.text);
      if (v == nullptr) {
        if (e.safe) return Value();
        return core::InvalidArgumentError(
            fmt::format("property '{}' does not exist on a {}", e.text, obj.type_name()));
      }
      return *v;
    }
    case Expr::Kind::kIndex: {
      ASSIGN_OR_RETURN(Value obj, EvalDepth(e.args[0], scope, depth + 1));
      ASSIGN_OR_RETURN(Value index, EvalDepth(e.args[1], scope, depth + 1));
      if (obj.is_array() && index.is_number_integer()) {
        int64_t i = index.get<int64_t>();
        if (i >= 0 && static_cast<size_t>(i) < obj.size()) return obj[static_cast<size_t>(i)];
        if (e.safe) return Value();
        return core::InvalidArgumentError(
            fmt::format("index {} is outside an array of {}", i, obj.size()));
      }
      if (obj.is_object() && index.is_string()) {
        const Value* v = FindProperty(obj, index.get_ref<const std::string&>());
        if (v != nullptr) return *v;
        if (e.safe) return Value();
        return core::InvalidArgumentError(
            fmt::format("property '{}' does not exist", index.get_ref<const std::string&>()));
      }
      if (e.safe) return Value();
      return core::InvalidArgumentError(
          fmt::format("cannot index a {} with a {}", obj.type_name(), index.type_name()));
    }
  }
  return core::InternalError("unknown expression kind");
}

}  // namespace

core::Result<Expr> ParseExpression(std::string_view text) { return Parser(text).ParseAll(); }

void Walk(const Expr& e, const std::function<void(const Expr&)>& f) {
  f(e);
  for (const Expr& a : e.args) Walk(a, f);
}

ArmString ClassifyArmString(std::string_view s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    if (s.size() >= 2 && s[1] == '[') return {StringForm::kLiteral, std::string(s.substr(1))};
    return {StringForm::kExpression, std::string(s.substr(1, s.size() - 2))};
  }
  return {StringForm::kLiteral, std::string(s)};
}

core::Result<Value> Evaluate(const Expr& e, FunctionScope& scope) { return EvalDepth(e, scope, 0); }

core::Result<Value> EvaluateArmString(std::string_view s, FunctionScope& scope) {
  ArmString a = ClassifyArmString(s);
  if (a.form == StringForm::kLiteral) return Value(std::move(a.body));
  ASSIGN_OR_RETURN(Expr e, ParseExpression(a.body));
  return Evaluate(e, scope);
}

core::Result<Value> EvaluateAdfString(std::string_view s, FunctionScope& scope) {
  if (s.starts_with("@@")) return Value(std::string(s.substr(1)));
  if (s.starts_with("@") && !s.starts_with("@{")) {
    ASSIGN_OR_RETURN(Expr e, ParseExpression(s.substr(1)));
    return Evaluate(e, scope);
  }
  if (s.find("@{") == std::string_view::npos) return Value(std::string(s));
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t at = s.find("@{", i);
    if (at == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, at - i));
    // The closing brace is the first one outside a quoted string.
    size_t j = at + 2;
    bool quoted = false;
    for (; j < s.size(); ++j) {
      if (s[j] == '\'') quoted = !quoted;
      if (!quoted && s[j] == '}') break;
    }
    if (j >= s.size()) {
      return core::InvalidArgumentError(fmt::format("offset {}: '@{{' without a closing '}}'", at));
    }
    ASSIGN_OR_RETURN(Expr e, ParseExpression(s.substr(at + 2, j - at - 2)));
    ASSIGN_OR_RETURN(Value v, Evaluate(e, scope));
    out += ValueToText(v);
    i = j + 1;
  }
  return Value(std::move(out));
}

std::string ValueToText(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  return v.dump();
}

const Value* FindProperty(const Value& v, std::string_view name) {
  if (!v.is_object()) return nullptr;
  auto it = v.find(name);
  if (it != v.end()) return &*it;
  for (auto i = v.begin(); i != v.end(); ++i) {
    if (core::EqualsIgnoreCase(i.key(), name)) return &*i;
  }
  return nullptr;
}

}  // namespace vivalink::sim::arm
