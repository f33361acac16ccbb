#include "backup/stream/sink.h"

#include <array>
#include <cstring>

#include <fmt/format.h>
#include <sodium.h>
#include <zstd.h>

namespace ballast::backup {
namespace {

using State = crypto_secretstream_xchacha20poly1305_state;
constexpr std::string_view kMagic = "BALLAST-STREAM-1";  // 16 bytes

ZSTD_CCtx* cctx(void* p) { return static_cast<ZSTD_CCtx*>(p); }
ZSTD_DCtx* dctx(void* p) { return static_cast<ZSTD_DCtx*>(p); }

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint32_t get_u32(std::string_view in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[static_cast<std::size_t>(i)]))
         << (8 * i);
  return v;
}

}  // namespace

core::Status MeasuringSink::write(std::string_view bytes) {
  bytes_ += bytes.size();
  hash_.update(bytes);
  return next_.write(bytes);
}

ZstdCompressor::ZstdCompressor(Sink& next, int level, int workers)
    : next_(next), context_(ZSTD_createCCtx()) {
  ZSTD_CCtx_setParameter(cctx(context_), ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx(context_), ZSTD_c_checksumFlag, 1);
  if (workers > 0) ZSTD_CCtx_setParameter(cctx(context_), ZSTD_c_nbWorkers, workers);
  out_.resize(ZSTD_CStreamOutSize());
}

ZstdCompressor::~ZstdCompressor() { ZSTD_freeCCtx(cctx(context_)); }

core::Status ZstdCompressor::pump(std::string_view input, bool end) {
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  for (;;) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    const std::size_t left =
        ZSTD_compressStream2(cctx(context_), &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
    if (ZSTD_isError(left) != 0U) {
      return core::make_error(core::ErrorCode::kInternal, "zstd: {}", ZSTD_getErrorName(left));
    }
    if (out.pos > 0) BALLAST_TRY(next_.write(std::string_view(out_.data(), out.pos)));
    if (end ? left == 0 : in.pos == in.size) return core::ok();
  }
}

core::Status ZstdCompressor::write(std::string_view bytes) { return pump(bytes, false); }

core::Status ZstdCompressor::finish() {
  BALLAST_TRY(pump({}, true));
  return next_.finish();
}

ZstdDecompressor::ZstdDecompressor(Sink& next) : next_(next), context_(ZSTD_createDCtx()) {
  out_.resize(ZSTD_DStreamOutSize());
}

ZstdDecompressor::~ZstdDecompressor() { ZSTD_freeDCtx(dctx(context_)); }

core::Status ZstdDecompressor::write(std::string_view bytes) {
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    const std::size_t hint = ZSTD_decompressStream(dctx(context_), &out, &in);
    if (ZSTD_isError(hint) != 0U) {
      return core::make_error(core::ErrorCode::kCorrupt, "compressed data is damaged: {}",
                              ZSTD_getErrorName(hint));
    }
    at_frame_end_ = hint == 0;
    if (out.pos > 0) BALLAST_TRY(next_.write(std::string_view(out_.data(), out.pos)));
  }
  return core::ok();
}

core::Status ZstdDecompressor::finish() {
  if (!at_frame_end_) {
    return core::make_error(core::ErrorCode::kCorrupt, "compressed data ends early (truncated)");
  }
  return next_.finish();
}

Encryptor::Encryptor(Sink& next, const core::Secret& key) : next_(next), key_(key) {
  static_assert(sizeof(State) <= sizeof(state_));
}

core::Status Encryptor::seal(std::string_view chunk, bool last) {
  if (!started_) {
    std::array<unsigned char, crypto_secretstream_xchacha20poly1305_HEADERBYTES> header{};
    crypto_secretstream_xchacha20poly1305_init_push(reinterpret_cast<State*>(state_), header.data(),
                                                    bytes_of(key_.reveal()));
    std::string start(kMagic);
    start.append(reinterpret_cast<const char*>(header.data()), header.size());
    BALLAST_TRY(next_.write(start));
    started_ = true;
  }
  std::string frame;
  put_u32(frame, static_cast<std::uint32_t>(chunk.size()));
  frame.resize(4 + chunk.size() + crypto_secretstream_xchacha20poly1305_ABYTES);
  crypto_secretstream_xchacha20poly1305_push(
      reinterpret_cast<State*>(state_), reinterpret_cast<unsigned char*>(frame.data() + 4), nullptr,
      bytes_of(chunk), chunk.size(), nullptr, 0,
      last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
  return next_.write(frame);
}

core::Status Encryptor::write(std::string_view bytes) {
  pending_.append(bytes);
  std::size_t offset = 0;
  while (pending_.size() - offset > kChunk) {
    BALLAST_TRY(seal(std::string_view(pending_).substr(offset, kChunk), false));
    offset += kChunk;
  }
  pending_.erase(0, offset);
  return core::ok();
}

core::Status Encryptor::finish() {
  BALLAST_TRY(seal(pending_, true));
  pending_.clear();
  return next_.finish();
}

Decryptor::Decryptor(Sink& next, const core::Secret& key, std::string object_name)
    : next_(next), key_(key), name_(std::move(object_name)) {}

core::Status Decryptor::drain() {
  constexpr std::size_t kHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
  if (!started_) {
    if (buffer_.size() < kMagic.size() + kHeader) return core::ok();
    if (std::string_view(buffer_).substr(0, kMagic.size()) != kMagic) {
      return core::make_error(core::ErrorCode::kCorrupt, "'{}' is not a Ballast backup stream",
                              name_);
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(
            reinterpret_cast<State*>(state_),
            bytes_of(std::string_view(buffer_).substr(kMagic.size())),
            bytes_of(key_.reveal())) != 0) {
      return core::make_error(core::ErrorCode::kCorrupt, "'{}' has a damaged header", name_);
    }
    buffer_.erase(0, kMagic.size() + kHeader);
    started_ = true;
  }
  constexpr std::size_t kTag = crypto_secretstream_xchacha20poly1305_ABYTES;
  std::string plain;
  while (buffer_.size() >= 4) {
    const std::uint32_t length = get_u32(buffer_);
    if (length > Encryptor::kChunk) {
      return core::make_error(core::ErrorCode::kCorrupt, "'{}' has a damaged frame", name_);
    }
    if (buffer_.size() < 4 + length + kTag) return core::ok();
    if (ended_)
      return core::make_error(core::ErrorCode::kCorrupt, "'{}' has data after its end", name_);
    plain.resize(length);
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            reinterpret_cast<State*>(state_), reinterpret_cast<unsigned char*>(plain.data()),
            nullptr, &tag, bytes_of(buffer_) + 4, length + kTag, nullptr, 0) != 0) {
      return core::make_error(core::ErrorCode::kCorrupt,
                              "'{}' failed authentication: it was altered, or the key is wrong",
                              name_)
          .with_hint(
              "Check the tenant's backup key; if it is right, this copy is damaged: use "
              "another backup or repository.");
    }
    ended_ = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    buffer_.erase(0, 4 + length + kTag);
    BALLAST_TRY(next_.write(plain));
  }
  return core::ok();
}

core::Status Decryptor::write(std::string_view bytes) {
  buffer_.append(bytes);
  return drain();
}

core::Status Decryptor::finish() {
  BALLAST_TRY(drain());
  if (!ended_ || !buffer_.empty()) {
    return core::make_error(core::ErrorCode::kCorrupt,
                            "'{}' is truncated: its final chunk is missing", name_)
        .with_hint("The upload did not complete or the object was cut; use another backup.");
  }
  return next_.finish();
}

core::Status ObjectSink::finish() {
  BALLAST_ASSIGN_OR_RETURN(info_, writer_->commit());
  return core::ok();
}

core::Status copy(ObjectReader& reader, Sink& sink) {
  std::array<char, 256 * 1024> buffer{};
  for (;;) {
    BALLAST_ASSIGN_OR_RETURN(const std::size_t n, reader.read(buffer.data(), buffer.size()));
    if (n == 0) break;
    BALLAST_TRY(sink.write(std::string_view(buffer.data(), n)));
  }
  return sink.finish();
}

core::Result<std::string> seal_document(std::string_view plaintext, const core::Secret& key) {
  StringSink out;
  Encryptor encrypt(out, key);
  BALLAST_TRY(encrypt.write(plaintext));
  BALLAST_TRY(encrypt.finish());
  return out.data();
}

core::Result<std::string> open_document(std::string_view sealed, const core::Secret& key,
                                        const std::string& name) {
  StringSink out;
  Decryptor decrypt(out, key, name);
  BALLAST_TRY(decrypt.write(sealed));
  BALLAST_TRY(decrypt.finish());
  return out.data();
}

}  // namespace ballast::backup
