// BatchBuilder: the part of reading shared by the JSON-lines and CSV readers. It owns the column
// schema (one slot per canonical name), infers each column's type from its first non-null value,
// checks later values against it, decrypts PII values and appends everything to a RowBatch
// without allocating once the batch's buffers have grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "formats/reader.h"
#include "formats/row_batch.h"

namespace vivalink::formats::internal {

// Transparent hashing so lookups by string_view allocate nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringMap = std::unordered_map<std::string, int, StringHash, std::equal_to<>>;

// A batch ends early once its rows took this many input bytes: string columns index their bytes
// with 32-bit offsets, and a column's text is never longer than the input it came from.
inline constexpr size_t kMaxBatchInputBytes = size_t{256} << 20;

// A column's name and type as a reader decided it.
struct TypedColumn {
  std::string name;  // canonical
  ColumnType type;
  bool operator==(const TypedColumn&) const = default;
};

class BatchBuilder {
 public:
  // options must outlive the builder.
  explicit BatchBuilder(const ReaderOptions& options);
  ~BatchBuilder();  // wipes the decrypted-text scratch
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;

  // The slot of a canonical column name, created on first sight. Slots of string columns
  // (IsStringColumn) get their batch column at once; others when their first non-null value
  // arrives (until then the column is absent from batches).
  int SlotFor(std::string_view canonical);
  // The typed columns in batch column order (the schema of the next batch).
  std::vector<TypedColumn> TypedColumns() const;
  // Columns that got an empty text while untyped (null then; a string column would have kept
  // the empty text): a reader that started mid-stream without its schema may have decided them
  // otherwise than a sequential read.
  std::vector<std::string> NulledEmptyText() const;
  // Types these columns now, in this order, as if their first values had been read (a reader
  // that continues another reader's stream at a record boundary starts from its schema).
  // Columns this builder does not keep are left out.
  void Seed(const std::vector<TypedColumn>& columns);
  // False for slots of dropped columns (keep_unknown_columns = false, or not among
  // ReaderOptions::columns): skip their values.
  bool Keeps(int slot) const { return slots_[slot].keep; }
  // True when the slot's column is a string column (numbers then keep their source text).
  bool IsString(int slot) const {
    return slots_[slot].typed && slots_[slot].type == ColumnType::kString;
  }
  bool IsPii(int slot) const { return slots_[slot].pii; }
  bool Decrypts(int slot) const { return slots_[slot].pii && options_.decrypt_column != nullptr; }
  const std::string& CanonicalOf(int slot) const { return slots_[slot].canonical; }

  // Binds batch for the next rows: clears it and gives it this reader's schema (a batch that
  // came from elsewhere is reset first).
  void BeginBatch(RowBatch& batch);
  void BeginRow() { ++row_stamp_; }
  // Value setters for the current row. Each returns false, with error() set, when the value does
  // not fit the column's type, when the column already has a value in this row, or when
  // decryption fails. Unset columns are null at EndRow().
  bool SetNumber(int slot, double value, std::string_view source_text);
  bool SetBool(int slot, bool value);
  // Text of a JSON string or a CSV field: a number or bool when the column is (or, if untyped,
  // the text parses fully as one); otherwise a string. Empty text in a non-string column is null.
  bool SetText(int slot, std::string_view text);
  // Compact JSON of a nested array or object: always string text.
  bool SetRawJson(int slot, std::string_view json);
  // Decrypts cipher (PII slot, decryptor set) into out; false with error() set on failure.
  bool Decrypt(int slot, std::string_view cipher, std::string& out);
  // Fills the unset columns with nulls and counts the row.
  void EndRow();
  // Drops the rows of the bound batch (after an error: no partial batch is returned).
  void AbandonBatch();

  // What went wrong, without position (the reader adds source, line and offset).
  const core::Status& error() const { return error_; }

 private:
  struct Slot {
    std::string canonical;
    bool keep = true;
    bool pii = false;
    bool typed = false;
    bool nulled_empty_text = false;  // see NulledEmptyText
    ColumnType type = ColumnType::kString;
    int column = -1;  // batch column once typed
  };

  void Type(int slot, ColumnType type);
  // Records that the slot's column has its value for this row; false if it already had one.
  bool Mark(int slot);
  bool Conflict(int slot, std::string_view what, std::string_view value);
  bool AppendString(int slot, std::string_view text, bool decrypt);

  const ReaderOptions& options_;
  std::vector<Slot> slots_;
  StringMap slot_by_name_;
  std::vector<int> column_slots_;       // batch column -> slot
  std::vector<uint64_t> column_stamp_;  // batch column -> row_stamp_ of its last value
  RowBatch* batch_ = nullptr;
  uint64_t row_stamp_ = 0;
  size_t set_in_row_ = 0;
  std::string plain_;  // decrypted text scratch
  core::Status error_;
};

}  // namespace vivalink::formats::internal
