// Constants of the on-disk block format (BLOCK_FORMAT.md), shared by the
// block writer, the block reader and the fuzz harness. A block is a directory
// <ulid>/ holding meta.json, index and chunks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cistern::tsdb {

inline constexpr char kBlockMetaFile[] = "meta.json";
inline constexpr char kBlockIndexFile[] = "index";
inline constexpr char kBlockChunksFile[] = "chunks";
inline constexpr char kBlockTmpSuffix[] = ".tmp";
// Optional, mutable (rewritten whole, atomically), not listed in meta.json:
// a block's deleted intervals (tombstones.h), and the head's in the data
// directory.
inline constexpr char kBlockTombstonesFile[] = "tombstones";
inline constexpr char kHeadTombstonesFile[] = "head_tombstones";
inline constexpr int kBlockMetaVersion = 1;

// File magics (big-endian u32 on disk) and format versions (one byte after the
// magic). Every file starts with magic + version + 3 zero bytes.
inline constexpr uint32_t kIndexMagic = 0x43495831;   // "CIX1"
inline constexpr uint32_t kChunksMagic = 0x43434831;  // "CCH1"
inline constexpr uint8_t kIndexVersion = 1;
// tombstones and head_tombstones: header, body, masked crc32c of both (u32le).
inline constexpr uint32_t kTombstonesMagic = 0x43545331;      // "CTS1"
inline constexpr uint32_t kHeadTombstonesMagic = 0x43485431;  // "CHT1"
inline constexpr uint8_t kTombstonesVersion = 1;
// Chunks file version 2 added timestamp frames and kColumnsSharedTs chunks;
// readers open versions 1 and 2 (a version-1 file is a version-2 file
// without timestamp frames and without a kind byte in its frame table).
inline constexpr uint8_t kChunksVersion = 2;
inline constexpr uint8_t kChunksVersion1 = 1;
inline constexpr size_t kFileHeaderSize = 8;

// Index: sections in this order, each `len:u64le payload crc32c(payload):u32le`
// (masked, agent/wal/crc32c.h), then the table of contents and a fixed footer.
enum class IndexSection : uint8_t { kSymbols = 0, kSeries, kPostings, kLabels, kCount };
inline constexpr int kNumIndexSections = static_cast<int>(IndexSection::kCount);
inline constexpr size_t kSectionFrameSize = 12;  // len + crc
// toc := (section_offset:u64le)^kNumIndexSections num_series:u64le num_chunks:u64le
//        num_samples:u64le all_postings_offset:u64le all_postings_len:u64le
inline constexpr size_t kIndexTocSize = 8 * (kNumIndexSections + 5);
// footer := toc_crc:u32le magic:u32be
inline constexpr size_t kIndexFooterSize = 8;

// Chunks file: header, frames (zstd), frame table, footer.
// frame_table := num_frames:uvarint (kind:u8 csize:uvarint rsize:uvarint crc:u32le)^num_frames
//                (version 1: no kind byte, every frame kChunks)
// footer := table_len:u32le table_crc:u32le magic:u32be
inline constexpr size_t kChunksFooterSize = 12;
// A frame is closed once its raw (uncompressed) bytes reach the writer's
// target; no frame may be larger than this raw (a reader refuses it).
inline constexpr size_t kDefaultFrameTargetBytes = 64 * 1024;
inline constexpr size_t kMaxFrameRawBytes = 16 * 1024 * 1024;

// What a frame holds. Frames of each kind are numbered separately, in file
// order: the index's chunk references count kChunks frames, the timestamp
// references of kColumnsSharedTs chunks count kTimestamps frames.
enum class FrameKind : uint8_t {
  kChunks = 0,      // block_chunk*
  kTimestamps = 1,  // ts_column*: timestamp columns shared by several chunks
};

// Chunk encodings inside a frame (first byte of each chunk). kXor is the head's
// Prometheus XOR chunk (chunk_format.h), kColumns the column encoding of
// block_chunk_codec.h, kColumnsSharedTs the same with its timestamp column in
// a timestamp frame (written by the writer when another chunk of the block
// has the very same timestamps; not a choice of BlockWriteOptions).
enum class BlockChunkEncoding : uint8_t { kXor = 1, kColumns = 2, kColumnsSharedTs = 3 };

// Samples per chunk the writer aims for: XOR chunks as Prometheus (120), column
// chunks larger (their headers cost more, their decoding is cheap).
inline constexpr int kXorChunkSamples = 120;
inline constexpr int kColumnChunkSamples = 1024;
inline constexpr int kMaxChunkSamplesOnDisk = 65535;

// Value column kinds of a column chunk.
enum class ValueKind : uint8_t {
  kConst = 0,         // every value has the same bits
  kDecimalDelta = 1,  // v = m / 10^e, m delta-coded (zig-zag varints)
  kDecimalDod = 2,    // same, m delta-of-delta coded
  kXor = 3,           // Gorilla XOR bit stream (as the head's chunks)
  kBitsDelta = 4,     // deltas of the values' bits as integers (zig-zag varints); version 2
  kScaledDelta = 5,   // kDecimalDelta with every mantissa delta a multiple of a scale >= 2; version 2
  kScaledDod = 6,     // kDecimalDod likewise
};
// Largest decimal exponent e tried (10^e must be an exact double: e <= 22).
inline constexpr int kMaxDecimalExp = 15;
// Mantissas stay within the exactly representable integers.
inline constexpr int64_t kMaxMantissa = int64_t{1} << 53;

}  // namespace cistern::tsdb
