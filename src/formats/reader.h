// Row readers: turn a stream of JSON-lines or CSV bytes into RowBatches with canonical column
// names (PROTOCOL §5). Pull-based: call Next() until it returns false.
//
//   ASSIGN_OR_RETURN(auto reader, OpenRowReader(std::move(source), {.source_name = "part-00000"}));
//   RowBatch batch;
//   while (true) { ASSIGN_OR_RETURN(bool more, reader->Next(batch)); if (!more) break; ... }
//
// Formats:
// - JSON lines, shapes v0 (ObjectId + PascalCase), v1 (PersonId + display names) or anything else
//   (unknown keys kept as columns). Numbers may be JSON numbers or strings holding numbers; bools
//   may be JSON bools or "true"/"false". Blank lines are skipped. Parsed with simdjson On Demand
//   over a reused padded buffer.
// - CSV (RFC 4180: quoted fields, doubled quotes, CRLF, BOM) with a header row.
// - The Entra ID user export (MGDC User_v1) is JSON lines too; array fields (proxyAddresses) are
//   kept as their compact JSON text in a string column.
//
// Column types: identity and date columns (PersonId, MetricDate, ...) and HR attributes are
// strings; a column whose first non-null value is a number, or a string that parses fully as a
// number, is a number column; bools give bool columns; everything else is a string column. A later
// value that does not fit its column's type is an error (kDataLoss) naming source, line and column.
// A row may omit columns (null). A new key after the first row adds a column.
// In detail:
// - Null: JSON null; in CSV an unquoted empty field or unquoted NA (a quoted "NA" is the text NA).
//   An empty string is null in number and bool columns and does not decide a column's type.
// - A column that has only had nulls so far has no type yet and is absent from batches; it
//   appears (back-filled with nulls) in the batch where its first non-null value arrives, so a
//   column that is null throughout never appears (source_columns() still lists it).
// - Bools: JSON true/false or the strings true/false in any case (CSV TRUE/FALSE).
// - A string column takes any value: numbers keep their source text ("1.50"), bools become
//   "true"/"false", nested arrays and objects their compact JSON text.
// - A number column rejects text that is not a number ("n/a"), in JSON and CSV alike, and bools;
//   a bool column rejects numbers and other text. Numbers like "nan" or "inf" are text.
// - Keys are matched exactly: "duplicateCol" and "DuplicateCol" are two columns. Two keys of one
//   row with the same canonical name (or a repeated key) are kDataLoss, as are two CSV header
//   names with the same canonical name. An empty CSV header name becomes "column_<n>".
// - CSV rows must have as many fields as the header; fields must be valid UTF-8 (JSON is checked
//   by simdjson).
// - decrypt_column applies to the values of PII columns (each string element when the value is
//   an array); a failure keeps the decryptor's code, with source, line and column.
//
// A RowReader is single-threaded; it owns its source. Errors are sticky: after one, Next()
// returns it again.
//
// Errors (kDataLoss) name the source, the 1-based line and the byte offset in the decompressed
// stream, and say what to do. No partial batch is returned with an error.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "formats/row_batch.h"

namespace vivalink::formats {

enum class Format { kAuto, kJsonLines, kCsv };

// Decrypts one column-encrypted value (base64 text) into out. Set by the drop reader; formats
// itself knows nothing of keys.
using ColumnDecryptor = std::function<core::Status(std::string_view cipher_b64, std::string& out)>;

struct ReaderOptions {
  Format format = Format::kAuto;      // kAuto: '{' as first non-blank byte => JSON lines, else CSV
  std::string source_name = "input";  // used in error messages (e.g. the blob name)
  size_t batch_rows = 4096;           // rows per batch
  size_t max_line_bytes = 16u << 20;  // a longer line is kDataLoss (protects memory)
  size_t max_columns = 4096;          // more distinct columns is kDataLoss (protects memory/time)
  // false: error messages never quote a cell, only its length (drops: the cells are decrypted
  // data, PROTOCOL §8.5). true: an excerpt of at most 40 bytes helps a person fix their own file.
  bool quote_values_in_errors = true;
  // When set, the column-encrypted PII columns (PersonId/ObjectId, id, mail, userPrincipalName;
  // see IsPiiColumn) are decrypted with it as they are read.
  ColumnDecryptor decrypt_column{};
  bool keep_unknown_columns = true;  // false: drop columns outside the canonical tables
  size_t chunk_bytes = 4u << 20;     // bytes read from the source at a time (the buffer grows
                                     // past this only for a longer line or record)
  // Projection: canonical names of the columns to read; empty = every column. Other columns are
  // skipped: their values are neither converted, typed, copied nor decrypted, so a garbage value
  // there is no error (a CSV record is still split into fields, checked for UTF-8 and counted
  // against the header, so a malformed record still is). Names the input lacks are ignored (the
  // caller checks what it needs); source_columns() still lists every column.
  std::vector<std::string> columns{};
  // OpenRowFileReader only: parts of a CSV file parsed at once on their own threads (1 or 0:
  // sequential; more than 2 is taken as 2). See OpenRowFileReader.
  size_t threads = 1;
  // OpenRowFileReader only: a CSV file smaller than this is read on one thread (a thread and a
  // second file handle cost more than they save on a small file).
  uint64_t parallel_min_bytes = 8u << 20;
  // OpenRowFileReader only: the second part's batches wait in memory until the first part is
  // read; once they take this many bytes the second thread stops and the rest of the file is
  // read on the caller's thread, so memory stays bounded whatever the file's size.
  size_t parallel_buffer_bytes = size_t{256} << 20;
};

class RowReader {
 public:
  virtual ~RowReader() = default;
  // Fills batch (cleared first) with the next rows. Returns false at the end of the stream (batch
  // then empty). The batch's schema may grow between calls, never shrink.
  virtual core::Result<bool> Next(RowBatch& batch) = 0;
  // Rows returned so far.
  virtual uint64_t rows_read() const = 0;
  // Source column names in first-seen order, as they appeared in the input (display names).
  virtual const std::vector<std::string>& source_columns() const = 0;
};

core::Result<std::unique_ptr<RowReader>> OpenRowReader(std::unique_ptr<core::ByteSource> source,
                                                       ReaderOptions options = {});

// Opens the file at path as OpenRowReader does. A CSV file of at least parallel_min_bytes read
// with threads >= 2 and no decrypt_column is parsed in two parts on two threads: the caller's
// thread reads from the start, a second thread from the first line start after the middle. The
// batches come in file order and are the same, rows, schema, line numbers, types and errors, as
// a sequential read gives; the split is verified, not assumed: the first part's reader must reach
// a record that starts exactly there (a newline inside a quoted field does not start one), else
// the second part's work is discarded and the caller's thread reads on. The second part's errors
// and type decisions are never shown: when it fails, or decides a column's type otherwise than
// the first part did, its part is read again on the caller's thread, which reports what a
// sequential read reports. The reader owns its thread: destroying it stops and joins it.
// Errors: core::OpenFileSource's (kNotFound, kPermissionDenied, kInvalidArgument), then the
// readers'.
core::Result<std::unique_ptr<RowReader>> OpenRowFileReader(const std::string& path,
                                                           ReaderOptions options = {});

}  // namespace vivalink::formats
