// Arbitrary bytes as a WAL segment: the framing reader must resync or stop,
// the payload decoder must reject or decode, never crash, and never read past
// the limit it was given.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "agent/wal/record.h"
#include "agent/wal/sample_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string seg(reinterpret_cast<const char*>(data), size);
  cistern::wal::RecordReader reader(
      [&](uint64_t off, char* buf, size_t n) -> cistern::StatusOr<size_t> {
        if (off >= seg.size()) return size_t{0};
        size_t m = std::min(n, seg.size() - static_cast<size_t>(off));
        std::memcpy(buf, seg.data() + off, m);
        return m;
      },
      0, nullptr);
  std::string payload;
  uint64_t off;
  cistern::wal::XorState state;
  cistern::wal::DecodedRecord rec;
  for (int i = 0; i < 10000; ++i) {
    auto got = reader.Next(seg.size(), &payload, &off);
    if (!got.ok() || !*got) break;
    if (off >= seg.size() || reader.position() > seg.size()) __builtin_trap();
    (void)cistern::wal::DecodeRecord(payload, &state, &rec);
  }
  // The payload decoder on the raw bytes too (most inputs never frame correctly).
  (void)cistern::wal::DecodeRecord(seg, &state, &rec);
  return 0;
}
