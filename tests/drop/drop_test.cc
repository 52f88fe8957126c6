// The drop protocol end to end in memory: the independent test vectors, and one named test per
// corruption case (PROTOCOL §3, §8.3): each yields a specific code, a message naming the blob, and
// no partial output.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/base64.h"
#include "core/strings.h"
#include "crypto/gzip.h"
#include "drop/cat.h"
#include "drop/keys.h"
#include "drop/layout.h"
#include "drop/metadata.h"
#include "drop/reader.h"
#include "drop/writer.h"
#include "store/local_store.h"
#include "testutil.h"

namespace vivalink::drop {
namespace {

using core::StatusCode;
namespace fs = std::filesystem;

constexpr char kTenant[] = "8c1d0e4f-2a3b-4c5d-9e8f-7a6b5c4d3e2f";
constexpr char kVectorRun[] = "3f2c1b0a-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
constexpr char kInlineRun[] = "7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9";

std::string Rows(int n, int people = 5) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += fmt::format(
        R"({{"PersonId":"p-{}","MetricDate":"2024-01-{:02}T00:00:00Z","Collaboration hours":"{}","Small-group meeting, call, and chat hours":{},"IsActive":true}})",
        i % people, 1 + i / people, 10 + i, i * 0.5);
    out += '\n';
  }
  return out;
}

crypto::RsaPrivateKey Key() {
  static const crypto::RsaPrivateKey key = *crypto::RsaPrivateKey::Generate(2048);
  return key;
}

// Reads a drop to the end through DropReader + DropValidator; returns the first error.
core::Status ReadWhole(store::BlobStore& s, const DropRef& ref, const DropMetadata& m,
                       const DropKeys& keys, uint64_t* rows = nullptr) {
  ASSIGN_OR_RETURN(auto reader, DropReader::Open(s, ref, m, keys));
  DropValidator v(m, ref);
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(v.Observe(batch));
  }
  if (rows != nullptr) *rows = reader->stats().rows;
  return v.Finish(reader->stats(), reader->source_columns());
}

class DropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::LocalStore::Open(dir_.path() / "store", {.fsync = false}));
    keys_ = DropKeys{crypto::AesKeyIv::Random(), crypto::AesKeyIv::Random()};
    ref_ = DropRef{"11111111-2222-4333-8444-555555555555", std::string(kMetricsKind), kTenant};
  }

  // Writes a good drop of n rows in parts of part_rows and returns its metadata.
  DropMetadata Write(int n, uint64_t part_rows = 0) {
    DropWriteOptions wo;
    wo.part_rows = part_rows;
    auto r = WriteDropParts(*store_, ref_, Rows(n), keys_, wo);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    DropMetadata m;
    m.copy_activity_id = "0eab4677-84db-4aad-a4eb-ca39059acf54";
    m.tenant_id = kTenant;
    m.data_factory_name = "test";
    FillMetadataFromResult(*r, m);
    EXPECT_TRUE(WriteMetadata(*store_, ref_, m).ok());
    return m;
  }

  // Replaces blob name by f(old bytes).
  void Mutate(const std::string& name, const std::function<std::string(std::string)>& f) {
    auto old = store::GetAll(*store_, name);
    ASSERT_TRUE(old.ok());
    ASSERT_TRUE(store::PutString(*store_, name, f(*old)).ok());
  }

  // Asserts cat fails with code and names the blob, and printed nothing.
  void ExpectRejected(const DropMetadata& m, StatusCode code, const std::string& blob_hint) {
    core::StringSink out;
    core::Status st = CatDrop(*store_, ref_, m, keys_, out);
    EXPECT_EQ(st.code(), code) << st.ToString();
    EXPECT_NE(st.message().find(blob_hint), std::string::npos) << st.message();
    EXPECT_TRUE(out.data().empty()) << "partial output: " << out.data().size() << " bytes";
  }

  testutil::TempDir dir_;
  std::unique_ptr<store::LocalStore> store_;
  DropKeys keys_;
  DropRef ref_;
};

TEST_F(DropTest, GoodDropReadsEveryRowAcrossParts) {
  DropMetadata m = Write(25, 10);
  uint64_t rows = 0;
  ASSERT_TRUE(ReadWhole(*store_, ref_, m, keys_, &rows).ok());
  EXPECT_EQ(rows, 25u);
  core::StringSink out;
  ASSERT_TRUE(CatDrop(*store_, ref_, m, keys_, out).ok());
  EXPECT_EQ(out.data(), Rows(25));  // wire types kept, PII decrypted
}

TEST_F(DropTest, PiiColumnIsEncryptedOnTheWireAndDecryptedByReader) {
  DropMetadata m = Write(5);
  auto raw = store::GetAll(*store_, ref_.part_path(0));
  ASSERT_TRUE(raw.ok());
  auto plain = crypto::GzipDecompress(*crypto::AesCbcDecrypt(keys_.file, core::AsBytes(*raw)));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->find("\"p-0\""), std::string::npos);
  auto reader = *DropReader::Open(*store_, ref_, m, keys_);
  formats::RowBatch batch;
  ASSERT_TRUE(*reader->Next(batch));
  int col = batch.Find("PersonId");
  ASSERT_GE(col, 0);
  EXPECT_EQ(batch.column(static_cast<size_t>(col)).StringAt(0), "p-0");
}

TEST_F(DropTest, WrongRsaKeyIsPermissionDenied) {
  auto other = *crypto::RsaPrivateKey::Generate(2048);
  auto response = MakeKeysResponse("x", keys_, Key().PublicKey());
  ASSERT_TRUE(response.ok());
  auto wrapped = ParseKeysResponse(*response);
  ASSERT_TRUE(wrapped.ok());
  auto unwrapped = UnwrapKeys(*wrapped, other);
  EXPECT_EQ(unwrapped.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(UnwrapKeys(*wrapped, Key()).ok());
}

TEST_F(DropTest, WrongAesKeyIsDataLoss) {
  DropMetadata m = Write(20);
  keys_.file = crypto::AesKeyIv::Random();
  ExpectRejected(m, StatusCode::kDataLoss, "part-00000.json.gz");
}

TEST_F(DropTest, BadPaddingIsDataLoss) {
  DropMetadata m = Write(20);
  // Re-encrypt the gzip bytes with a last block whose padding is wrong.
  Mutate(ref_.part_path(0), [&](std::string enc) {
    auto plain = *crypto::AesCbcDecrypt(keys_.file, core::AsBytes(enc));
    std::string p(plain.begin(), plain.end());
    // Raw CBC without padding: append 16 bytes ending in 0x00 (invalid PKCS7 value).
    p += std::string(16, '\0');
    size_t pad = 16 - p.size() % 16;
    if (pad != 16) p += std::string(pad, '\0');
    std::string good = *crypto::AesCbcEncrypt(keys_.file, core::AsBytes(p));
    return good.substr(0, good.size() - 16);  // drop the padding block the encrypter added
  });
  ExpectRejected(m, StatusCode::kDataLoss, "part-00000.json.gz");
}

TEST_F(DropTest, TruncatedCiphertextIsDataLoss) {
  DropMetadata m = Write(20);
  Mutate(ref_.part_path(0), [](std::string enc) { return enc.substr(0, enc.size() - 7); });
  ExpectRejected(m, StatusCode::kDataLoss, "part-00000.json.gz");
}

TEST_F(DropTest, TruncatedGzipIsDataLoss) {
  DropMetadata m = Write(20);
  Mutate(ref_.part_path(0), [&](std::string enc) {
    auto plain = *crypto::AesCbcDecrypt(keys_.file, core::AsBytes(enc));
    std::string gz(plain.begin(), plain.end());
    return *crypto::AesCbcEncrypt(keys_.file, core::AsBytes(gz.substr(0, gz.size() / 2)));
  });
  ExpectRejected(m, StatusCode::kDataLoss, "part-00000.json.gz");
}

TEST_F(DropTest, FlippedByteInTheMiddleIsDataLoss) {
  DropMetadata m = Write(200);
  Mutate(ref_.part_path(0), [](std::string enc) {
    enc[enc.size() / 2] = static_cast<char>(enc[enc.size() / 2] ^ 0x5A);
    return enc;
  });
  ExpectRejected(m, StatusCode::kDataLoss, "part-00000.json.gz");
}

TEST_F(DropTest, MissingPartIsDataLoss) {
  DropMetadata m = Write(30, 10);
  ASSERT_TRUE(store_->Delete(ref_.part_path(1)).ok());
  ExpectRejected(m, StatusCode::kDataLoss, "part number 1 is missing");
}

TEST_F(DropTest, MissingLastPartIsCaughtByRowCount) {
  DropMetadata m = Write(30, 10);
  ASSERT_TRUE(store_->Delete(ref_.part_path(2)).ok());
  ExpectRejected(m, StatusCode::kDataLoss,
                 "NumberOfRowsExtracted is 30 but the data files hold 20");
}

TEST_F(DropTest, RowCountMismatchIsDataLoss) {
  DropMetadata m = Write(12);
  m.rows_extracted = 13;
  ExpectRejected(m, StatusCode::kDataLoss, "NumberOfRowsExtracted is 13");
}

TEST_F(DropTest, ColumnsRequestedMismatchIsDataLoss) {
  DropMetadata m = Write(12);
  m.columns_requested += ",Email hours";
  ExpectRejected(m, StatusCode::kDataLoss, "requested but absent: 'Email hours'");
}

TEST_F(DropTest, MetricDateOutsideWindowIsDataLoss) {
  DropMetadata m = Write(12);
  m.request_end = *core::ParseIso8601("2024-01-02T00:00:00Z");
  ExpectRejected(m, StatusCode::kDataLoss, "outside the requested window");
}

TEST_F(DropTest, DuplicatePersonWeekIsDataLoss) {
  std::string rows = Rows(4) + Rows(1);  // the last row repeats person p-0 on 2024-01-01
  auto r = WriteDropParts(*store_, ref_, rows, keys_);
  ASSERT_TRUE(r.ok());
  DropMetadata m;
  m.copy_activity_id = "0eab4677-84db-4aad-a4eb-ca39059acf54";
  m.tenant_id = kTenant;
  FillMetadataFromResult(*r, m);
  ExpectRejected(m, StatusCode::kDataLoss, "row 5 repeats");
}

// Issue 10 item 10: bounds on hostile drops, each a DataLoss naming the blob.
TEST_F(DropTest, RowsBeyondNumberOfRowsExtractedStopAtTheFirstSurplusRow) {
  DropMetadata m = Write(25, 10);
  m.rows_extracted = 5;
  core::Status st = ReadWhole(*store_, ref_, m, keys_);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("NumberOfRowsExtracted is 5 but the data files hold more rows"),
            std::string::npos)
      << st.message();
  ExpectRejected(m, StatusCode::kDataLoss, "row 6 is one too many");
}

TEST_F(DropTest, AGzipBombIsRefusedAfterABoundedAmountOfWork) {
  DropMetadata m = Write(5);
  // The part replaced by 8 MiB of blank lines, which gzip to a few KiB: an inflate ratio no real
  // drop has (the writer itself would skip blank lines).
  std::string bomb(8u << 20, '\n');
  Mutate(ref_.part_path(0), [&](const std::string&) {
    return *crypto::AesCbcEncrypt(keys_.file, core::AsBytes(*crypto::GzipCompress(bomb, 9)));
  });
  auto part = store_->GetProperties(ref_.part_path(0));
  ASSERT_TRUE(part.ok());
  ASSERT_LT(part->size * 200, bomb.size()) << "the test data must compress beyond the limit";
  DropReadOptions options;
  options.inflate_allowance = 1u << 20;
  auto reader = DropReader::Open(*store_, ref_, m, keys_, options);
  ASSERT_TRUE(reader.ok());
  formats::RowBatch batch;
  core::Status st;
  while (true) {
    auto more = (*reader)->Next(batch);
    if (!more.ok()) {
      st = more.status();
      break;
    }
    if (!*more) break;
  }
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  EXPECT_NE(st.message().find("gzip bomb"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("part-00000"), std::string::npos);
}

TEST_F(DropTest, TooManyColumnsIsDataLoss) {
  std::string row = R"({"PersonId":"p-1","MetricDate":"2024-01-01T00:00:00Z")";
  for (int c = 0; c < 5000; ++c) row += fmt::format(R"(,"c{}":{})", c, c);
  row += "}\n";
  auto r = WriteDropParts(*store_, ref_, row, keys_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  DropMetadata m;
  m.copy_activity_id = "0eab4677-84db-4aad-a4eb-ca39059acf54";
  m.tenant_id = kTenant;
  FillMetadataFromResult(*r, m);
  core::Status st = ReadWhole(*store_, ref_, m, keys_);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  EXPECT_NE(st.message().find("more than 4096 distinct columns"), std::string::npos)
      << st.message();
}

// Issue 10 item 9: a MetricDate that is not a date may hold anything; its value is not quoted.
TEST_F(DropTest, AMetricDateThatIsNotADateIsNotQuotedInTheError) {
  std::string rows = Rows(3);
  rows +=
      R"({"PersonId":"p-9","MetricDate":"SENTINEL-not-a-date","Collaboration hours":"1","Small-group meeting, call, and chat hours":0,"IsActive":true})";
  rows += "\n";
  auto r = WriteDropParts(*store_, ref_, rows, keys_);
  ASSERT_TRUE(r.ok());
  DropMetadata m;
  m.copy_activity_id = "0eab4677-84db-4aad-a4eb-ca39059acf54";
  m.tenant_id = kTenant;
  FillMetadataFromResult(*r, m);
  m.request_start = *core::ParseIso8601("2024-01-01T00:00:00Z");
  m.request_end = *core::ParseIso8601("2024-01-31T00:00:00Z");
  core::Status st = ReadWhole(*store_, ref_, m, keys_);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_EQ(st.message().find("SENTINEL"), std::string::npos) << st.message();
}

TEST_F(DropTest, ErrorsSetMeansNothingToRead) {
  DropMetadata m = Write(3);
  m.errors = "Extraction failed: quota exceeded";
  auto reader = DropReader::Open(*store_, ref_, m, keys_);
  EXPECT_EQ(reader.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reader.status().message().find("failed upstream"), std::string::npos);
}

TEST(Metadata, NotJsonIsDataLoss) {
  auto m = ParseMetadata("{\"CopyActivityId\": ", "run-x/metadata.json");
  EXPECT_EQ(m.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(m.status().message().find("run-x/metadata.json is not JSON"), std::string::npos);
}

TEST(Metadata, MissingRequiredFieldIsInvalidArgumentNamingIt) {
  std::string full = testutil::ReadFile(testutil::SharedData(fmt::format(
      "vectors/store/{}/VivaInsights/{}/metadata/JobMetadata/metadata.json", kVectorRun, kTenant)));
  ASSERT_TRUE(ParseMetadata(full, "m").ok());
  for (const char* field : {"CopyActivityId", "TenantId", "RequestStartDate", "RequestEndDate",
                            "NumberOfRowsExtracted", "ColumnsRequested", "JobSubmissionTime"}) {
    auto j = nlohmann::json::parse(full);
    j.erase(field);
    auto m = ParseMetadata(j.dump(), "m");
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << field;
    EXPECT_NE(m.status().message().find(field), std::string::npos) << m.status().message();
  }
}

// Issue 10 item 4: "NumberOfRowsExtracted": "99999999999999999999" ended a whole run with
// "Internal: stoll" (an exception out of the parser). Every malformed or out-of-range count is a
// DataLoss naming the field, and no input throws.
TEST(Metadata, RowsExtractedOutOfRangeOrMalformedIsDataLossNotAnException) {
  auto j = nlohmann::json::parse(testutil::ReadFile(testutil::SharedData(
      fmt::format("vectors/store/{}/VivaInsights/{}/metadata/JobMetadata/metadata.json", kVectorRun,
                  kTenant))));
  const char* bad[] = {R"("99999999999999999999")",
                       R"("9223372036854775808")",
                       "99999999999999999999",
                       "18446744073709551615",
                       "9223372036854775807",
                       "-1",
                       R"("-5")",
                       "1.5",
                       "1e999",
                       R"("1e3")",
                       R"(" 12")",
                       R"("")",
                       R"("12abc")",
                       "true",
                       "[1]",
                       R"({"n":1})"};
  for (const char* value : bad) {
    j["NumberOfRowsExtracted"] = nlohmann::json::parse(value, nullptr, false);
    if (j["NumberOfRowsExtracted"].is_discarded()) {
      // 1e999 is not valid JSON for nlohmann: splice the text in instead.
      std::string text = j.dump();
      auto at = text.find("\"NumberOfRowsExtracted\":");
      ASSERT_NE(at, std::string::npos);
      text.replace(at, text.find_first_of(",}", at) - at,
                   std::string("\"NumberOfRowsExtracted\":") + value);
      core::Result<DropMetadata> m = core::InternalError("not run");
      EXPECT_NO_THROW(m = ParseMetadata(text, "run-x/metadata.json")) << value;
      EXPECT_EQ(m.status().code(), StatusCode::kDataLoss) << value << ": " << m.status().ToString();
      continue;
    }
    core::Result<DropMetadata> m = core::InternalError("not run");
    EXPECT_NO_THROW(m = ParseMetadata(j.dump(), "run-x/metadata.json")) << value;
    EXPECT_EQ(m.status().code(), StatusCode::kDataLoss) << value << ": " << m.status().ToString();
    EXPECT_NE(m.status().message().find("NumberOfRowsExtracted"), std::string::npos)
        << m.status().message();
    EXPECT_NE(m.status().message().find("run-x/metadata.json"), std::string::npos);
  }
  for (auto [value, want] : {std::pair<const char*, int64_t>{R"("50")", 50},
                             {"0", 0},
                             {R"("1000000000000")", kMaxRowsExtracted},
                             {"123", 123}}) {
    j["NumberOfRowsExtracted"] = nlohmann::json::parse(value);
    auto m = ParseMetadata(j.dump(), "m");
    ASSERT_TRUE(m.ok()) << value << ": " << m.status().ToString();
    EXPECT_EQ(m->rows_extracted, want);
  }
}

// Issue 10, hostile input: deeply nested JSON in metadata.json (an unknown field) is refused
// with a clear error instead of exhausting the stack while it is parsed, kept or copied.
TEST(Metadata, DeeplyNestedJsonIsRefused) {
  auto j = nlohmann::json::parse(testutil::ReadFile(testutil::SharedData(
      fmt::format("vectors/store/{}/VivaInsights/{}/metadata/JobMetadata/metadata.json", kVectorRun,
                  kTenant))));
  std::string text = j.dump();
  text.pop_back();  // the closing brace
  text += ",\"Deep\":" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  auto m = ParseMetadata(text, "run-x/metadata.json");
  EXPECT_EQ(m.status().code(), StatusCode::kDataLoss) << m.status().ToString();
  EXPECT_NE(m.status().message().find("nested"), std::string::npos) << m.status().message();
  auto keys = ParseKeysResponse(R"({"DecryptionKeys":)" + std::string(1'000'000, '[') +
                                std::string(1'000'000, ']') + "}");
  EXPECT_EQ(keys.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[[","b":[{"c":"\"]"}]})"), 3);
}

TEST(Metadata, RoundTripKeepsUnknownFieldsAndInlineKey) {
  std::string text = testutil::ReadFile(testutil::SharedData(fmt::format(
      "vectors/store/{}/VivaInsights/{}/metadata/JobMetadata/metadata.json", kInlineRun, kTenant)));
  auto j = nlohmann::json::parse(text);
  j["SomethingNew"] = {{"a", 1}};
  auto m = ParseMetadata(j.dump(), "m");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(m->inline_key.has_value());
  EXPECT_EQ(m->inline_key->type, "File");
  auto again = ParseMetadata(SerializeMetadata(*m), "m");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->extra["SomethingNew"]["a"], 1);
  EXPECT_EQ(again->inline_key->value_b64, m->inline_key->value_b64);
  EXPECT_EQ(again->rows_extracted, 50);
}

TEST(Metadata, AcceptsLowerCaseKeyDetailFields) {
  auto j = nlohmann::json::parse(testutil::ReadFile(testutil::SharedData(
      fmt::format("vectors/store/{}/VivaInsights/{}/metadata/JobMetadata/metadata.json", kVectorRun,
                  kTenant))));
  j["DecryptionKeyDetails"] = {{"type", "File"}, {"Value", "AAAA"}, {"IV", "BBBB"}};
  auto m = ParseMetadata(j.dump(), "m");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->inline_key->value_b64, "AAAA");
  EXPECT_EQ(m->inline_key->iv_b64, "BBBB");
}

TEST(ColumnsRequested, NamesWithCommasAreMatchedAgainstPresentColumns) {
  std::vector<std::string> present = {"PersonId", "Small-group meeting, call, and chat hours",
                                      "Emails sent"};
  auto got = MatchColumnsRequested("PersonId,Small-group meeting, call, and chat hours,Emails sent",
                                   present);
  EXPECT_EQ(got, present);
  EXPECT_TRUE(CheckColumnsRequested(
                  "PersonId,Small-group meeting, call, and chat hours,Emails sent", present)
                  .ok());
  EXPECT_EQ(CheckColumnsRequested("PersonId,Emails sent", present).code(), StatusCode::kDataLoss);
}

// Issue 10, hostile input: blob names with "..", control characters or other tricks are never
// taken for a drop (RunId and TenantId must be GUIDs, the kind one of two names).
TEST(Layout, HostileBlobNamesAreNotDrops) {
  const std::string t = kTenant, r = kVectorRun;
  for (const std::string& path :
       {"../" + r + "/VivaInsights/" + t, r + "/../VivaInsights/" + t,
        r + "/VivaInsights/" + t + "/..", r + "/VivaInsights/../" + t, r + "\n/VivaInsights/" + t,
        r + "/VivaInsights/" + t + "\r", r + "/VivaInsights\t/" + t, r + "/vivainsights/" + t,
        r + "/VivaInsights/%2e%2e", r + "//VivaInsights/" + t, "/" + r + "/VivaInsights/" + t,
        r + "/VivaInsights/" + t + "/x"}) {
    auto ref = ParseDropRef(path + "/metadata/JobMetadata/metadata.json");
    EXPECT_EQ(ref.status().code(), StatusCode::kInvalidArgument) << path;
  }
}

TEST(Layout, ParsesDropPathsAndRejectsOthers) {
  auto r = ParseDropRef(std::string(kVectorRun) + "/VivaInsights/" + kTenant + "/");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->metadata_path(), std::string(kVectorRun) + "/VivaInsights/" + kTenant +
                                    "/metadata/JobMetadata/metadata.json");
  EXPECT_EQ(ParseDropRef("../etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDropRef(std::string(kVectorRun) + "/Other/" + kTenant).status().code(),
            StatusCode::kInvalidArgument);
}

// The independent vectors (shared/data/vectors): both drops decrypt to the 50 plaintext rows.
class VectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::LocalStore::Open(testutil::SharedData("vectors/store"), {.create_root = false});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    key_ = *crypto::RsaPrivateKey::LoadPem(testutil::SharedData("vectors/key/private.pem"));
  }
  std::unique_ptr<store::LocalStore> store_;
  crypto::RsaPrivateKey key_{nullptr};
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (auto l : core::Split(text, '\n')) {
    if (!l.empty()) out.emplace_back(l);
  }
  return out;
}

void ExpectEqualsPlaintext(const std::string& cat_output) {
  auto want = Lines(testutil::ReadFile(testutil::SharedData("vectors/plaintext.jsonl")));
  auto got = Lines(cat_output);
  ASSERT_EQ(got.size(), 50u);
  ASSERT_EQ(want.size(), 50u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(nlohmann::json::parse(got[i]), nlohmann::json::parse(want[i])) << "row " << i;
  }
}

TEST_F(VectorTest, KeyApiDropDecryptsToThePlaintext) {
  DropRef ref{kVectorRun, "VivaInsights", kTenant};
  auto m = ReadMetadata(*store_, ref);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto wrapped = ParseKeysResponse(testutil::ReadFile(testutil::SharedData("vectors/keys.json")));
  ASSERT_TRUE(wrapped.ok());
  auto keys = UnwrapKeys(*wrapped, key_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  DropSummary summary;
  ASSERT_TRUE(VerifyDrop(*store_, ref, *m, *keys, summary).ok()) << summary.validation;
  EXPECT_EQ(summary.rows, 50u);
  EXPECT_EQ(summary.columns.size(), 69u);
  core::StringSink out;
  ASSERT_TRUE(CatDrop(*store_, ref, *m, *keys, out).ok());
  ExpectEqualsPlaintext(out.data());
  EXPECT_NE(out.data().find("007cc8e6-fcfc-34f2-b3da-d800cb284b21"), std::string::npos);
}

TEST_F(VectorTest, InlineKeyDropDecryptsWithColumnKeyFromApi) {
  DropRef ref{kInlineRun, "VivaInsights", kTenant};
  auto m = ReadMetadata(*store_, ref);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->inline_key.has_value());
  auto api =
      *ParseKeysResponse(testutil::ReadFile(testutil::SharedData("vectors/keys-inline.json")));
  std::vector<WrappedKey> wrapped = {*m->inline_key};
  for (const auto& w : api) {
    if (w.type == "Column") wrapped.push_back(w);
  }
  auto keys = UnwrapKeys(wrapped, key_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  core::StringSink out;
  ASSERT_TRUE(CatDrop(*store_, ref, *m, *keys, out).ok());
  ExpectEqualsPlaintext(out.data());
}

TEST_F(VectorTest, DiscoveryFindsBothDrops) {
  auto drops = ListDrops(*store_);
  ASSERT_TRUE(drops.ok());
  ASSERT_EQ(drops->size(), 2u);
  for (const auto& d : *drops) EXPECT_EQ(d.ref.tenant_id, kTenant);
}

// Issue 10 items 1 and 2: one rule picks the keys of a drop for `drop cat` and ingestion alike.
DropMetadata PiiMetadata(bool with_inline_key) {
  DropMetadata m;
  m.copy_activity_id = "0eab4677-84db-4aad-a4eb-ca39059acf54";
  m.columns_requested = "PersonId,MetricDate,Small-group meeting, call, and chat hours";
  if (with_inline_key) m.inline_key = WrappedKey{"File", "inline-value", "inline-iv"};
  return m;
}
const WrappedKey kApiFile{"File", "api-file", "api-file-iv"};
const WrappedKey kApiColumn{"Column", "api-column", "api-column-iv"};

TEST(SelectKeys, TheApiFileKeyWinsOverTheInlineOne) {
  auto k = SelectKeys(std::vector<WrappedKey>{kApiColumn, kApiFile}, PiiMetadata(true));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  ASSERT_EQ(k->size(), 2u);
  EXPECT_EQ((*k)[0].type, "File");
  EXPECT_EQ((*k)[0].value_b64, "api-file");
  EXPECT_EQ((*k)[1].type, "Column");
  EXPECT_EQ((*k)[1].value_b64, "api-column");
}

TEST(SelectKeys, TheInlineFileKeyIsUsedWhenTheAnswerHasNone) {
  auto k = SelectKeys(std::vector<WrappedKey>{kApiColumn}, PiiMetadata(true));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  ASSERT_EQ(k->size(), 2u);
  EXPECT_EQ((*k)[0].value_b64, "inline-value");
  EXPECT_EQ((*k)[1].value_b64, "api-column");
}

TEST(SelectKeys, KeyTypeNamesCompareCaseInsensitively) {
  WrappedKey file = kApiFile, column = kApiColumn;
  file.type = "FILE";
  column.type = "column";
  auto k = SelectKeys(std::vector<WrappedKey>{file, column}, PiiMetadata(false));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  ASSERT_EQ(k->size(), 2u);
  EXPECT_EQ((*k)[0].value_b64, "api-file");
  EXPECT_EQ((*k)[1].value_b64, "api-column");
}

TEST(SelectKeys, AFailedKeyApiWithAnInlineKeyAndPiiColumnsFailsWithTheApiCode) {
  for (core::Status api : {core::UnavailableError("key API: HTTP 503"),
                           core::PermissionDeniedError("key API: HTTP 403")}) {
    auto k = SelectKeys(api, PiiMetadata(true));
    EXPECT_EQ(k.status().code(), api.code()) << k.status().ToString();
    EXPECT_NE(k.status().message().find("Column key"), std::string::npos) << k.status().message();
    EXPECT_NE(k.status().message().find(api.message()), std::string::npos);
  }
}

TEST(SelectKeys, AFailedKeyApiWithAnInlineKeyAndNoPiiColumnsUsesTheInlineKey) {
  DropMetadata m = PiiMetadata(true);
  m.columns_requested = "MetricDate,Collaboration hours";
  auto k = SelectKeys(core::UnavailableError("key API: HTTP 503"), m);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ((*k)[0].value_b64, "inline-value");
}

TEST(SelectKeys, AFailedKeyApiWithoutAnInlineKeyIsTheApiError) {
  auto k = SelectKeys(core::UnavailableError("key API: HTTP 503"), PiiMetadata(false));
  EXPECT_EQ(k.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(k.status().message().find("HTTP 503"), std::string::npos);
}

TEST(SelectKeys, AnAnswerWithoutAColumnKeyForAPiiDropIsDataLoss) {
  auto k = SelectKeys(std::vector<WrappedKey>{kApiFile}, PiiMetadata(true));
  EXPECT_EQ(k.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(k.status().message().find("Column key"), std::string::npos);
}

TEST(SelectKeys, UserExportPiiColumnsNeedTheColumnKeyToo) {
  DropMetadata m = PiiMetadata(true);
  for (const char* cols :
       {"id,displayName", "displayName,mail", "userPrincipalName", "ObjectId,MetricDate"}) {
    m.columns_requested = cols;
    EXPECT_TRUE(DeclaresPiiColumns(m)) << cols;
    EXPECT_EQ(SelectKeys(core::UnavailableError("503"), m).status().code(),
              StatusCode::kUnavailable)
        << cols;
  }
  m.columns_requested = "displayName,department,proxyAddresses";
  EXPECT_FALSE(DeclaresPiiColumns(m));
}

TEST(SelectKeys, NoFileKeyAnywhereIsDataLoss) {
  auto k = SelectKeys(std::vector<WrappedKey>{kApiColumn}, PiiMetadata(false));
  EXPECT_EQ(k.status().code(), StatusCode::kDataLoss);
}

// The reader's own guard: even if a caller passes no Column key, PII columns are never handed on
// still encrypted as if they were plaintext ids.
TEST_F(DropTest, ReaderRefusesPiiColumnsWithoutTheColumnKey) {
  DropMetadata m = Write(10);
  DropKeys file_only{keys_.file, std::nullopt};
  core::Status st = ReadWhole(*store_, ref_, m, file_only);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("PersonId"), std::string::npos) << st.message();
  core::StringSink out;
  EXPECT_EQ(CatDrop(*store_, ref_, m, file_only, out).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(out.data().empty());
}

TEST(KeyStore, CreateLoadAndRefuseOverwrite) {
  testutil::TempDir dir;
  KeyStore ks(dir.path());
  auto k = ks.Create(kTenant);
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(ks.Create(kTenant).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ks.Load(kTenant).ok());
  EXPECT_EQ(ks.Load("00000000-0000-4000-8000-000000000000").status().code(), StatusCode::kNotFound);
  auto perms = fs::status(ks.PrivateKeyPath(kTenant)).permissions();
  EXPECT_EQ(perms & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace
}  // namespace vivalink::drop
