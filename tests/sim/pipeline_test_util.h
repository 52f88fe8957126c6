// Helpers of the pipeline and API server tests: a small world on disk, local stores, reading a
// drop back (independently of the pipeline's own code: raw AES + gunzip + column decryption),
// and a notification receiver on 127.0.0.1.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/base64.h"
#include "core/io.h"
#include "crypto/aes.h"
#include "crypto/gzip.h"
#include "drop/metadata.h"
#include "drop/reader.h"
#include "http/server_thread.h"
#include "sim/simulator.h"
#include "sim/state.h"
#include "sim_test_util.h"
#include "store/local_store.h"
#include "testutil.h"

namespace vivalink::sim::testing {

// A world of `tenants` tenants written to a temporary folder, with partner and staging stores.
class World {
 public:
  explicit World(int tenants = 2, int people = 40, int weeks = 4) {
    org_ = MustGenerate(SmallOptions(people, weeks, 23, tenants));
    EXPECT_TRUE(WriteOrganization(dir_.path(), org_).ok());
    store::LocalStoreOptions lo;
    lo.fsync = false;
    partner_ = std::move(store::LocalStore::Open(dir_ / "partner", lo)).value();
    staging_ = std::move(store::LocalStore::Open(dir_ / "staging", lo)).value();
  }
  const std::filesystem::path& dir() const { return dir_.path(); }
  const Organization& org() const { return org_; }
  store::LocalStore& partner() { return *partner_; }
  store::LocalStore& staging() { return *staging_; }
  const std::string& tenant(size_t i) const { return org_.tenants[i].id; }

  // Every blob name under prefix of a store.
  static std::vector<std::string> Names(store::BlobStore& s, const std::string& prefix = "") {
    std::vector<std::string> out;
    auto all = store::ListAll(s, prefix);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    if (all.ok()) {
      for (const auto& b : *all) out.push_back(b.name);
    }
    return out;
  }

 private:
  testutil::TempDir dir_;
  Organization org_;
  std::unique_ptr<store::LocalStore> partner_, staging_;
};

inline core::Result<drop::DropMetadata> ReadMetadata(store::BlobStore& s,
                                                     const drop::DropRef& ref) {
  ASSIGN_OR_RETURN(std::string text, store::GetAll(s, ref.metadata_path()));
  return drop::ParseMetadata(text, ref.metadata_path());
}

// Decrypts every part of a drop with raw AES + gunzip and decrypts the PII fields: the plain
// JSON lines in order. kDataLoss-like failures come back as errors.
inline core::Result<std::vector<nlohmann::ordered_json>> DecryptRows(store::BlobStore& s,
                                                                     const drop::DropRef& ref,
                                                                     const drop::DropKeys& keys) {
  ASSIGN_OR_RETURN(auto parts, drop::ListParts(s, ref));
  std::vector<nlohmann::ordered_json> rows;
  std::optional<crypto::ColumnCipher> cipher;
  if (keys.column) cipher.emplace(*keys.column);
  for (const auto& p : parts) {
    ASSIGN_OR_RETURN(std::string enc, store::GetAll(s, p.name));
    ASSIGN_OR_RETURN(auto gz, crypto::AesCbcDecrypt(keys.file, core::AsBytes(enc)));
    ASSIGN_OR_RETURN(std::string text, crypto::GzipDecompress(std::string_view(gz)));
    for (const std::string& line : Lines(text)) {
      if (line.empty()) continue;
      auto row = nlohmann::ordered_json::parse(line);
      for (const char* f : {"PersonId", "ObjectId", "id", "mail", "userPrincipalName"}) {
        if (row.contains(f) && row[f].is_string() && cipher) {
          std::string plain;
          RETURN_IF_ERROR(cipher->DecryptBase64(row[f].get<std::string>(), plain));
          row[f] = plain;
        }
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

// What vivalink does: DropReader + DropValidator over the whole drop.
inline core::Status ReadAndValidate(store::BlobStore& s, const drop::DropRef& ref,
                                    const drop::DropMetadata& m, const drop::DropKeys& keys,
                                    uint64_t* rows = nullptr) {
  ASSIGN_OR_RETURN(auto reader, drop::DropReader::Open(s, ref, m, keys));
  drop::DropValidator v(m, ref);
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(v.Observe(batch));
  }
  if (rows != nullptr) *rows = reader->stats().rows;
  return v.Finish(reader->stats(), reader->source_columns());
}

// An HTTP server on 127.0.0.1:<any port> recording the requests it receives.
class Receiver {
 public:
  struct Received {
    std::string path;
    std::string body;
    std::string signature;
    std::string content_type;
  };
  explicit Receiver(int status = 200) : status_(status) {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back({req.path, req.body, req.get_header_value("X-Vivalink-Signature"),
                           req.get_header_value("Content-Type")});
      res.status = status_;
    });
    core::Status listening = listener_.Listen(server_, "127.0.0.1", 0);
    EXPECT_TRUE(listening.ok()) << listening.ToString();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(listener_.port()) + "/v1/notifications/drops";
  }
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  int status_;
  httplib::Server server_;
  http::ServerThread listener_;  // stops before server_ is destroyed
  std::mutex mu_;
  std::vector<Received> received_;
};

}  // namespace vivalink::sim::testing
