// Helpers shared by the LocalStore tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/local_store.h"
#include "testutil.h"

namespace vivalink::store {

inline std::unique_ptr<LocalStore> OpenStore(const std::filesystem::path& root, bool fsync = true) {
  LocalStoreOptions options;
  options.fsync = fsync;
  auto store = LocalStore::Open(root, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Files named like the store's temporaries anywhere under root.
inline int CountTempFiles(const std::filesystem::path& root) {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().filename().string().starts_with(LocalStore::kTempPrefix)) ++n;
  }
  return n;
}

}  // namespace vivalink::store
