#include "crypto/gzip.h"

#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>

#include "core/handle.h"
#include "core/secure.h"

namespace vivalink::crypto {
namespace {

constexpr size_t kMinBuffer = 64;
// zlib and ISA-L count in 32 bits.
constexpr size_t kMaxStep = UINT32_MAX;

uint32_t Clamp32(size_t n) { return static_cast<uint32_t>(std::min(n, kMaxStep)); }

// z_stream is a plain struct that owns zlib's internal state; these free both.
void FreeInflateStream(z_stream* s) {
  inflateEnd(s);
  std::unique_ptr<z_stream> owned(s);
}
void FreeDeflateStream(z_stream* s) {
  deflateEnd(s);
  std::unique_ptr<z_stream> owned(s);
}
using InflateStream = core::UniqueHandle<z_stream, FreeInflateStream>;
using DeflateStream = core::UniqueHandle<z_stream, FreeDeflateStream>;

// zlib's stream state holds the history window (up to 32 KiB of plaintext): its blocks come from
// operator new with their size in front and are wiped before they are freed.
constexpr size_t kZlibBlockHeader = alignof(std::max_align_t);
voidpf WipingZlibAlloc(voidpf, uInt items, uInt size) {
  const size_t n = size_t{items} * size;
  auto* block = static_cast<unsigned char*>(::operator new(n + kZlibBlockHeader, std::nothrow));
  if (block == nullptr) return Z_NULL;
  std::memcpy(block, &n, sizeof n);
  return block + kZlibBlockHeader;
}
void WipingZlibFree(voidpf, voidpf address) {
  if (address == Z_NULL) return;
  auto* block = static_cast<unsigned char*>(address) - kZlibBlockHeader;
  size_t n = 0;
  std::memcpy(&n, block, sizeof n);
  core::SecureWipe(address, n);
  ::operator delete(block);
}
void UseWipingAllocator(z_stream& s) {
  s.zalloc = WipingZlibAlloc;
  s.zfree = WipingZlibFree;
  s.opaque = Z_NULL;
}

// ISA-L's state is a plain struct without a free function; its history window holds plaintext,
// so it is wiped when released.
void FreeIsalState(inflate_state* s) {
  core::SecureWipe(s, sizeof *s);
  std::unique_ptr<inflate_state> owned(s);
}
using IsalState = core::UniqueHandle<inflate_state, FreeIsalState>;

// One member-at-a-time raw inflater behind the multi-member framing of GzipInflateSource.
class Inflater {
 public:
  struct Step {
    size_t consumed = 0;
    size_t produced = 0;
    bool member_end = false;  // the member's trailer was read and its CRC-32 and ISIZE match
    const char* error = nullptr;
  };
  virtual ~Inflater() = default;
  // Prepares for a new member that starts at the next input byte.
  virtual core::Status StartMember() = 0;
  virtual Step Run(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) = 0;
};

class IsalInflater final : public Inflater {
 public:
  IsalInflater() : state_(std::make_unique<inflate_state>().release()) {
    isal_inflate_init(state_.get());
  }

  core::Status StartMember() override {
    isal_inflate_reset(state_.get());
    // ISAL_GZIP: parse the header and verify CRC-32 and ISIZE of the trailer.
    state_->crc_flag = ISAL_GZIP;
    return core::OkStatus();
  }

  Step Run(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) override {
    inflate_state& s = *state_;
    uint32_t avail_in = Clamp32(in_len);
    uint32_t avail_out = Clamp32(out_len);
    s.next_in = const_cast<uint8_t*>(in);  // ISA-L never writes through next_in
    s.avail_in = avail_in;
    s.next_out = out;
    s.avail_out = avail_out;
    int ret = isal_inflate(&s);
    Step step;
    step.consumed = avail_in - s.avail_in;
    step.produced = avail_out - s.avail_out;
    // Positive codes (ISAL_END_INPUT inside a header) only mean "more input, please".
    if (ret < 0) {
      step.error = ErrorText(ret);
    } else if (s.block_state == ISAL_BLOCK_FINISH) {
      step.member_end = true;
    }
    return step;
  }

 private:
  static const char* ErrorText(int ret) {
    switch (ret) {
      case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
      case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
      case ISAL_INVALID_LOOKBACK:
        return "invalid back-reference distance";
      case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
      case ISAL_UNSUPPORTED_METHOD:
        return "unsupported compression method";
      case ISAL_INCORRECT_CHECKSUM:
        return "CRC-32 or length (ISIZE) mismatch in the member trailer or header";
      default:
        return "deflate error";
    }
  }

  IsalState state_;
};

class ZlibInflater final : public Inflater {
 public:
  core::Status StartMember() override {
    if (!strm_) {
      auto s = std::make_unique<z_stream>();
      UseWipingAllocator(*s);
      // 16 + MAX_WBITS: gzip wrapper only; zlib checks CRC-32 and ISIZE of the trailer.
      if (inflateInit2(s.get(), 16 + MAX_WBITS) != Z_OK) {
        return core::InternalError("zlib inflateInit2 failed (out of memory?)");
      }
      strm_.reset(s.release());
      return core::OkStatus();
    }
    if (inflateReset(strm_.get()) != Z_OK) return core::InternalError("zlib inflateReset failed");
    return core::OkStatus();
  }

  Step Run(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len) override {
    z_stream& s = *strm_;
    uint32_t avail_in = Clamp32(in_len);
    uint32_t avail_out = Clamp32(out_len);
    s.next_in = const_cast<Bytef*>(in);  // zlib never writes through next_in
    s.avail_in = avail_in;
    s.next_out = out;
    s.avail_out = avail_out;
    int ret = inflate(&s, Z_NO_FLUSH);
    Step step;
    step.consumed = avail_in - s.avail_in;
    step.produced = avail_out - s.avail_out;
    if (ret == Z_STREAM_END) {
      step.member_end = true;
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      step.error = ErrorText(ret, s.msg);
    }
    return step;
  }

 private:
  static const char* ErrorText(int ret, const char* msg) {
    if (msg != nullptr) {
      if (std::strcmp(msg, "incorrect data check") == 0) return "CRC-32 mismatch in the trailer";
      if (std::strcmp(msg, "incorrect length check") == 0) {
        return "length (ISIZE) mismatch in the trailer";
      }
      return msg;  // zlib's messages are static strings
    }
    switch (ret) {
      case Z_NEED_DICT:
        return "stream needs a preset dictionary";
      case Z_MEM_ERROR:
        return "out of memory";
      default:
        return "deflate error";
    }
  }

  InflateStream strm_;
};

std::string Hex2(uint8_t a) {
  char buf[3];
  std::snprintf(buf, sizeof buf, "%02x", a);
  return buf;
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// GzipInflateSource

struct GzipInflateSource::Impl {
  std::unique_ptr<core::ByteSource> inner;
  std::string name;
  std::unique_ptr<Inflater> engine;
  core::Status status;  // sticky
  core::SecureBytes in;
  size_t pos = 0;  // next unconsumed byte in `in`
  size_t len = 0;  // bytes held in `in`
  uint64_t total_read = 0;
  uint64_t members = 0;  // completed members
  bool inner_eof = false;
  bool at_member_start = true;
  bool done = false;

  size_t avail() const { return len - pos; }
  uint64_t offset() const { return total_read - avail(); }
  const uint8_t* next() const { return reinterpret_cast<const uint8_t*>(in.data() + pos); }

  core::Status Refill() {
    if (pos > 0) {
      std::memmove(in.data(), in.data() + pos, avail());
      len -= pos;
      pos = 0;
    }
    ASSIGN_OR_RETURN(size_t n, inner->Read(std::span(in).subspan(len)));
    if (n == 0) inner_eof = true;
    len += n;
    total_read += n;
    return core::OkStatus();
  }

  core::Status Fail(core::Status s) {
    status = std::move(s);
    return status;
  }

  core::Status DataLoss(std::string what) {
    return Fail(core::DataLossError(name + ": " + std::move(what)));
  }

  core::Status CheckMemberStart() {
    while (avail() < 2 && !inner_eof) RETURN_IF_ERROR(Refill());
    if (avail() == 0) return core::OkStatus();  // clean end (checked by the caller)
    bool magic = avail() >= 2 && in[pos] == std::byte{0x1f} && in[pos + 1] == std::byte{0x8b};
    if (magic) return core::OkStatus();
    if (members == 0) {
      std::string head = Hex2(static_cast<uint8_t>(in[pos]));
      if (avail() >= 2) {
        head += ' ';
        head += Hex2(static_cast<uint8_t>(in[pos + 1]));
      }
      return DataLoss("not gzip data: it starts with " + head +
                      ", not the gzip magic 1f 8b (compressed byte offset 0); the file was "
                      "decrypted with the wrong key or is not a gzip file");
    }
    return DataLoss("trailing garbage after gzip member " + std::to_string(members) +
                    " at compressed byte offset " + std::to_string(offset()) +
                    ": the bytes there do not start another gzip member; the file is corrupt "
                    "or has data appended, download it again");
  }
};

GzipInflateSource::GzipInflateSource(std::unique_ptr<core::ByteSource> inner,
                                     std::string source_name, InflateEngine engine,
                                     size_t buffer_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->inner = std::move(inner);
  impl_->name = std::move(source_name);
  if (engine == InflateEngine::kZlib) {
    impl_->engine = std::make_unique<ZlibInflater>();
  } else {
    impl_->engine = std::make_unique<IsalInflater>();
  }
  impl_->in.resize(std::max(buffer_bytes, kMinBuffer));
}

GzipInflateSource::~GzipInflateSource() = default;

core::Result<size_t> GzipInflateSource::Read(std::span<std::byte> out) {
  Impl& s = *impl_;
  if (!s.status.ok()) return s.status;
  if (out.empty() || s.done) return size_t{0};
  while (true) {
    if (s.at_member_start) {
      if (auto st = s.CheckMemberStart(); !st.ok()) return s.Fail(st);
      if (s.avail() == 0) {
        if (s.members == 0) {
          return s.DataLoss(
              "empty input, not gzip data (compressed byte offset 0); the file "
              "is missing its content, download it again");
        }
        s.done = true;
        return size_t{0};
      }
      if (auto st = s.engine->StartMember(); !st.ok()) return s.Fail(st);
      s.at_member_start = false;
    }
    if (s.avail() == 0 && !s.inner_eof) {
      if (auto st = s.Refill(); !st.ok()) return s.Fail(st);
      continue;
    }
    // With no input left the engine still runs: it may hold output it could not hand out yet.
    Inflater::Step step =
        s.engine->Run(s.next(), s.avail(), reinterpret_cast<uint8_t*>(out.data()), out.size());
    s.pos += step.consumed;
    if (step.error != nullptr) {
      return s.DataLoss("corrupt gzip data in member " + std::to_string(s.members + 1) +
                        " near compressed byte offset " + std::to_string(s.offset()) + " (" +
                        step.error +
                        "); the file is damaged, tampered with or was decrypted with the wrong "
                        "key, download it again");
    }
    if (step.member_end) {
      ++s.members;
      s.at_member_start = true;
    }
    if (step.produced > 0) return step.produced;
    if (step.member_end || step.consumed > 0) continue;
    // No progress at all: the engine needs bytes that are not there.
    if (s.inner_eof) {
      return s.DataLoss("truncated gzip stream: the input ends at compressed byte offset " +
                        std::to_string(s.offset()) + " inside member " +
                        std::to_string(s.members + 1) +
                        "; the file was cut short while written or downloaded, download it "
                        "again");
    }
    if (s.pos == 0 && s.len == s.in.size()) {
      return s.Fail(core::InternalError(s.name + ": inflate made no progress with a full buffer"));
    }
    if (auto st = s.Refill(); !st.ok()) return s.Fail(st);
  }
}

uint64_t GzipInflateSource::compressed_bytes() const { return impl_->total_read; }

// ----------------------------------------------------------------------------------------------
// GzipDeflateSource

struct GzipDeflateSource::Impl {
  std::unique_ptr<core::ByteSource> inner;
  DeflateStream strm;
  core::Status status;
  core::SecureBytes in;
  bool inner_eof = false;
  bool done = false;
};

GzipDeflateSource::GzipDeflateSource(std::unique_ptr<core::ByteSource> inner, int level,
                                     size_t buffer_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->inner = std::move(inner);
  if (level < Z_DEFAULT_COMPRESSION || level > Z_BEST_COMPRESSION) {
    impl_->status =
        core::InvalidArgumentError("gzip level " + std::to_string(level) + " is outside -1..9");
    return;
  }
  auto s = std::make_unique<z_stream>();
  UseWipingAllocator(*s);
  // 16 + MAX_WBITS: write a gzip header and trailer around the deflate data.
  if (deflateInit2(s.get(), level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    impl_->status = core::InternalError("zlib deflateInit2 failed (out of memory?)");
    return;
  }
  impl_->strm.reset(s.release());
  impl_->in.resize(std::max(buffer_bytes, kMinBuffer));
}

GzipDeflateSource::~GzipDeflateSource() = default;

core::Result<size_t> GzipDeflateSource::Read(std::span<std::byte> out) {
  Impl& s = *impl_;
  if (!s.status.ok()) return s.status;
  if (out.empty() || s.done) return size_t{0};
  z_stream& z = *s.strm;
  while (true) {
    if (z.avail_in == 0 && !s.inner_eof) {
      auto n = s.inner->Read(s.in);
      if (!n.ok()) {
        s.status = n.status();
        return s.status;
      }
      if (*n == 0) s.inner_eof = true;
      z.next_in = reinterpret_cast<Bytef*>(s.in.data());
      z.avail_in = static_cast<uInt>(*n);
    }
    uint32_t avail_out = Clamp32(out.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = avail_out;
    int ret = deflate(&z, s.inner_eof ? Z_FINISH : Z_NO_FLUSH);
    size_t produced = avail_out - z.avail_out;
    if (ret == Z_STREAM_END) {
      s.done = true;
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      s.status = core::InternalError("zlib deflate failed with code " + std::to_string(ret));
      return s.status;
    }
    if (produced > 0 || s.done) return produced;
  }
}

// ----------------------------------------------------------------------------------------------
// One-shot helpers

namespace {
// Small inputs (headers, request bodies) do not need a 1 MiB staging buffer.
size_t OneShotBuffer(size_t input) {
  return std::min(std::max(input, kMinBuffer), size_t{1} << 20);
}
}  // namespace

core::Result<std::string> GzipCompress(std::string_view data, int level) {
  GzipDeflateSource source(std::make_unique<core::MemorySource>(data), level,
                           OneShotBuffer(data.size()));
  return core::ReadAll(source);
}

core::Result<std::string> GzipDecompress(std::string_view data, InflateEngine engine) {
  GzipInflateSource source(std::make_unique<core::MemorySource>(data), "gzip data", engine,
                           OneShotBuffer(data.size()));
  return core::ReadAll(source);
}

}  // namespace vivalink::crypto
