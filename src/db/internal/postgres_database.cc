// PostgreSQL implementation of db::Database, on libpq.
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>

#include "core/handle.h"
#include "core/log.h"
#include "db/internal/open.h"
#include "db/internal/sql_text.h"

namespace vivalink::db::internal {
namespace {

using core::StatusCode;

using PgConn = core::UniqueHandle<PGconn, PQfinish>;
using PgResult = core::UniqueHandle<PGresult, PQclear>;

// Type OIDs from catalog/pg_type.h (a server header the client packages do not ship).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;
constexpr Oid kTextOid = 25;
constexpr Oid kJsonOid = 114;
constexpr Oid kBpcharOid = 1042;
constexpr Oid kVarcharOid = 1043;
constexpr Oid kFloat8ArrayOid = 1022;
constexpr Oid kJsonbOid = 3802;

// Flush COPY data to the server in chunks of about this size.
constexpr std::size_t kCopyChunk = 256 * 1024;

StatusCode CodeForSqlState(std::string_view state) {
  if (state.size() != 5) return StatusCode::kInternal;
  std::string_view cls = state.substr(0, 2);
  if (cls == "23") return StatusCode::kFailedPrecondition;  // integrity constraint violation
  if (cls == "08" || cls == "53" || cls == "57" || cls == "58" || cls == "40") {
    return StatusCode::kUnavailable;  // connection, resources, shutdown, serialization/deadlock
  }
  if (state == "55P03") return StatusCode::kUnavailable;    // lock not available
  if (cls == "22") return StatusCode::kInvalidArgument;     // data exception
  if (cls == "25") return StatusCode::kFailedPrecondition;  // invalid transaction state
  if (cls == "28") return StatusCode::kUnauthenticated;
  if (state == "42501") return StatusCode::kPermissionDenied;
  if (cls == "3D") return StatusCode::kNotFound;  // database does not exist
  return StatusCode::kInternal;                   // 42xxx syntax/undefined object, XX000, ...
}

std::string Field(const PGresult* r, int field) {
  const char* v = r != nullptr ? PQresultErrorField(r, field) : nullptr;
  return v != nullptr ? std::string(v) : std::string();
}

// Builds the Status of a failed call. Only the SQLSTATE and the primary message are used: the
// DETAIL ("Key (id)=(42) already exists") and CONTEXT fields quote values, and so do the primary
// messages of data exceptions (class 22, "invalid input syntax for type integer: "abc""), which
// are therefore replaced by a generic text.
Status PgError(PGconn* conn, const PGresult* r, std::string_view label, const std::string& where) {
  if (PQstatus(conn) == CONNECTION_BAD) {
    return core::UnavailableError("'" + std::string(label) + "' on " + where +
                                  " failed: the connection to the server was lost");
  }
  std::string state = Field(r, PG_DIAG_SQLSTATE);
  std::string primary = Field(r, PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty()) {
    primary = core::Redact(PQerrorMessage(conn));
    while (!primary.empty() && (primary.back() == '\n' || primary.back() == ' ')) {
      primary.pop_back();
    }
  }
  StatusCode code = state.empty() ? StatusCode::kUnavailable : CodeForSqlState(state);
  if (state.rfind("22", 0) == 0) {
    primary = "a value does not fit its column type or range (the value is not shown)";
  }
  std::string message = "'" + std::string(label) + "' on " + where + " failed: " + primary;
  if (!state.empty()) message += " (SQLSTATE " + state + ")";
  return Status(code, std::move(message));
}

// libpq parameter arrays for one execution. Text values point into the caller's Values (their
// std::string is NUL-terminated); numbers are formatted into fixed inline buffers.
class PgParams {
 public:
  PgParams(std::span<const Value> params, bool with_types) : n_(params.size()) {
    values_.resize(n_);
    lengths_.resize(n_);
    formats_.resize(n_);
    numbers_.resize(n_);
    if (with_types) types_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      const Value& v = params[i];
      Oid type = 0;
      switch (v.type()) {
        case ValueType::kNull:
          values_[i] = nullptr;
          break;
        case ValueType::kInt: {
          auto r = std::to_chars(numbers_[i].data(), numbers_[i].data() + 31, v.as_int());
          *r.ptr = '\0';
          values_[i] = numbers_[i].data();
          type = kInt8Oid;
          break;
        }
        case ValueType::kDouble: {
          std::string s = FormatDouble(v.as_double());
          std::memcpy(numbers_[i].data(), s.c_str(), s.size() + 1);
          values_[i] = numbers_[i].data();
          type = kFloat8Oid;
          break;
        }
        case ValueType::kText:
          values_[i] = v.as_text().c_str();
          break;
        case ValueType::kBlob: {
          const Blob& b = v.as_blob();
          static const char kEmpty = '\0';
          values_[i] = b.empty() ? &kEmpty : reinterpret_cast<const char*>(b.data());
          lengths_[i] = static_cast<int>(b.size());
          formats_[i] = 1;  // binary: the bytes as they are
          type = kByteaOid;
          break;
        }
        case ValueType::kDoubleArray:
          arrays_.push_back(FormatDoubleArray(v.as_double_array()));
          values_[i] = arrays_.back().c_str();
          type = kFloat8ArrayOid;
          break;
      }
      if (with_types) types_[i] = type;
    }
  }

  int n() const { return static_cast<int>(n_); }
  const Oid* types() const { return types_.empty() ? nullptr : types_.data(); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::size_t n_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<Oid> types_;
  std::vector<std::array<char, 32>> numbers_;  // to_chars of int64 / shortest double fit in 32
  std::deque<std::string> arrays_;             // array texts (a deque keeps c_str() stable)
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Value DecodeBytea(std::string_view text) {
  Blob out;
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
    out.reserve((text.size() - 2) / 2);
    for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
      int hi = HexDigit(text[i]);
      int lo = HexDigit(text[i + 1]);
      out.push_back(static_cast<std::byte>((hi << 4) | lo));
    }
    return Value(std::move(out));
  }
  // Legacy escape format (bytea_output = 'escape'): let libpq decode it.
  std::size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text.data()), &n);
  if (raw != nullptr) {
    const auto* p = reinterpret_cast<const std::byte*>(raw);
    out.assign(p, p + n);
    PQfreemem(raw);
  }
  return Value(std::move(out));
}

Value ParseValue(const char* data, int length, Oid type) {
  std::string_view text(data, static_cast<std::size_t>(length));
  switch (type) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid:
    case kOidOid: {
      std::int64_t v = 0;
      std::from_chars(text.data(), text.data() + text.size(), v);
      return Value(v);
    }
    case kBoolOid:
      return Value(std::int64_t{text == "t" ? 1 : 0});
    case kFloat4Oid:
    case kFloat8Oid: {
      double d = 0;
      std::from_chars(text.data(), text.data() + text.size(), d);
      return Value(d);
    }
    case kNumericOid: {
      std::int64_t v = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && ptr == text.data() + text.size()) return Value(v);
      double d = 0;
      std::from_chars(text.data(), text.data() + text.size(), d);
      return Value(d);
    }
    case kByteaOid:
      return DecodeBytea(text);
    default:
      return Value(std::string(text));
  }
}

void CollectRows(const PGresult* r, QueryResult* out) {
  const int ncols = PQnfields(r);
  const int nrows = PQntuples(r);
  out->columns.clear();
  out->rows.clear();
  for (int c = 0; c < ncols; ++c) out->columns.emplace_back(PQfname(r, c));
  std::vector<Oid> types(static_cast<std::size_t>(ncols));
  for (int c = 0; c < ncols; ++c) types[static_cast<std::size_t>(c)] = PQftype(r, c);
  out->rows.reserve(static_cast<std::size_t>(nrows));
  for (int i = 0; i < nrows; ++i) {
    Row row;
    row.reserve(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(r, i, c)) {
        row.emplace_back();
      } else {
        row.push_back(ParseValue(PQgetvalue(r, i, c), PQgetlength(r, i, c),
                                 types[static_cast<std::size_t>(c)]));
      }
    }
    out->rows.push_back(std::move(row));
  }
}

std::int64_t AffectedRows(const PGresult* r) {
  const char* t = PQcmdTuples(const_cast<PGresult*>(r));
  std::int64_t n = 0;
  if (t != nullptr) std::from_chars(t, t + std::strlen(t), n);
  return n;
}

// COPY text format: backslash, tab, newline and carriage return are escaped; \N is null.
void AppendCopyText(std::string& buf, std::string_view s) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    char esc;
    switch (c) {
      case '\\':
        esc = '\\';
        break;
      case '\t':
        esc = 't';
        break;
      case '\n':
        esc = 'n';
        break;
      case '\r':
        esc = 'r';
        break;
      default:
        continue;
    }
    buf.append(s.substr(start, i - start));
    buf += '\\';
    buf += esc;
    start = i + 1;
  }
  buf.append(s.substr(start));
}

void AppendCopyValue(std::string& buf, const Value& v) {
  switch (v.type()) {
    case ValueType::kNull:
      buf += "\\N";
      return;
    case ValueType::kInt: {
      char tmp[24];
      auto r = std::to_chars(tmp, tmp + sizeof tmp, v.as_int());
      buf.append(tmp, r.ptr);
      return;
    }
    case ValueType::kDouble:
      buf += FormatDouble(v.as_double());
      return;
    case ValueType::kText:
      AppendCopyText(buf, v.as_text());
      return;
    case ValueType::kBlob: {
      static constexpr char kHex[] = "0123456789abcdef";
      buf += "\\\\x";  // bytea hex input "\x..", its backslash escaped for COPY
      for (std::byte b : v.as_blob()) {
        auto u = static_cast<unsigned>(b);
        buf += kHex[u >> 4];
        buf += kHex[u & 15];
      }
      return;
    }
    case ValueType::kDoubleArray:
      buf += FormatDoubleArray(v.as_double_array());  // digits, signs, commas, braces: no escapes
      return;
  }
}

// COPY's binary format (PostgreSQL manual, COPY, "Binary Format"): a signature, a flags word and
// a header-extension length; per row a 16-bit field count and per field a 32-bit length (-1 for
// NULL) followed by the value in its type's binary send form, in network byte order; a 16-bit -1
// at the end. It spares the server parsing every number from text (a psql trial on 97,948 rows
// of 69 random doubles, into an indexed table on a loaded machine: 5.3 s as text, 1.7 s binary;
// real metrics have shorter texts, so the gap is smaller) and the client formatting them.
constexpr std::string_view kCopyBinarySignature{"PGCOPY\n\377\r\n\0", 11};

void PutBE16(std::string& b, std::uint16_t v) {
  b += static_cast<char>(v >> 8);
  b += static_cast<char>(v & 0xff);
}
void PutBE32(std::string& b, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b += static_cast<char>((v >> shift) & 0xff);
}
void PutBE64(std::string& b, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) b += static_cast<char>((v >> shift) & 0xff);
}
void PutField(std::string& b, std::string_view bytes) {
  PutBE32(b, static_cast<std::uint32_t>(bytes.size()));
  b.append(bytes);
}
void PutDouble(std::string& b, double v) {
  PutBE32(b, 8);
  PutBE64(b, std::bit_cast<std::uint64_t>(v));
}

// The column types COPY BINARY is used for; a table with any other column type is loaded as text.
bool HasBinaryEncoding(Oid type) {
  switch (type) {
    case kBoolOid:
    case kByteaOid:
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kFloat4Oid:
    case kFloat8Oid:
    case kTextOid:
    case kVarcharOid:
    case kBpcharOid:
    case kJsonOid:
    case kJsonbOid:
    case kFloat8ArrayOid:
      return true;
    default:
      return false;
  }
}

// A number a value stands for, converted as the text format would (text is parsed).
std::optional<double> NumberFor(const Value& v) {
  if (auto d = v.AsNumber()) return d;
  if (const auto* t = v.GetText()) {
    double d = 0;
    auto [ptr, ec] = std::from_chars(t->data(), t->data() + t->size(), d);
    if (ec == std::errc() && ptr == t->data() + t->size()) return d;
  }
  return std::nullopt;
}

std::optional<std::int64_t> IntegerFor(const Value& v) {
  if (const auto* i = v.GetInt()) return *i;
  if (const auto* t = v.GetText()) {
    std::int64_t n = 0;
    auto [ptr, ec] = std::from_chars(t->data(), t->data() + t->size(), n);
    if (ec == std::errc() && ptr == t->data() + t->size()) return n;
    return std::nullopt;
  }
  if (const auto* d = v.GetDouble()) {
    if (std::trunc(*d) == *d && std::abs(*d) < 9.2e18) return static_cast<std::int64_t>(*d);
  }
  return std::nullopt;
}

// Appends one field in the binary form of a column of type `type`; false when the value cannot
// be stored in such a column (nothing is appended then).
bool AppendBinaryValue(std::string& b, const Value& v, Oid type) {
  if (v.is_null()) {
    PutBE32(b, 0xffffffffu);
    return true;
  }
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: {
      auto n = IntegerFor(v);
      if (!n.has_value()) return false;
      if (type == kInt8Oid) {
        PutBE32(b, 8);
        PutBE64(b, static_cast<std::uint64_t>(*n));
      } else if (type == kInt4Oid) {
        if (*n < INT32_MIN || *n > INT32_MAX) return false;
        PutBE32(b, 4);
        PutBE32(b, static_cast<std::uint32_t>(static_cast<std::int32_t>(*n)));
      } else {
        if (*n < INT16_MIN || *n > INT16_MAX) return false;
        PutBE32(b, 2);
        PutBE16(b, static_cast<std::uint16_t>(static_cast<std::int16_t>(*n)));
      }
      return true;
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      auto d = NumberFor(v);
      if (!d.has_value()) return false;
      if (type == kFloat8Oid) {
        PutDouble(b, *d);
      } else {
        PutBE32(b, 4);
        PutBE32(b, std::bit_cast<std::uint32_t>(static_cast<float>(*d)));
      }
      return true;
    }
    case kBoolOid: {
      bool flag = false;
      if (const auto* i = v.GetInt()) {
        flag = *i != 0;
      } else if (const auto* t = v.GetText(); t != nullptr && (*t == "t" || *t == "true")) {
        flag = true;
      } else if (t == nullptr || (*t != "f" && *t != "false")) {
        return false;
      }
      PutBE32(b, 1);
      b += static_cast<char>(flag ? 1 : 0);
      return true;
    }
    case kByteaOid: {
      const auto* blob = v.GetBlob();
      if (blob == nullptr) return false;
      PutField(b, {reinterpret_cast<const char*>(blob->data()), blob->size()});
      return true;
    }
    case kTextOid:
    case kVarcharOid:
    case kBpcharOid:
    case kJsonOid:
    case kJsonbOid: {
      if (v.type() == ValueType::kBlob) return false;
      std::string text = v.type() == ValueType::kDouble ? FormatDouble(v.as_double()) : TextOf(v);
      if (type == kJsonbOid) text.insert(text.begin(), '\1');  // jsonb's binary version 1
      PutField(b, text);
      return true;
    }
    case kFloat8ArrayOid: {
      const auto* a = v.GetDoubleArray();
      if (a == nullptr) return false;
      const std::size_t nulls = static_cast<std::size_t>(
          std::count_if(a->begin(), a->end(), [](double d) { return std::isnan(d); }));
      const std::size_t header = a->empty() ? 12 : 20;
      PutBE32(b, static_cast<std::uint32_t>(header + 12 * (a->size() - nulls) + 4 * nulls));
      PutBE32(b, a->empty() ? 0 : 1);  // dimensions
      PutBE32(b, nulls > 0 ? 1 : 0);
      PutBE32(b, kFloat8Oid);
      if (!a->empty()) {
        PutBE32(b, static_cast<std::uint32_t>(a->size()));
        PutBE32(b, 1);  // lower bound
      }
      for (double d : *a) {
        if (std::isnan(d)) {
          PutBE32(b, 0xffffffffu);
        } else {
          PutDouble(b, d);
        }
      }
      return true;
    }
    default:
      return false;
  }
}

class PostgresDatabase;

class PostgresStatement final : public Statement {
 public:
  PostgresStatement(PostgresDatabase* db, std::string name, std::size_t params, std::string label)
      : Statement(std::move(label)), db_(db), name_(std::move(name)), params_(params) {}
  ~PostgresStatement() override;

 protected:
  Status Run(std::span<const Value> params, QueryResult* out, std::int64_t* changes) override;

 private:
  PostgresDatabase* db_;
  std::string name_;
  std::size_t params_;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(PgConn conn, std::string describe)
      : conn_(std::move(conn)), describe_(std::move(describe)) {}

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string Describe() const override { return describe_; }
  bool in_transaction() const override {
    PGTransactionStatusType t = PQtransactionStatus(conn_.get());
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
  }

  PGconn* conn() const { return conn_.get(); }
  const std::string& where() const { return describe_; }
  bool bulk_active() const { return bulk_active_; }
  void set_bulk_active(bool active) { bulk_active_ = active; }

  // Runs parameterless control SQL (BEGIN, SAVEPOINT, COPY ...), expecting `expected`.
  Status Exec(const char* sql, ExecStatusType expected = PGRES_COMMAND_OK) {
    PgResult r(PQexec(conn_.get(), sql));
    if (PQresultStatus(r.get()) != expected) {
      return PgError(conn_.get(), r.get(), StatementLabel(sql), describe_);
    }
    return Status::Ok();
  }

  // Checks the result of an execution and collects rows / the change count.
  Status Finish(PgResult r, std::string_view label, QueryResult* out, std::int64_t* changes) {
    ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return PgError(conn_.get(), r.get(), label, describe_);
    }
    if (out != nullptr) CollectRows(r.get(), out);
    if (changes != nullptr) *changes = AffectedRows(r.get());
    return Status::Ok();
  }

  Status ParamCountError(std::string_view label, std::size_t expected, std::size_t given) const {
    return core::InvalidArgumentError("'" + std::string(label) + "' on " + describe_ + " takes " +
                                      std::to_string(expected) + " parameters but " +
                                      std::to_string(given) + " were given");
  }

 protected:
  Status RunImpl(std::string_view sql, std::span<const Value> params, QueryResult* out,
                 std::int64_t* changes) override {
    std::string label = StatementLabel(sql);
    TranslatedSql t = TranslatePlaceholders(sql);
    if (t.multiple_statements) {
      return core::InvalidArgumentError("'" + label + "' on " + describe_ +
                                        ": more than one statement; use ExecuteScript()");
    }
    if (t.placeholders != params.size()) {
      return ParamCountError(label, t.placeholders, params.size());
    }
    PgParams p(params, /*with_types=*/true);
    PgResult r(PQexecParams(conn_.get(), t.sql.c_str(), p.n(), p.types(), p.values(), p.lengths(),
                            p.formats(), /*resultFormat=*/0));
    return Finish(std::move(r), label, out, changes);
  }

  Status ExecuteScriptImpl(std::string_view sql) override {
    std::string text(sql);
    PgResult r(PQexec(conn_.get(), text.c_str()));
    return Finish(std::move(r), StatementLabel(sql), nullptr, nullptr);
  }

  Result<std::unique_ptr<Statement>> PrepareImpl(std::string_view sql) override {
    std::string label = StatementLabel(sql);
    TranslatedSql t = TranslatePlaceholders(sql);
    if (t.multiple_statements) {
      return core::InvalidArgumentError("'" + label + "' on " + describe_ +
                                        ": more than one statement; use ExecuteScript()");
    }
    std::string name = "vl_stmt_" + std::to_string(++statement_counter_);
    PgResult r(PQprepare(conn_.get(), name.c_str(), t.sql.c_str(), 0, nullptr));
    RETURN_IF_ERROR(Finish(std::move(r), label, nullptr, nullptr));
    return std::unique_ptr<Statement>(
        std::make_unique<PostgresStatement>(this, std::move(name), t.placeholders, label));
  }

  Status BeginImpl() override { return Exec("BEGIN"); }

  Status CommitImpl() override {
    // COMMIT of a transaction that an earlier error aborted "succeeds" with the command tag
    // ROLLBACK; report it instead of pretending the changes were saved.
    if (PQtransactionStatus(conn_.get()) == PQTRANS_INERROR) {
      Exec("ROLLBACK").IgnoreError();
      return core::FailedPreconditionError(
          "COMMIT on " + describe_ +
          ": the transaction was aborted by an earlier error and has been rolled back");
    }
    return Exec("COMMIT");
  }

  Status RollbackImpl() override { return Exec("ROLLBACK"); }

  Result<std::unique_ptr<BulkInserter>> BeginBulkInsertImpl(
      std::string_view quoted_table, const std::vector<std::string>& quoted_columns) override;

 private:
  std::vector<Oid> BinaryColumnTypes(std::string_view quoted_table,
                                     const std::vector<std::string>& quoted_columns, bool own_tx);

  PgConn conn_;
  std::string describe_;
  std::uint64_t statement_counter_ = 0;
};

PostgresStatement::~PostgresStatement() {
  // Fails harmlessly inside an aborted transaction; the name is never reused on this connection.
  if (db_->bulk_active() || PQstatus(db_->conn()) != CONNECTION_OK) return;
  std::string sql = "DEALLOCATE " + name_;
  PgResult r(PQexec(db_->conn(), sql.c_str()));
}

Status PostgresStatement::Run(std::span<const Value> params, QueryResult* out,
                              std::int64_t* changes) {
  if (db_->bulk_active()) {
    return core::FailedPreconditionError("'" + label() + "' on " + db_->where() +
                                         ": a bulk insert is in progress on this connection");
  }
  if (params.size() != params_) return db_->ParamCountError(label(), params_, params.size());
  PgParams p(params, /*with_types=*/false);
  PgResult r(PQexecPrepared(db_->conn(), name_.c_str(), p.n(), p.values(), p.lengths(), p.formats(),
                            /*resultFormat=*/0));
  return db_->Finish(std::move(r), label(), out, changes);
}

// COPY ... FROM STDIN, buffered into chunks of kCopyChunk bytes: in binary format when every
// column's type has a binary encoding here (`binary_types` holds them, in column order), else
// in text format.
class PostgresBulkInserter final : public BulkInserter {
 public:
  PostgresBulkInserter(PostgresDatabase* db, std::vector<std::string> columns, bool own_tx,
                       std::string label, std::vector<Oid> binary_types)
      : db_(db),
        columns_(std::move(columns)),
        own_tx_(own_tx),
        label_(std::move(label)),
        binary_types_(std::move(binary_types)) {
    buf_.reserve(kCopyChunk + 4096);
    if (!binary_types_.empty()) {
      buf_.append(kCopyBinarySignature);
      PutBE32(buf_, 0);  // flags
      PutBE32(buf_, 0);  // header extension length
    }
    db_->set_bulk_active(true);
  }

  ~PostgresBulkInserter() override {
    if (!finished_) {
      finished_ = true;
      PQputCopyEnd(db_->conn(), "bulk insert abandoned");
      DrainResults();
      Undo();
    }
    db_->set_bulk_active(false);
  }

  Status AddRow(std::span<const Value> row) override {
    if (finished_) {
      return core::FailedPreconditionError("'" + label_ + "': AddRow() after Finish()");
    }
    if (row.size() != columns_.size()) {
      return core::InvalidArgumentError("'" + label_ + "' on " + db_->where() + ": a row has " +
                                        std::to_string(row.size()) + " values but " +
                                        std::to_string(columns_.size()) + " columns were named");
    }
    if (binary_types_.empty()) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i != 0) buf_ += '\t';
        AppendCopyValue(buf_, row[i]);
      }
      buf_ += '\n';
    } else {
      const std::size_t row_start = buf_.size();
      PutBE16(buf_, static_cast<std::uint16_t>(row.size()));
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (!AppendBinaryValue(buf_, row[i], binary_types_[i])) {
          buf_.resize(row_start);
          return core::InvalidArgumentError(
              "'" + label_ + "' on " + db_->where() + ": row " + std::to_string(rows_ + 1) +
              ", column " + columns_[i] + ": a " + std::string(ValueTypeName(row[i].type())) +
              " value does not fit the column's type (the value is not shown)");
        }
      }
    }
    ++rows_;
    if (buf_.size() >= kCopyChunk) return Flush();
    return Status::Ok();
  }

  Status Finish() override {
    if (finished_) return core::FailedPreconditionError("'" + label_ + "': Finish() twice");
    finished_ = true;
    if (!binary_types_.empty()) PutBE16(buf_, 0xffff);  // end of data
    Status s = Flush();
    if (s.ok() && PQputCopyEnd(db_->conn(), nullptr) != 1) {
      s = core::UnavailableError(
          "'" + label_ + "' on " + db_->where() +
          ": ending the COPY failed: " + core::Redact(PQerrorMessage(db_->conn())));
    }
    if (s.ok()) {
      PgResult r(PQgetResult(db_->conn()));
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        s = PgError(db_->conn(), r.get(), label_, db_->where());
      }
    }
    DrainResults();
    db_->set_bulk_active(false);
    if (s.ok()) s = db_->Exec(own_tx_ ? "COMMIT" : "RELEASE SAVEPOINT vl_bulk_insert");
    if (!s.ok()) Undo();
    return s;
  }

 private:
  Status Flush() {
    if (buf_.empty()) return Status::Ok();
    int rc = PQputCopyData(db_->conn(), buf_.data(), static_cast<int>(buf_.size()));
    buf_.clear();
    if (rc != 1) {
      return core::UnavailableError(
          "'" + label_ + "' on " + db_->where() +
          ": sending COPY data failed: " + core::Redact(PQerrorMessage(db_->conn())));
    }
    return Status::Ok();
  }

  // Reads the remaining results so the connection is ready for the next command. A COPY that is
  // still open (a failed Flush) is ended first, else PQgetResult would report COPY_IN forever.
  void DrainResults() {
    for (int i = 0; i < 100; ++i) {
      PGresult* r = PQgetResult(db_->conn());
      if (r == nullptr) return;
      ExecStatusType status = PQresultStatus(r);
      PQclear(r);
      if (status == PGRES_COPY_IN) PQputCopyEnd(db_->conn(), "bulk insert abandoned");
    }
  }

  void Undo() {
    db_->set_bulk_active(false);
    if (own_tx_) {
      if (db_->in_transaction()) db_->Exec("ROLLBACK").IgnoreError();
    } else {
      db_->Exec("ROLLBACK TO SAVEPOINT vl_bulk_insert").IgnoreError();
      db_->Exec("RELEASE SAVEPOINT vl_bulk_insert").IgnoreError();
    }
  }

  PostgresDatabase* db_;
  std::vector<std::string> columns_;  // quoted names, for messages
  bool own_tx_;
  std::string label_;
  std::vector<Oid> binary_types_;  // empty: text format
  std::string buf_;
  bool finished_ = false;
};

// The types of the named columns, in order, when all of them have a binary COPY encoding; empty
// otherwise (and when the catalogue cannot tell: the text COPY then reports what is wrong).
std::vector<Oid> PostgresDatabase::BinaryColumnTypes(std::string_view quoted_table,
                                                     const std::vector<std::string>& quoted_columns,
                                                     bool own_tx) {
  const std::string table(quoted_table);
  const char* values[] = {table.c_str()};
  PgResult r(PQexecParams(conn_.get(),
                          "SELECT quote_ident(attname), atttypid FROM pg_attribute WHERE attrelid "
                          "= $1::regclass AND attnum > 0 AND NOT attisdropped",
                          1, nullptr, values, nullptr, nullptr, 0));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    // The failed lookup (no such table) aborted the work since BEGIN / the savepoint: undo it so
    // that the COPY runs and reports the problem itself.
    if (own_tx) {
      Exec("ROLLBACK").IgnoreError();
      Exec("BEGIN").IgnoreError();
    } else {
      Exec("ROLLBACK TO SAVEPOINT vl_bulk_insert").IgnoreError();
    }
    return {};
  }
  std::vector<Oid> types;
  for (const std::string& column : quoted_columns) {
    // quote_ident leaves plain lower-case names bare; QuoteIdentifier always quotes.
    Oid type = 0;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string name = PQgetvalue(r.get(), i, 0);
      if (name.front() != '"') name = "\"" + name + "\"";
      if (name == column)
        type = static_cast<Oid>(std::strtoul(PQgetvalue(r.get(), i, 1), nullptr, 10));
    }
    if (!HasBinaryEncoding(type)) return {};
    types.push_back(type);
  }
  return types;
}

Result<std::unique_ptr<BulkInserter>> PostgresDatabase::BeginBulkInsertImpl(
    std::string_view quoted_table, const std::vector<std::string>& quoted_columns) {
  std::string sql = "COPY " + std::string(quoted_table) + " (";
  for (std::size_t i = 0; i < quoted_columns.size(); ++i) {
    sql += (i ? ", " : "") + quoted_columns[i];
  }
  sql += ") FROM STDIN";
  const bool own_tx = !in_transaction();
  RETURN_IF_ERROR(Exec(own_tx ? "BEGIN" : "SAVEPOINT vl_bulk_insert"));
  std::vector<Oid> binary_types = BinaryColumnTypes(quoted_table, quoted_columns, own_tx);
  if (!binary_types.empty()) sql += " (FORMAT binary)";
  Status s = Exec(sql.c_str(), PGRES_COPY_IN);
  if (!s.ok()) {
    if (own_tx) {
      Exec("ROLLBACK").IgnoreError();
    } else {
      Exec("ROLLBACK TO SAVEPOINT vl_bulk_insert").IgnoreError();
      Exec("RELEASE SAVEPOINT vl_bulk_insert").IgnoreError();
    }
    return s;
  }
  return std::unique_ptr<BulkInserter>(std::make_unique<PostgresBulkInserter>(
      this, quoted_columns, own_tx, StatementLabel(sql), std::move(binary_types)));
}

// Server notices ("relation already exists, skipping") would go to stderr by default.
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const DatabaseUrl& url, const OpenOptions& options) {
  const std::string where = url.Describe();
  const std::string timeout = std::to_string(options.connect_timeout.count());
  // Our defaults first; the URL (expanded in place of "dbname") overrides them.
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                        nullptr};
  const char* values[] = {timeout.c_str(), options.application_name.c_str(), "UTF8",
                          url.text.c_str(), nullptr};
  PgConn conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (conn == nullptr)
    return core::UnavailableError("cannot connect to " + where + ": out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn.get());
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    if (!url.password.empty()) {
      for (std::size_t at; (at = why.find(url.password)) != std::string::npos;) {
        why.replace(at, url.password.size(), "***");
      }
    }
    why = core::Redact(why);
    StatusCode code = StatusCode::kUnavailable;
    if (why.find("authentication failed") != std::string::npos ||
        why.find("no password supplied") != std::string::npos) {
      code = StatusCode::kUnauthenticated;
    } else if (why.find("does not exist") != std::string::npos) {
      code = StatusCode::kNotFound;
    } else if (why.find("invalid") != std::string::npos &&
               why.find("option") != std::string::npos) {
      code = StatusCode::kInvalidArgument;  // e.g. an unknown ?option= in the URL
    }
    return Status(code, "cannot connect to " + where + ": " + why);
  }
  PQsetNoticeProcessor(conn.get(), IgnoreNotice, nullptr);
  return std::unique_ptr<Database>(std::make_unique<PostgresDatabase>(std::move(conn), where));
}

}  // namespace vivalink::db::internal
