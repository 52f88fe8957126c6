#include "drop/reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/gzip.h"
#include "formats/canonical.h"

namespace vivalink::drop {
namespace {

// "part-00012.json.gz" -> 12, or -1 when the name does not follow the pattern.
int PartIndex(std::string_view name) {
  size_t slash = name.rfind('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  if (!base.starts_with("part-")) return -1;
  base.remove_prefix(5);
  int v = 0;
  auto [p, ec] = std::from_chars(base.data(), base.data() + base.size(), v);
  if (ec != std::errc() || p == base.data()) return -1;
  return v;
}

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Caps the bytes one part inflates to, so a gzip bomb is refused after a bounded amount of work
// instead of being parsed to its end.
class InflateLimitSource final : public core::ByteSource {
 public:
  InflateLimitSource(std::unique_ptr<core::ByteSource> inner, std::string name, uint64_t limit,
                     uint64_t encrypted_bytes)
      : inner_(std::move(inner)),
        name_(std::move(name)),
        limit_(limit),
        encrypted_bytes_(encrypted_bytes) {}
  core::Result<size_t> Read(std::span<std::byte> out) override {
    ASSIGN_OR_RETURN(size_t n, inner_->Read(out));
    total_ += n;
    if (total_ > limit_) {
      return core::DataLossError(fmt::format(
          "{}: its {} encrypted bytes inflate to more than {} bytes; refused as a likely gzip "
          "bomb, the drop was not imported",
          name_, encrypted_bytes_, limit_));
    }
    return n;
  }

 private:
  std::unique_ptr<core::ByteSource> inner_;
  std::string name_;
  uint64_t limit_, encrypted_bytes_;
  uint64_t total_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<DropReader>> DropReader::Open(store::BlobStore& store, DropRef ref,
                                                           const DropMetadata& metadata,
                                                           const DropKeys& keys,
                                                           DropReadOptions options) {
  if (metadata.failed_upstream()) {
    return core::FailedPreconditionError(
        fmt::format("drop {} failed upstream (Errors: {}); it has no data to read", ref.ToString(),
                    metadata.errors));
  }
  std::unique_ptr<DropReader> r(new DropReader());
  r->store_ = &store;
  r->ref_ = std::move(ref);
  r->options_ = options;
  r->keys_.file = keys.file;
  if (keys.column) r->keys_.column = *keys.column;
  ASSIGN_OR_RETURN(r->parts_, ListParts(store, r->ref_));
  if (r->parts_.empty() && metadata.rows_extracted > 0) {
    return core::DataLossError(fmt::format(
        "drop {}: metadata.json says {} rows but no data part exists (missing part); the drop "
        "was not imported — ask the customer to re-run the pipeline",
        r->ref_.ToString(), metadata.rows_extracted));
  }
  // Parts are numbered from 0 without gaps; a gap means a part is missing.
  for (size_t i = 0; i < r->parts_.size(); ++i) {
    int idx = PartIndex(r->parts_[i].name);
    if (idx != static_cast<int>(i)) {
      return core::DataLossError(fmt::format(
          "drop {}: data part number {} is missing (found {} instead); the drop was not "
          "imported — ask the customer to re-run the pipeline",
          r->ref_.ToString(), i, r->parts_[i].name));
    }
  }
  if (r->keys_.column && options.decrypt_columns) {
    r->column_cipher_ = std::make_unique<crypto::ColumnCipher>(*r->keys_.column);
  }
  return r;
}

DropReader::~DropReader() = default;

core::Result<std::unique_ptr<core::ByteSource>> DropReader::OpenPartSource(size_t index) {
  const auto& part = parts_[index];
  store::GetOptions get;
  get.verify_md5 = options_.verify_md5;
  get.if_match = part.etag;
  ASSIGN_OR_RETURN(auto body, store_->Get(part.name, get));
  auto aes = std::make_unique<crypto::AesCbcDecryptSource>(std::move(body), keys_.file, part.name,
                                                           options_.block_bytes);
  current_aes_ = aes.get();
  auto inflated = std::make_unique<crypto::GzipInflateSource>(
      std::move(aes), part.name, crypto::InflateEngine::kAuto, options_.block_bytes);
  uint64_t ratio_limit = part.size > UINT64_MAX / std::max<uint64_t>(options_.max_inflate_ratio, 1)
                             ? UINT64_MAX
                             : part.size * options_.max_inflate_ratio;
  ++stats_.parts;
  return std::unique_ptr<core::ByteSource>(std::make_unique<InflateLimitSource>(
      std::move(inflated), part.name, std::max(ratio_limit, options_.inflate_allowance),
      part.size));
}

core::Status DropReader::OpenPart(size_t index) {
  const auto& part = parts_[index];
  ASSIGN_OR_RETURN(auto gz, OpenPartSource(index));
  formats::ReaderOptions ro;
  ro.format = formats::Format::kJsonLines;
  ro.source_name = part.name;
  ro.batch_rows = options_.batch_rows;
  ro.max_columns = options_.max_columns;
  ro.quote_values_in_errors = false;  // cells are decrypted data
  if (column_cipher_) {
    crypto::ColumnCipher* cipher = column_cipher_.get();
    ro.decrypt_column = [cipher](std::string_view in, std::string& out) {
      return cipher->DecryptBase64(in, out);
    };
  }
  ASSIGN_OR_RETURN(current_, formats::OpenRowReader(std::move(gz), std::move(ro)));
  return core::OkStatus();
}

core::Result<bool> DropReader::NextEvents(formats::CalendarBatch& batch) {
  if (!IsCalendarKind(ref_.kind) || current_) {
    return core::FailedPreconditionError(fmt::format(
        "drop {}: only a CalendarView or Event drop is read as calendar events", ref_.ToString()));
  }
  while (true) {
    if (!current_events_) {
      if (next_part_ >= parts_.size()) {
        batch.Clear();
        return false;
      }
      const size_t index = next_part_++;
      auto source = OpenPartSource(index);
      if (!source.ok()) return NameDrop(source.status());
      formats::CalendarReaderOptions co;
      co.source_name = parts_[index].name;
      co.batch_events = options_.batch_rows;
      auto reader = formats::OpenCalendarReader(std::move(*source), std::move(co));
      if (!reader.ok()) return NameDrop(reader.status());
      current_events_ = std::move(*reader);
      events_source_ = parts_[index].name;
    }
    auto more = current_events_->Next(batch);
    if (!more.ok()) return NameDrop(more.status());
    if (*more) {
      stats_.rows += batch.size();
      return true;
    }
    stats_.ciphertext_bytes += current_aes_->ciphertext_bytes();
    current_events_.reset();
    current_aes_ = nullptr;
  }
}

// Errors from a part already start with the part's path, which names the drop; others get
// "drop {run}/{kind}/{tenant}: " in front.
core::Status DropReader::NameDrop(const core::Status& st) const {
  if (st.message().starts_with(ref_.prefix())) return st;
  return st.WithContext("drop " + ref_.ToString());
}

core::Result<bool> DropReader::Next(formats::RowBatch& batch) {
  while (true) {
    if (!current_) {
      if (next_part_ >= parts_.size()) {
        batch.Clear();
        return false;
      }
      auto st = OpenPart(next_part_++);
      if (!st.ok()) return NameDrop(st);
    }
    auto more = current_->Next(batch);
    if (!more.ok()) return NameDrop(more.status());
    for (const auto& c : current_->source_columns()) {
      if (std::find(source_columns_.begin(), source_columns_.end(), c) == source_columns_.end()) {
        // Without the Column key a PII column would pass as plaintext ids (issue 10 item 1):
        // refuse the drop rather than hand on encrypted values as if they were decrypted.
        if (!column_cipher_ && options_.decrypt_columns &&
            formats::IsPiiColumn(formats::CanonicalName(c))) {
          return core::FailedPreconditionError(fmt::format(
              "drop {}: column {} is encrypted but no Column key was given; the drop was not "
              "imported",
              ref_.ToString(), c));
        }
        source_columns_.push_back(c);
      }
    }
    if (*more) {
      stats_.rows += batch.num_rows();
      return true;
    }
    stats_.ciphertext_bytes += current_aes_->ciphertext_bytes();
    current_.reset();
    current_aes_ = nullptr;
  }
}

DropValidator::DropValidator(const DropMetadata& metadata, const DropRef& ref)
    : metadata_(metadata),
      drop_name_(ref.ToString()),
      is_metrics_(ref.kind == kMetricsKind),
      is_calendar_(IsCalendarKind(ref.kind)),
      tenant_id_(ref.tenant_id) {}

core::Status DropValidator::ObserveEvents(const formats::CalendarBatch& batch,
                                          std::string_view source) {
  rows_ += batch.size();
  if (rows_ > static_cast<uint64_t>(metadata_.rows_extracted)) {
    return core::DataLossError(fmt::format(
        "metadata.json of drop {}: NumberOfRowsExtracted is {} but the data files hold more rows "
        "(row {} is one too many); reading stopped there, the drop was not imported",
        drop_name_, metadata_.rows_extracted, metadata_.rows_extracted + 1));
  }
  for (const formats::CalendarEvent& e : batch) {
    if (!core::IsUuid(core::Trim(e.puser))) {
      return core::DataLossError(fmt::format(
          "{}: line {}: field puser (the calendar's owner) is {}; a calendar drop must carry "
          "the owner's Entra object id (a GUID) in plaintext inside its file encryption; the drop "
          "was not imported",
          source, e.line, e.puser.empty() ? "missing" : "not an object id"));
    }
    if (!e.ptenant.empty() &&
        !core::EqualsIgnoreCase(core::Trim(e.ptenant), core::Trim(tenant_id_))) {
      return core::PermissionDeniedError(fmt::format(
          "{}: line {}: field ptenant names another tenant than the drop's path; the drop was "
          "not imported",
          source, e.line));
    }
  }
  return core::OkStatus();
}

core::Status DropValidator::Observe(const formats::RowBatch& batch) {
  uint64_t base = rows_;
  rows_ += batch.num_rows();
  if (rows_ > static_cast<uint64_t>(metadata_.rows_extracted)) {
    return core::DataLossError(fmt::format(
        "metadata.json of drop {}: NumberOfRowsExtracted is {} but the data files hold more rows "
        "(row {} is one too many); reading stopped there, the drop was not imported",
        drop_name_, metadata_.rows_extracted, metadata_.rows_extracted + 1));
  }
  if (!is_metrics_ || batch.num_rows() == 0) return core::OkStatus();
  person_col_ = batch.Find("PersonId");
  date_col_ = batch.Find("MetricDate");
  if (person_col_ < 0 || date_col_ < 0) {
    return core::DataLossError(fmt::format(
        "drop {}: rows lack {}; a Viva Insights drop must carry PersonId (or ObjectId) and "
        "MetricDate; the drop was not imported",
        drop_name_, person_col_ < 0 ? "PersonId" : "MetricDate"));
  }
  const auto& person = batch.column(static_cast<size_t>(person_col_));
  const auto& date = batch.column(static_cast<size_t>(date_col_));
  if (person.type() != formats::ColumnType::kString ||
      date.type() != formats::ColumnType::kString) {
    return core::DataLossError(
        fmt::format("drop {}: PersonId and MetricDate must be strings", drop_name_));
  }
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    uint64_t row_no = base + r + 1;
    if (person.IsNull(r) || person.StringAt(r).empty()) {
      return core::DataLossError(fmt::format(
          "drop {}: row {} has no PersonId; the drop was not imported", drop_name_, row_no));
    }
    if (date.IsNull(r)) {
      return core::DataLossError(fmt::format(
          "drop {}: row {} has no MetricDate; the drop was not imported", drop_name_, row_no));
    }
    auto t = core::ParseIso8601(date.StringAt(r));
    if (!t.ok()) {
      // The value is not quoted: a cell that is not a date may hold anything (PROTOCOL §8.5).
      return core::DataLossError(fmt::format(
          "drop {}: row {} has a MetricDate of {} bytes that is not an ISO 8601 date; the drop "
          "was not imported",
          drop_name_, row_no, date.StringAt(r).size()));
    }
    if (*t < metadata_.request_start || *t > metadata_.request_end) {
      return core::DataLossError(fmt::format(
          "drop {}: row {} has MetricDate {} outside the requested window {} .. {}; the drop "
          "was not imported",
          drop_name_, row_no, core::FormatIso8601(*t), core::FormatIso8601(metadata_.request_start),
          core::FormatIso8601(metadata_.request_end)));
    }
    min_date_ = std::min(min_date_, *t);
    max_date_ = std::max(max_date_, *t);
    uint64_t h = Mix(std::hash<std::string_view>()(person.StringAt(r)) ^
                     Mix(static_cast<uint64_t>(t->time_since_epoch().count())));
    if (!seen_.insert(h).second) {
      return core::DataLossError(
          fmt::format("drop {}: row {} repeats a (PersonId, MetricDate {}) already seen; duplicate "
                      "person-weeks make the drop ambiguous and it was not imported",
                      drop_name_, row_no, core::FormatIso8601(*t)));
    }
  }
  return core::OkStatus();
}

core::Status DropValidator::Finish(const DropReadStats& stats,
                                   const std::vector<std::string>& source_columns) {
  if (stats.rows != static_cast<uint64_t>(metadata_.rows_extracted)) {
    return core::DataLossError(fmt::format(
        "metadata.json of drop {}: NumberOfRowsExtracted is {} but the data files hold {} rows; "
        "the drop was not imported — a part is missing or truncated, ask the customer to re-run "
        "the pipeline",
        drop_name_, metadata_.rows_extracted, stats.rows));
  }
  if (stats.rows > 0 && !is_calendar_) {
    auto st = CheckColumnsRequested(metadata_.columns_requested, source_columns);
    if (!st.ok()) return st.WithContext("drop " + drop_name_);
  }
  return core::OkStatus();
}

}  // namespace vivalink::drop
