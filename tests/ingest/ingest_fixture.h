// Shared helpers for the ingest tests: a world of a local drop store, a key store, saved key
// answers and a database, plus writers for good and broken drops.
#pragma once

// Tests build DropSpec / options with designated initializers naming only what matters; the
// other fields keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "core/time.h"
#include "core/uuid.h"
#include "db/database.h"
#include "db/schema.h"
#include "drop/keys.h"
#include "drop/layout.h"
#include "drop/metadata.h"
#include "drop/writer.h"
#include "ingest/config.h"
#include "store/local_store.h"
#include "testutil.h"

namespace vivalink::ingest::testing {

inline constexpr char kTenantA[] = "8c1d0e4f-2a3b-4c5d-9e8f-7a6b5c4d3e2f";
inline constexpr char kTenantB[] = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

class FakeClock final : public core::Clock {
 public:
  explicit FakeClock(core::TimePoint t = *core::ParseIso8601("2024-03-01T00:00:00Z")) : now_(t) {}
  core::TimePoint Now() const override { return now_; }
  void Advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  core::TimePoint now_;
};

// "PersonId" GUID of person i (stable).
inline std::string PersonGuid(int i) {
  return fmt::format("{:08x}-0000-4000-8000-{:012x}", 0xabc00000 + i, i);
}

// v1 rows: n people, one week (MetricDate = week), with the given collaboration-hours offset.
inline std::string MetricRows(int people, const std::string& week = "2024-01-07", double offset = 0,
                              const std::string& extra_column = "",
                              const std::string& extra_value = "") {
  std::string out;
  for (int i = 0; i < people; ++i) {
    out += fmt::format(
        R"({{"PersonId":"{}","MetricDate":"{}","Collaboration hours":"{}","After-hours email hours":{},"Organization":"Org{}","FunctionType":"F{}")",
        PersonGuid(i), week, 10 + i + offset, i * 0.25, i % 3, i % 2);
    if (!extra_column.empty()) out += fmt::format(R"(,"{}":"{}")", extra_column, extra_value);
    out += "}\n";
  }
  return out;
}

inline std::string UserRows(int people) {
  std::string out;
  for (int i = 0; i < people; ++i) {
    out += fmt::format(
        R"({{"id":"{}","mail":"Person{}@Contoso.com","userPrincipalName":"person{}@contoso.onmicrosoft.com","proxyAddresses":["SMTP:Person{}@Contoso.com","smtp:p{}@contoso.net"],"displayName":"Person {}","department":"D{}"}})",
        PersonGuid(i), i, i, i, i, i, i % 2);
    out += "\n";
  }
  return out;
}

struct DropSpec {
  std::string run_id;
  std::string tenant = kTenantA;
  std::string kind = "VivaInsights";
  std::string rows;
  uint64_t part_rows = 0;
  std::string errors;      // metadata Errors (no data written)
  int64_t rows_delta = 0;  // NumberOfRowsExtracted off by this
  bool corrupt_last_part = false;
  bool save_keys = true;        // write the key answer to keys_dir
  std::string keys_for_tenant;  // wrap the keys for this tenant's key pair instead
};

class World {
 public:
  World() {
    store_ = std::move(*store::LocalStore::Open(dir_.path() / "store", {.fsync = false}));
    std::filesystem::create_directories(keys_dir());
  }
  std::filesystem::path root() const { return dir_.path(); }
  std::string store_url() const { return "file://" + (dir_.path() / "store").string(); }
  std::string keystore() const { return (dir_.path() / "keys").string(); }
  std::string keys_dir() const { return (dir_.path() / "key-answers").string(); }
  std::string sqlite_url() const { return "sqlite://" + (dir_.path() / "db/vivalink.db").string(); }
  store::BlobStore& store() { return *store_; }

  Config MakeConfig(const std::string& db_url) const {
    Config c = DefaultConfig();
    c.data_dir = dir_.path().string();
    c.store_url = store_url();
    c.keystore_dir = keystore();
    c.keys.keys_dir = keys_dir();
    c.keys.api_base_url.clear();
    c.database_url = db_url;
    return c;
  }

  const crypto::RsaPrivateKey& TenantKey(const std::string& tenant) {
    auto it = tenant_keys_.find(tenant);
    if (it == tenant_keys_.end()) {
      drop::KeyStore ks(keystore());
      auto k = ks.Load(tenant);
      if (!k.ok()) k = ks.Create(tenant);
      EXPECT_TRUE(k.ok()) << k.status().ToString();
      it = tenant_keys_.emplace(tenant, *k).first;
    }
    return it->second;
  }

  // Writes the drop; returns its ref.
  drop::DropRef Write(const DropSpec& spec) {
    drop::DropRef ref{spec.run_id, spec.kind, spec.tenant};
    TenantKey(spec.tenant);
    drop::DropKeys keys{crypto::AesKeyIv::Random(), crypto::AesKeyIv::Random()};
    drop::DropMetadata m;
    m.copy_activity_id = core::UuidFromSeed(std::hash<std::string>{}(spec.run_id + spec.kind), 7);
    m.tenant_id = spec.tenant;
    m.data_factory_name = "test-adf";
    m.job_submission_time = *core::ParseIso8601("2024-01-14T00:00:00Z");
    m.job_completion_time = *core::ParseIso8601("2024-01-14T01:00:00Z");
    if (!spec.errors.empty()) {
      m.errors = spec.errors;
      m.request_start = *core::ParseIso8601("2024-01-07T00:00:00Z");
      m.request_end = *core::ParseIso8601("2024-01-13T00:00:00Z");
    } else {
      drop::DropWriteOptions wo;
      wo.part_rows = spec.part_rows;
      auto r = drop::WriteDropParts(*store_, ref, spec.rows, keys, wo);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      m.request_start = *core::ParseIso8601("2024-01-07T00:00:00Z");
      m.request_end = *core::ParseIso8601("2024-01-13T00:00:00Z");
      drop::FillMetadataFromResult(*r, m);
      if (spec.kind == "VivaInsights") {
        m.request_start = std::chrono::floor<std::chrono::days>(r->min_date);
        m.request_end = std::chrono::floor<std::chrono::days>(r->max_date) + std::chrono::days(6);
      }
      m.rows_extracted += spec.rows_delta;
      if (spec.corrupt_last_part) {
        auto parts = drop::ListParts(*store_, ref);
        EXPECT_TRUE(parts.ok() && !parts->empty());
        std::string name = parts->back().name;
        std::string bytes = *store::GetAll(*store_, name);
        for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16 && i < bytes.size(); ++i) {
          bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
        }
        EXPECT_TRUE(store::PutString(*store_, name, bytes).ok());
      }
    }
    if (spec.save_keys) {
      std::string owner = spec.keys_for_tenant.empty() ? spec.tenant : spec.keys_for_tenant;
      auto answer = drop::MakeKeysResponse(m.copy_activity_id, keys, TenantKey(owner).PublicKey());
      EXPECT_TRUE(answer.ok());
      testutil::WriteFile(std::filesystem::path(keys_dir()) / (m.copy_activity_id + ".json"),
                          *answer);
    }
    EXPECT_TRUE(drop::WriteMetadata(*store_, ref, m).ok());
    return ref;
  }

 private:
  testutil::TempDir dir_;
  std::unique_ptr<store::LocalStore> store_;
  std::map<std::string, crypto::RsaPrivateKey> tenant_keys_;
};

// Runs a query returning one integer.
inline int64_t Count(db::Database& db, const std::string& sql) {
  auto v = db.QueryValue(sql);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  if (!v.ok()) return -1;
  return v->GetInt() != nullptr ? *v->GetInt() : -1;
}

}  // namespace vivalink::ingest::testing
