// Throughput of the data-file path: AES-256-CBC decryption, gzip inflate with ISA-L and with
// zlib, and the whole chain, on JSON-lines data shaped like a Viva Insights person report
// (generated in memory). Also column-value decryption per row.
//
// Rates are per CPU second (the programs are single-threaded and the build machine is shared).
//   bench_crypto [--benchmark_filter=...]   VIVALINK_BENCH_PLAIN_MB sets the plaintext size
//                                           (default 256 MiB, about 60 MB compressed).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/io.h"
#include "crypto/aes.h"
#include "crypto/gzip.h"

namespace vivalink::crypto {
namespace {

// Generates JSON lines on the fly so the plaintext never has to be held in memory whole.
class JsonLinesSource final : public core::ByteSource {
 public:
  explicit JsonLinesSource(size_t total) : total_(total), rng_(42) {}

  core::Result<size_t> Read(std::span<std::byte> out) override {
    size_t written = 0;
    while (written < out.size() && produced_ < total_) {
      if (pos_ == line_.size()) NextLine();
      size_t n = std::min({out.size() - written, line_.size() - pos_, total_ - produced_});
      std::memcpy(out.data() + written, line_.data() + pos_, n);
      pos_ += n;
      written += n;
      produced_ += n;
    }
    return written;
  }

 private:
  void NextLine() {
    static constexpr const char* kColumns[] = {"After-hours collaboration hours",
                                               "After-hours email hours",
                                               "After-hours call hours",
                                               "After-hours meeting hours",
                                               "Collaboration hours",
                                               "Email hours",
                                               "Meeting hours",
                                               "Chat hours",
                                               "Call hours",
                                               "Multitasking hours",
                                               "Emails sent",
                                               "Meetings",
                                               "Chats sent",
                                               "Calls",
                                               "Meeting and call hours",
                                               "Weekend emails sent",
                                               "Urgent email hours",
                                               "Small-group meeting, call, and chat hours",
                                               "Internal network size",
                                               "External network size"};
    static constexpr char kB64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    line_.clear();
    pos_ = 0;
    // Five thousand people, one row per person and week, like a real extract.
    auto person = static_cast<uint32_t>(rng_() % 5000);
    std::mt19937 id_rng(person);
    line_ += "{\"PersonId\":\"";
    for (int i = 0; i < 64; ++i) line_ += kB64[id_rng() % 64];
    line_ += "\",\"MetricDate\":\"2022-";
    line_ += std::to_string(10 + rng_() % 3) + "-" + std::to_string(10 + rng_() % 18);
    line_ += "T00:00:00Z\"";
    for (const char* column : kColumns) {
      line_ += ",\"";
      line_ += column;
      line_ += "\":\"";
      switch (rng_() % 3) {
        case 0:
          line_ += "0";
          break;
        case 1:
          line_ += std::to_string(rng_() % 60);
          break;
        default:
          line_ += std::to_string(rng_() % 200) + "." + std::to_string(rng_()) +
                   std::to_string(rng_() % 100000);
      }
      line_ += '"';
    }
    line_ += ",\"Organization\":\"Org";
    line_ += std::to_string(person % 17);
    line_ += "\",\"IsActive\":true}\n";
  }

  size_t total_;
  size_t produced_ = 0;
  std::mt19937 rng_;
  std::string line_;
  size_t pos_ = 0;
};

size_t PlainBytes() {
  const char* mb = std::getenv("VIVALINK_BENCH_PLAIN_MB");
  size_t n = mb != nullptr ? std::strtoul(mb, nullptr, 10) : 256;
  return (n == 0 ? 256 : n) << 20;
}

const AesKeyIv& Key() {
  static const AesKeyIv key = AesKeyIv::Random();
  return key;
}

const std::string& Compressed() {
  static const std::string gz = [] {
    GzipDeflateSource deflate(std::make_unique<JsonLinesSource>(PlainBytes()), 6);
    return *core::ReadAll(deflate);
  }();
  return gz;
}

const std::string& Encrypted() {
  static const std::string enc = [] {
    AesCbcEncryptSource source(std::make_unique<core::MemorySource>(Compressed()), Key());
    return *core::ReadAll(source);
  }();
  return enc;
}

// Drains source with 1 MiB reads (what the line splitter asks for); returns bytes read.
uint64_t Drain(core::ByteSource& source, benchmark::State& state) {
  static std::vector<std::byte> buf(1 << 20);
  uint64_t total = 0;
  while (true) {
    auto n = source.Read(buf);
    if (!n.ok()) {
      state.SkipWithError(n.status().ToString().c_str());
      return total;
    }
    if (*n == 0) return total;
    total += *n;
  }
}

void SetRates(benchmark::State& state, uint64_t out_bytes, uint64_t in_bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(out_bytes));
  state.counters["in_bytes/s"] = benchmark::Counter(
      static_cast<double>(in_bytes), benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
}

void BM_AesCbcDecrypt(benchmark::State& state) {
  const std::string& cipher = Encrypted();
  uint64_t out = 0;
  for (auto _ : state) {
    AesCbcDecryptSource source(std::make_unique<core::MemorySource>(cipher), Key(), "bench");
    out += Drain(source, state);
  }
  SetRates(state, out, out);
  state.counters["ciphertext_MB"] = static_cast<double>(cipher.size()) / 1e6;
}
BENCHMARK(BM_AesCbcDecrypt)->Unit(benchmark::kMillisecond);

void BM_Inflate(benchmark::State& state, InflateEngine engine) {
  const std::string& gz = Compressed();
  uint64_t out = 0;
  uint64_t in = 0;
  for (auto _ : state) {
    GzipInflateSource source(std::make_unique<core::MemorySource>(gz), "bench", engine);
    out += Drain(source, state);
    in += gz.size();
  }
  SetRates(state, out, in);
  state.counters["compressed_MB"] = static_cast<double>(gz.size()) / 1e6;
}
BENCHMARK_CAPTURE(BM_Inflate, isal, InflateEngine::kIsal)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Inflate, zlib, InflateEngine::kZlib)->Unit(benchmark::kMillisecond);

// The data-file chain: ciphertext -> AES-CBC -> gzip (ISA-L) -> plaintext.
void BM_DecryptAndInflate(benchmark::State& state) {
  const std::string& cipher = Encrypted();
  uint64_t out = 0;
  uint64_t in = 0;
  for (auto _ : state) {
    auto aes = std::make_unique<AesCbcDecryptSource>(std::make_unique<core::MemorySource>(cipher),
                                                     Key(), "bench");
    GzipInflateSource source(std::move(aes), "bench", InflateEngine::kIsal);
    out += Drain(source, state);
    in += cipher.size();
  }
  SetRates(state, out, in);
}
BENCHMARK(BM_DecryptAndInflate)->Unit(benchmark::kMillisecond);

void BM_ColumnDecrypt(benchmark::State& state) {
  ColumnCipher cipher(Key());
  std::vector<std::string> values;
  for (int i = 0; i < 1000; ++i) {
    std::string id = std::to_string(10000000 + i);
    id += "-fcfc-34f2-b3da-d800cb284b21";
    values.push_back(cipher.EncryptToBase64(id));
  }
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    if (!cipher.DecryptBase64(values[i++ % values.size()], out).ok()) {
      state.SkipWithError("column decrypt failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ColumnDecrypt);

}  // namespace
}  // namespace vivalink::crypto

BENCHMARK_MAIN();
