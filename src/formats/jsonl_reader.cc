// JSON-lines reader: one object a line, parsed in place with simdjson On Demand.
//
// Hot path, per row: find the line's end (memchr), iterate the object's fields, match each key
// against the key seen at the same position in the previous row (rows of one export share their
// key order, so this is one memcmp), and hand the value to the BatchBuilder. String values
// without escapes are taken straight from the input buffer (raw_json_token) and numbers in
// strings are parsed by fast_float, so nothing is copied or allocated per value.
#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/secure.h"
#include "formats/canonical.h"
#include "formats/internal/batch_builder.h"
#include "formats/internal/chunk_buffer.h"
#include "formats/internal/line_splitter.h"
#include "formats/internal/readers.h"
#include "formats/internal/text.h"

namespace vivalink::formats::internal {
namespace {

namespace od = simdjson::ondemand;

static_assert(ChunkBuffer::kPadding >= simdjson::SIMDJSON_PADDING);

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!IsJsonSpace(c)) return false;
  }
  return true;
}

class JsonLinesReader final : public RowReader {
 public:
  JsonLinesReader(std::unique_ptr<core::ByteSource> source, ReaderOptions options,
                  uint64_t base_offset)
      : source_(std::move(source)),
        options_(std::move(options)),
        buffer_(*source_, options_.chunk_bytes, base_offset),
        lines_(buffer_, options_.source_name, options_.max_line_bytes, "object",
               /*strip_bom=*/false),
        builder_(options_) {}
  ~JsonLinesReader() override {
    core::WipeAndClear(nested_);
    core::WipeAndClear(plain_);
  }

  core::Result<bool> Next(RowBatch& batch) override {
    if (!status_.ok()) return status_;
    builder_.BeginBatch(batch);
    size_t batch_bytes = 0;
    while (batch.num_rows() < options_.batch_rows && batch_bytes < kMaxBatchInputBytes) {
      std::string_view line;
      bool more = false;
      core::Status s = lines_.Next(line, more);
      if (s.ok() && !more) break;
      if (s.ok() && IsBlank(line)) continue;
      if (s.ok()) {
        if (batch.num_rows() == 0) batch.first_line = lines_.line_number();
        if (!ParseRow(line)) s = std::move(error_);
        batch_bytes += line.size();
      }
      if (!s.ok()) {
        builder_.AbandonBatch();
        status_ = s;
        return s;
      }
    }
    rows_read_ += batch.num_rows();
    return batch.num_rows() > 0;
  }

  uint64_t rows_read() const override { return rows_read_; }
  const std::vector<std::string>& source_columns() const override { return source_columns_; }

 private:
  struct KeyAtPosition {
    std::string raw;  // the key's bytes between its quotes, as in the input
    int slot = -1;
  };

  core::Status Error(std::string_view what) const {
    return core::DataLossError(lines_.Where() + ": " + std::string(what));
  }
  // Per-field code reports errors through here (a Status is too big to return per value).
  bool Fail(core::Status s) {
    error_ = std::move(s);
    return false;
  }
  core::Status JsonError(simdjson::error_code e) const {
    return Error(std::string("not valid JSON (") + simdjson::error_message(e) +
                 "); every line must be one JSON object: the file is corrupt or not JSON lines");
  }
  core::Status BuilderError() const {
    const core::Status& e = builder_.error();
    return core::Status(e.code(), lines_.Where() + ": " + e.message());
  }

  bool ParseRow(std::string_view line) {
    size_t capacity = buffer_.padded_capacity() - static_cast<size_t>(line.data() - buffer_.data());
    od::document doc;
    auto e =
        parser_.iterate(simdjson::padded_string_view(line.data(), line.size(), capacity)).get(doc);
    if (e) return Fail(JsonError(e));
    od::object object;
    if ((e = doc.get_object().get(object))) {
      if (e == simdjson::INCORRECT_TYPE)
        return Fail(Error("is not a JSON object; every line must be one"));
      return Fail(JsonError(e));
    }
    const char* line_end = line.data() + line.size();
    builder_.BeginRow();
    size_t position = 0;
    for (auto result : object) {
      od::field field;
      if ((e = std::move(result).get(field))) return Fail(JsonError(e));
      int slot = 0;
      if (!LookupKey(field, position++, line_end, slot)) return false;
      if (!builder_.Keeps(slot)) continue;
      if (!ParseValue(field.value(), slot)) return false;
    }
    // A second value on the line ({...}{...}) leaves the iterator inside the document.
    const char* rest = nullptr;
    if (!doc.current_location().get(rest)) return Fail(Error("has text after its JSON object"));
    builder_.EndRow();
    return true;
  }

  bool LookupKey(od::field& field, size_t position, const char* line_end, int& slot) {
    const char* key = reinterpret_cast<const char*>(field.key().raw());
    if (position < key_order_.size()) {
      const std::string& expected = key_order_[position].raw;
      if (static_cast<size_t>(line_end - key) > expected.size() &&
          std::memcmp(key, expected.data(), expected.size()) == 0 && key[expected.size()] == '"') {
        slot = key_order_[position].slot;
        return true;
      }
    }
    // A key not where the previous row had it: find its closing quote.
    const char* end = key;
    bool escaped = false;
    while (end < line_end && *end != '"') {
      if (*end == '\\') {
        escaped = true;
        ++end;
      }
      ++end;
    }
    if (end >= line_end) return Fail(JsonError(simdjson::UNCLOSED_STRING));
    std::string_view raw(key, static_cast<size_t>(end - key));
    auto it = slot_by_raw_key_.find(raw);
    if (it != slot_by_raw_key_.end()) {
      slot = it->second;
    } else {
      std::string name(raw);
      if (escaped) {
        std::string_view unescaped;
        if (auto e = field.unescaped_key().get(unescaped)) return Fail(JsonError(e));
        name = std::string(unescaped);
      }
      if (source_columns_.size() >= options_.max_columns) {
        return Fail(Error("more than " + std::to_string(options_.max_columns) +
                          " distinct columns; the file is corrupt or hostile"));
      }
      slot = builder_.SlotFor(CanonicalName(name));
      source_columns_.push_back(std::move(name));
      slot_by_raw_key_.emplace(std::string(raw), slot);
    }
    if (position < key_order_.size()) {
      key_order_[position].raw.assign(raw);
      key_order_[position].slot = slot;
    } else {
      key_order_.push_back({std::string(raw), slot});
    }
    return true;
  }

  bool ParseValue(od::value& value, int slot) {
    std::string_view token = TrimRight(value.raw_json_token());
    if (token.empty()) return Fail(JsonError(simdjson::TAPE_ERROR));
    simdjson::error_code e = simdjson::SUCCESS;
    bool ok = true;
    switch (token[0]) {
      case '"': {
        std::string_view text = token.size() >= 2 && token.back() == '"'
                                    ? token.substr(1, token.size() - 2)
                                    : std::string_view();
        if (token.size() < 2 || token.back() != '"' ||
            std::memchr(text.data(), '\\', text.size()) != nullptr) {
          if ((e = value.get_string().get(text))) return Fail(JsonError(e));
          // simdjson unescaped the value into its parser's string buffer (writable memory the
          // parser owns): wipe the copy once the batch has it.
          ok = builder_.SetText(slot, text);
          core::SecureWipe(const_cast<char*>(text.data()), text.size());
          break;
        }
        ok = builder_.SetText(slot, text);
        break;
      }
      case 't':
      case 'f': {
        bool flag = false;
        if ((e = value.get_bool().get(flag))) return Fail(JsonError(e));
        ok = builder_.SetBool(slot, flag);
        break;
      }
      case 'n': {
        bool is_null = false;
        if ((e = value.is_null().get(is_null))) return Fail(JsonError(e));
        if (!is_null) return Fail(JsonError(simdjson::N_ATOM_ERROR));
        break;  // unset columns are null
      }
      case '[':
      case '{': {
        if (token[0] == '[' && builder_.Decrypts(slot)) {
          bool decrypted = DecryptArray(value, slot);
          if (decrypted) ok = builder_.SetRawJson(slot, nested_);
          core::WipeAndClear(nested_);
          if (!decrypted) return false;
          break;
        }
        std::string_view raw;
        if (token[0] == '[') {
          od::array array;
          if ((e = value.get_array().get(array)) || (e = array.raw_json().get(raw))) {
            return Fail(JsonError(e));
          }
        } else {
          od::object object;
          if ((e = value.get_object().get(object)) || (e = object.raw_json().get(raw))) {
            return Fail(JsonError(e));
          }
        }
        core::WipeAndClear(nested_);
        AppendMinifiedJson(nested_, raw);
        ok = builder_.SetRawJson(slot, nested_);
        core::WipeAndClear(nested_);
        break;
      }
      default: {
        double number = 0;
        if ((e = value.get_double().get(number))) return Fail(JsonError(e));
        ok = builder_.SetNumber(slot, number, token);
        break;
      }
    }
    return ok || Fail(BuilderError());
  }

  // An array in a PII column: decrypt each string element, keep the array shape.
  bool DecryptArray(od::value& value, int slot) {
    od::array array;
    simdjson::error_code e = simdjson::SUCCESS;
    if ((e = value.get_array().get(array))) return Fail(JsonError(e));
    core::WipeAndClear(nested_);
    nested_.push_back('[');
    bool first = true;
    for (auto result : array) {
      od::value element;
      if ((e = std::move(result).get(element))) return Fail(JsonError(e));
      if (!first) nested_.push_back(',');
      first = false;
      std::string_view token = TrimRight(element.raw_json_token());
      if (!token.empty() && token[0] == '"') {
        std::string_view cipher;
        if ((e = element.get_string().get(cipher))) return Fail(JsonError(e));
        if (!builder_.Decrypt(slot, cipher, plain_)) return Fail(BuilderError());
        AppendJsonString(nested_, plain_);
        core::WipeAndClear(plain_);
      } else if (!token.empty() && (token[0] == '[' || token[0] == '{')) {
        return Fail(Error("column \"" + builder_.CanonicalOf(slot) +
                          "\" must hold an array of strings to be decrypted"));
      } else {
        AppendMinifiedJson(nested_, token);
      }
    }
    nested_.push_back(']');
    return true;
  }

  std::unique_ptr<core::ByteSource> source_;
  ReaderOptions options_;
  ChunkBuffer buffer_;
  LineSplitter lines_;
  BatchBuilder builder_;
  od::parser parser_;
  uint64_t rows_read_ = 0;
  std::vector<KeyAtPosition> key_order_;
  StringMap slot_by_raw_key_;
  std::vector<std::string> source_columns_;
  // Plaintext scratch, wiped after every use (core::WipeAndClear) and on destruction.
  std::string nested_;  // compact JSON of a nested value
  std::string plain_;   // a decrypted array element
  core::Status status_;
  core::Status error_;  // set by Fail()
};

}  // namespace

std::unique_ptr<RowReader> NewJsonLinesReader(std::unique_ptr<core::ByteSource> source,
                                              ReaderOptions options, uint64_t base_offset) {
  return std::make_unique<JsonLinesReader>(std::move(source), std::move(options), base_offset);
}

}  // namespace vivalink::formats::internal
