#include "agent/remote/request_encoder.h"

#include <snappy.h>

#include <bit>
#include <cstring>

namespace cistern::remote {
namespace {

// Protobuf wire types and the tags of the fields written here.
constexpr uint8_t kLen = 2, kFixed64 = 1, kVarint = 0;
constexpr uint8_t Tag(int field, uint8_t wire) { return static_cast<uint8_t>(field << 3 | wire); }

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

// A bytes field; proto3 leaves empty ones out.
size_t BytesFieldSize(size_t len) { return len == 0 ? 0 : 1 + VarintSize(len) + len; }
void PutBytesField(std::string* out, uint8_t tag, std::string_view s) {
  if (s.empty()) return;
  out->push_back(static_cast<char>(tag));
  PutVarint(out, s.size());
  out->append(s);
}

size_t LabelSize(const model::Label& l) { return BytesFieldSize(l.name.size()) + BytesFieldSize(l.value.size()); }

// Sample { double value = 1; int64 timestamp = 2; }, zero values left out
// (for the double: all-zero bits, so -0.0 is written, as protobuf does).
size_t SampleSize(const model::Sample& s) {
  size_t n = 0;
  if (std::bit_cast<uint64_t>(s.value) != 0) n += 1 + 8;
  if (s.timestamp_ms != 0) n += 1 + VarintSize(static_cast<uint64_t>(s.timestamp_ms));
  return n;
}

}  // namespace

void RequestEncoder::Add(const model::Labels& labels, std::span<const model::Sample> samples) {
  size_t body = 0;
  for (const model::Label& l : labels) {
    size_t n = LabelSize(l);
    body += 1 + VarintSize(n) + n;
  }
  for (const model::Sample& s : samples) {
    size_t n = SampleSize(s);
    body += 1 + VarintSize(n) + n;
  }
  raw_.reserve(raw_.size() + 1 + VarintSize(body) + body);
  raw_.push_back(static_cast<char>(Tag(1, kLen)));  // WriteRequest.timeseries
  PutVarint(&raw_, body);
  for (const model::Label& l : labels) {
    raw_.push_back(static_cast<char>(Tag(1, kLen)));  // TimeSeries.labels
    PutVarint(&raw_, LabelSize(l));
    PutBytesField(&raw_, Tag(1, kLen), l.name);
    PutBytesField(&raw_, Tag(2, kLen), l.value);
  }
  for (const model::Sample& s : samples) {
    raw_.push_back(static_cast<char>(Tag(2, kLen)));  // TimeSeries.samples
    PutVarint(&raw_, SampleSize(s));
    if (uint64_t bits = std::bit_cast<uint64_t>(s.value); bits != 0) {
      raw_.push_back(static_cast<char>(Tag(1, kFixed64)));
      char le[8];
      for (int i = 0; i < 8; ++i) le[i] = static_cast<char>(bits >> (8 * i));
      raw_.append(le, 8);
    }
    if (s.timestamp_ms != 0) {
      raw_.push_back(static_cast<char>(Tag(2, kVarint)));
      PutVarint(&raw_, static_cast<uint64_t>(s.timestamp_ms));  // int64: negative as 10-byte two's complement
    }
  }
}

void RequestEncoder::Finish(std::string* out) {
  out->clear();
  snappy::Compress(raw_.data(), raw_.size(), out);
  raw_.clear();
}

}  // namespace cistern::remote
