#include "formats/internal/batch_builder.h"

#include <algorithm>

#include "core/cleanup.h"
#include "core/secure.h"
#include "formats/canonical.h"
#include "formats/internal/text.h"

namespace vivalink::formats::internal {
namespace {

std::string_view TypeWord(ColumnType type) {
  switch (type) {
    case ColumnType::kNumber:
      return "numbers";
    case ColumnType::kBool:
      return "booleans";
    case ColumnType::kString:
      return "text";
  }
  return "?";
}

// Values quoted in messages are cut short: a message is for a person, not a dump. With quote
// false (decrypted input) only the length is given.
std::string Excerpt(std::string_view v, bool quote) {
  constexpr size_t kMax = 40;
  if (!quote) return "<" + std::to_string(v.size()) + " bytes, not quoted>";
  if (v.size() <= kMax) return std::string(v);
  return std::string(v.substr(0, kMax)) + "...";
}

}  // namespace

BatchBuilder::BatchBuilder(const ReaderOptions& options) : options_(options) {}

int BatchBuilder::SlotFor(std::string_view canonical) {
  auto it = slot_by_name_.find(canonical);
  if (it != slot_by_name_.end()) return it->second;
  int index = static_cast<int>(slots_.size());
  Slot& slot = slots_.emplace_back();
  slot.canonical = std::string(canonical);
  slot.keep = options_.keep_unknown_columns || IsKnownColumn(canonical);
  // Projection: a column not asked for keeps no slot column, so its values are never looked at.
  if (slot.keep && !options_.columns.empty()) {
    slot.keep = std::find(options_.columns.begin(), options_.columns.end(), canonical) !=
                options_.columns.end();
  }
  slot.pii = IsPiiColumn(canonical);
  slot_by_name_.emplace(slot.canonical, index);
  if (slot.keep && IsStringColumn(canonical)) Type(index, ColumnType::kString);
  return index;
}

std::vector<TypedColumn> BatchBuilder::TypedColumns() const {
  std::vector<TypedColumn> out;
  out.reserve(column_slots_.size());
  for (int s : column_slots_) out.push_back({slots_[s].canonical, slots_[s].type});
  return out;
}

std::vector<std::string> BatchBuilder::NulledEmptyText() const {
  std::vector<std::string> out;
  for (const auto& slot : slots_) {
    if (slot.nulled_empty_text) out.push_back(slot.canonical);
  }
  return out;
}

void BatchBuilder::Seed(const std::vector<TypedColumn>& columns) {
  for (const auto& c : columns) {
    int index = SlotFor(c.name);
    if (!slots_[index].typed && slots_[index].keep) Type(index, c.type);
  }
}

void BatchBuilder::Type(int index, ColumnType type) {
  Slot& slot = slots_[index];
  slot.typed = true;
  slot.type = type;
  slot.column = static_cast<int>(column_slots_.size());
  column_slots_.push_back(index);
  column_stamp_.push_back(0);
  if (batch_ != nullptr) batch_->AddColumn(slot.canonical, type);
}

void BatchBuilder::BeginBatch(RowBatch& batch) {
  bool same = batch.num_columns() == column_slots_.size();
  for (size_t c = 0; same && c < column_slots_.size(); ++c) {
    const Slot& slot = slots_[column_slots_[c]];
    same = batch.column(c).name() == slot.canonical && batch.column(c).type() == slot.type;
  }
  if (!same) {
    batch.Reset();
    for (int s : column_slots_) batch.AddColumn(slots_[s].canonical, slots_[s].type);
  }
  batch.Clear();
  batch.first_line = 0;
  batch_ = &batch;
  set_in_row_ = 0;
}

bool BatchBuilder::Conflict(int index, std::string_view what, std::string_view value) {
  const Slot& slot = slots_[index];
  error_ = core::DataLossError(
      "column \"" + slot.canonical + "\" holds " + std::string(TypeWord(slot.type)) +
      " (decided by its first non-null value) but this row has " + std::string(what) + " \"" +
      Excerpt(value, options_.quote_values_in_errors) +
      "\"; every value of a column must have one type: fix the row or re-export the file");
  return false;
}

bool BatchBuilder::Mark(int index) {
  const Slot& slot = slots_[index];
  uint64_t& stamp = column_stamp_[slot.column];
  if (stamp == row_stamp_) {
    error_ = core::DataLossError(
        "column \"" + slot.canonical +
        "\" has two values in one row (a repeated key, or two keys with the same canonical "
        "name); remove one of them");
    return false;
  }
  stamp = row_stamp_;
  ++set_in_row_;
  return true;
}

BatchBuilder::~BatchBuilder() { core::WipeAndClear(plain_); }

bool BatchBuilder::Decrypt(int index, std::string_view cipher, std::string& out) {
  // out is a plain string (the decryptor's interface); every caller wipes it after use, so the
  // block it gives up when it grows holds no plaintext.
  core::WipeAndClear(out);
  core::Status s = options_.decrypt_column(cipher, out);
  if (!s.ok()) {
    core::WipeAndClear(out);
    error_ = s.WithContext("decrypting column \"" + slots_[index].canonical + "\"");
    return false;
  }
  return true;
}

bool BatchBuilder::AppendString(int index, std::string_view text, bool decrypt) {
  if (decrypt && Decrypts(index)) {
    if (!Decrypt(index, text, plain_)) return false;
    core::Cleanup wipe([this] { core::WipeAndClear(plain_); });
    if (!Mark(index)) return false;
    batch_->mutable_column(slots_[index].column).AppendString(plain_);
    return true;
  }
  if (!Mark(index)) return false;
  batch_->mutable_column(slots_[index].column).AppendString(text);
  return true;
}

bool BatchBuilder::SetNumber(int index, double value, std::string_view source_text) {
  Slot& slot = slots_[index];
  if (!slot.keep) return true;
  if (!slot.typed) Type(index, ColumnType::kNumber);
  switch (slot.type) {
    case ColumnType::kNumber:
      if (!Mark(index)) return false;
      batch_->mutable_column(slot.column).AppendNumber(value);
      return true;
    case ColumnType::kBool:
      return Conflict(index, "the number", source_text);
    case ColumnType::kString:
      return AppendString(index, source_text, true);
  }
  return true;
}

bool BatchBuilder::SetBool(int index, bool value) {
  Slot& slot = slots_[index];
  if (!slot.keep) return true;
  if (!slot.typed) Type(index, ColumnType::kBool);
  std::string_view text = value ? "true" : "false";
  switch (slot.type) {
    case ColumnType::kBool:
      if (!Mark(index)) return false;
      batch_->mutable_column(slot.column).AppendNumber(value ? 1.0 : 0.0);
      return true;
    case ColumnType::kNumber:
      return Conflict(index, "the boolean", text);
    case ColumnType::kString:
      return AppendString(index, text, true);
  }
  return true;
}

bool BatchBuilder::SetText(int index, std::string_view text) {
  Slot& slot = slots_[index];
  if (!slot.keep) return true;
  if (OverflowsDouble(text)) {
    error_ = core::DataLossError("column \"" + slot.canonical + "\" has the number \"" +
                                 Excerpt(text, options_.quote_values_in_errors) +
                                 "\", too large for a double (it would read as infinity); fix the "
                                 "row or re-export the file");
    return false;
  }
  double number = 0;
  bool flag = false;
  if (!slot.typed) {
    if (text.empty()) {
      slot.nulled_empty_text = true;
      return true;  // null until a value says what the column holds
    }
    if (ParseNumber(text, number)) {
      Type(index, ColumnType::kNumber);
    } else if (ParseBool(text, flag)) {
      Type(index, ColumnType::kBool);
    } else {
      Type(index, ColumnType::kString);
    }
  }
  switch (slot.type) {
    case ColumnType::kNumber:
      if (text.empty()) return true;
      if (!ParseNumber(text, number)) return Conflict(index, "the text", text);
      if (!Mark(index)) return false;
      batch_->mutable_column(slot.column).AppendNumber(number);
      return true;
    case ColumnType::kBool:
      if (text.empty()) return true;
      if (!ParseBool(text, flag)) return Conflict(index, "the text", text);
      if (!Mark(index)) return false;
      batch_->mutable_column(slot.column).AppendNumber(flag ? 1.0 : 0.0);
      return true;
    case ColumnType::kString:
      return AppendString(index, text, true);
  }
  return true;
}

bool BatchBuilder::SetRawJson(int index, std::string_view json) {
  Slot& slot = slots_[index];
  if (!slot.keep) return true;
  if (!slot.typed) Type(index, ColumnType::kString);
  if (slot.type != ColumnType::kString) return Conflict(index, "the JSON", json);
  // Whole arrays and objects are never ciphertext themselves; the reader decrypts their elements.
  return AppendString(index, json, false);
}

void BatchBuilder::EndRow() {
  if (set_in_row_ < column_slots_.size()) {
    for (size_t c = 0; c < column_slots_.size(); ++c) {
      if (column_stamp_[c] != row_stamp_) batch_->mutable_column(c).AppendNull();
    }
  }
  set_in_row_ = 0;
  batch_->FinishRow();
}

void BatchBuilder::AbandonBatch() {
  if (batch_ != nullptr) batch_->Clear();
  set_in_row_ = 0;
}

}  // namespace vivalink::formats::internal
