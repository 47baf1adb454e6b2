#include "agent/remote/request_decoder.h"

#include <snappy.h>

#include <bit>
#include <climits>
#include <cstring>
#include <span>

namespace cistern::remote {
namespace {

// Fixed64 values are copied as they are on the wire.
static_assert(std::endian::native == std::endian::little, "little-endian hosts only");

// Protobuf wire types.
constexpr uint32_t kVarint = 0, kFixed64 = 1, kLen = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5;
constexpr uint32_t Tag(uint32_t field, uint32_t wire) { return field << 3 | wire; }

// CodedInputStream's default recursion limit: nested messages and groups
// below the top-level message, together.
constexpr int kRecursionLimit = 100;
// ReadSizeFallback rejects lengths this close to INT_MAX.
constexpr uint64_t kMaxLength = INT_MAX - 16;

// Messages this decoder only validates (exemplars, native histograms). Only
// their length-delimited message and packed fields need a look inside: every
// other field, known or not, is checked exactly like an unknown field (a
// varint of at most 10 bytes, 8 or 4 bytes, a length that fits, a group), and
// so is the unpacked form of a packed field.
enum class Kind : uint8_t { kMessage, kPackedVarint, kPackedFixed64 };
struct Schema;
struct FieldRule {
  uint32_t number;
  Kind kind;
  const Schema* message;  // kMessage only
};
struct Schema {
  const char* name;
  std::span<const FieldRule> fields;
};

constexpr Schema kLabelSchema{"Label", {}};  // two bytes fields
constexpr FieldRule kExemplarFields[] = {{1, Kind::kMessage, &kLabelSchema}};
constexpr Schema kExemplarSchema{"Exemplar", kExemplarFields};
constexpr Schema kBucketSpanSchema{"BucketSpan", {}};  // sint32 offset, uint32 length
constexpr FieldRule kHistogramFields[] = {
    {8, Kind::kMessage, &kBucketSpanSchema},   // negative_spans
    {9, Kind::kPackedVarint, nullptr},         // negative_deltas (sint64)
    {10, Kind::kPackedFixed64, nullptr},       // negative_counts (double)
    {11, Kind::kMessage, &kBucketSpanSchema},  // positive_spans
    {12, Kind::kPackedVarint, nullptr},        // positive_deltas
    {13, Kind::kPackedFixed64, nullptr},       // positive_counts
};
constexpr Schema kHistogramSchema{"Histogram", kHistogramFields};

// Fast paths for what every sender writes (the generated serializer and
// RequestEncoder): p is just past the field's tag. Each returns where the
// field ends after appending it, or nullptr (nothing appended) when the bytes
// have another shape, for the general parser to take them from the start.
//
// A Label `0a N name 12 V value`, both lengths one byte.
inline const char* CanonicalLabel(const char* p, const char* end, std::vector<LabelView>* labels) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  if (end - p < 5) return nullptr;
  const size_t len = u[0], n = u[2];
  if (len >= 0x80 || len >= static_cast<size_t>(end - p) || u[1] != Tag(1, kLen) || n + 4 > len)
    return nullptr;
  const size_t v = u[4 + n];  // n + 4 <= len < end - p
  if (u[3 + n] != Tag(2, kLen) || n + 4 + v != len) return nullptr;
  labels->push_back({std::string_view(p + 3, n), std::string_view(p + 5 + n, v)});
  return p + 1 + len;
}

// A Sample `09 <8 bytes> 10 <varint>` of at most 127 bytes.
inline const char* CanonicalSample(const char* p, const char* end, std::vector<model::Sample>* samples) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  if (end - p < 12) return nullptr;
  const size_t len = u[0];
  if (len >= 0x80 || len >= static_cast<size_t>(end - p) || len < 11 || len > 20 ||
      u[1] != Tag(1, kFixed64) || u[10] != Tag(2, kVarint)) {
    return nullptr;
  }
  // The varint fills bytes 11..len exactly: continuation bits on all but the last.
  uint64_t t = 0;
  for (size_t i = 11, shift = 0; i <= len; ++i, shift += 7) {
    const uint64_t b = u[i];
    if ((b < 0x80) != (i == len)) return nullptr;
    t |= (b & 0x7f) << shift;
  }
  model::Sample& s = samples->emplace_back();
  std::memcpy(&s.value, p + 2, 8);
  s.timestamp_ms = static_cast<int64_t>(t);
  return p + 1 + len;
}

// Walks the protobuf bytes once. Sub-messages are parsed within their own
// bounds; every function returns false after recording the first error.
class Parser {
 public:
  Parser(const char* base, WriteRequestView* out) : base_(base), out_(out) {}

  bool WriteRequest(const char* p, const char* end);
  std::string TakeError() { return std::move(error_); }

 private:
  bool TimeSeries(const char* p, const char* end, int depth);
  bool Label(const char* p, const char* end, int depth, LabelView* label);
  bool Sample(const char* p, const char* end, int depth, model::Sample* sample);
  bool Metadata(const char* p, const char* end, int depth, MetadataView* md);
  bool Validate(const Schema& schema, const char* p, const char* end, int depth);

  // Primitive readers: advance `p` on success. `msg` names the message for
  // errors.
  bool ReadTag(const char*& p, const char* end, uint32_t* tag, const char* msg) {
    if (static_cast<uint8_t>(*p) < 0x80) [[likely]] {  // callers ensure p < end
      *tag = static_cast<uint8_t>(*p++);
      return true;
    }
    return ReadTagSlow(p, end, tag, msg);
  }
  bool ReadVarint(const char*& p, const char* end, uint64_t* v, const char* msg) {
    if (p < end && static_cast<uint8_t>(*p) < 0x80) [[likely]] {
      *v = static_cast<uint8_t>(*p++);
      return true;
    }
    return ReadVarintSlow(p, end, v, msg);
  }
  // A length prefix; the bytes it covers, [p, *sub_end), lie within `end`.
  bool ReadLength(const char*& p, const char* end, const char** sub_end, const char* msg) {
    uint64_t len;
    const char* at = p;
    if (p < end && static_cast<uint8_t>(*p) < 0x80) [[likely]] {
      len = static_cast<uint8_t>(*p++);
    } else if (!ReadLengthSlow(p, end, &len, msg)) {
      return false;
    }
    if (len > static_cast<uint64_t>(end - p)) [[unlikely]]
      return FailLength(at, msg, len, end, p);
    *sub_end = p + len;
    return true;
  }
  bool ReadFixed64(const char*& p, const char* end, uint64_t* v, const char* msg) {
    if (end - p < 8) [[unlikely]]
      return Fail(p, msg, "truncated fixed64");
    std::memcpy(v, p, 8);
    p += 8;
    return true;
  }

  // A varint of at most `max_bytes` bytes (bits past 64 dropped); `what`
  // ("tag", "varint", "length") names it in errors.
  bool ReadVarintN(const char*& p, const char* end, int max_bytes, uint64_t* v, const char* msg, const char* what);
  bool ReadTagSlow(const char*& p, const char* end, uint32_t* tag, const char* msg);
  bool ReadVarintSlow(const char*& p, const char* end, uint64_t* v, const char* msg);
  bool ReadLengthSlow(const char*& p, const char* end, uint64_t* len, const char* msg);
  // The field whose tag (read from `at`) precedes `p`, as an unknown field.
  bool SkipField(const char*& p, const char* end, uint32_t tag, const char* at, int depth, const char* msg);
  bool SkipGroup(const char*& p, const char* end, uint32_t start_tag, const char* at, int depth,
                 const char* msg);

  // Record the first error; always false. Out of line: the hot loops stay small.
  [[gnu::cold, gnu::noinline]] bool Fail(const char* at, const char* msg, const std::string& what);
  [[gnu::cold, gnu::noinline]] bool FailLength(const char* at, const char* msg, uint64_t len, const char* end,
                                               const char* p);

  const char* base_;
  WriteRequestView* out_;
  std::string error_;
};

bool Parser::Fail(const char* at, const char* msg, const std::string& what) {
  if (error_.empty()) error_ = "protobuf: offset " + std::to_string(at - base_) + ": " + what + " in " + msg;
  return false;
}

bool Parser::FailLength(const char* at, const char* msg, uint64_t len, const char* end, const char* p) {
  return Fail(at, msg,
              "length " + std::to_string(len) + " exceeds the " + std::to_string(end - p) + " bytes left");
}

bool Parser::ReadVarintN(const char*& p, const char* end, int max_bytes, uint64_t* v, const char* msg,
                         const char* what) {
  const char* at = p;
  uint64_t r = 0;
  for (int i = 0; i < max_bytes; ++i, ++p) {
    if (p == end) return Fail(at, msg, std::string("truncated ") + what);
    uint64_t b = static_cast<uint8_t>(*p);
    r |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      ++p;
      *v = r;
      return true;
    }
  }
  return Fail(at, msg, std::string(what) + " longer than " + std::to_string(max_bytes) + " bytes");
}

bool Parser::ReadTagSlow(const char*& p, const char* end, uint32_t* tag, const char* msg) {
  // Up to 5 bytes, the value taken modulo 2^32 (protobuf's ReadTag).
  uint64_t v = 0;
  if (!ReadVarintN(p, end, 5, &v, msg, "tag")) return false;
  *tag = static_cast<uint32_t>(v);
  return true;
}

bool Parser::ReadVarintSlow(const char*& p, const char* end, uint64_t* v, const char* msg) {
  // Up to 10 bytes, bits past 64 dropped (protobuf's VarintParse).
  return ReadVarintN(p, end, 10, v, msg, "varint");
}

bool Parser::ReadLengthSlow(const char*& p, const char* end, uint64_t* len, const char* msg) {
  // Up to 5 bytes and below 2^31 - 16 (protobuf's ReadSize).
  const char* at = p;
  uint64_t r = 0;
  if (!ReadVarintN(p, end, 5, &r, msg, "length")) return false;
  if (r > kMaxLength) return Fail(at, msg, "length " + std::to_string(r) + " too large");
  *len = r;
  return true;
}

bool Parser::SkipField(const char*& p, const char* end, uint32_t tag, const char* at, int depth,
                       const char* msg) {
  const uint32_t field = tag >> 3;
  const uint32_t wire = tag & 7;
  if (tag == 0) return Fail(at, msg, "tag 0");
  if (wire == kEndGroup)
    return Fail(at, msg, "end-group tag of field " + std::to_string(field) + " outside a group");
  if (field == 0) return Fail(at, msg, "field number 0");
  switch (wire) {
    case kVarint: {
      uint64_t v;
      return ReadVarint(p, end, &v, msg);
    }
    case kFixed64:
      if (end - p < 8) return Fail(p, msg, "truncated fixed64 in field " + std::to_string(field));
      p += 8;
      return true;
    case kLen: {
      const char* sub_end;
      if (!ReadLength(p, end, &sub_end, msg)) return false;
      p = sub_end;
      return true;
    }
    case kStartGroup:
      return SkipGroup(p, end, tag, at, depth, msg);
    case kFixed32:
      if (end - p < 4) return Fail(p, msg, "truncated fixed32 in field " + std::to_string(field));
      p += 4;
      return true;
    default:
      return Fail(at, msg, "field " + std::to_string(field) + ": invalid wire type " + std::to_string(wire));
  }
}

bool Parser::SkipGroup(const char*& p, const char* end, uint32_t start_tag, const char* at, int depth,
                       const char* msg) {
  if (--depth < 0) return Fail(at, msg, "nesting deeper than " + std::to_string(kRecursionLimit));
  const uint32_t field = start_tag >> 3;
  while (p < end) {
    const char* tag_at = p;
    uint32_t tag;
    if (!ReadTag(p, end, &tag, msg)) return false;
    if (tag == start_tag + 1) return true;  // the matching end-group tag
    if ((tag & 7) == kEndGroup) {
      return Fail(tag_at, msg,
                  "end-group tag of field " + std::to_string(tag >> 3) + " closes group of field " +
                      std::to_string(field));
    }
    if (tag == 0) return Fail(tag_at, msg, "tag 0 in group of field " + std::to_string(field));
    if (!SkipField(p, end, tag, tag_at, depth, msg)) return false;
  }
  return Fail(at, msg, "group of field " + std::to_string(field) + " not closed");
}

bool Parser::WriteRequest(const char* p, const char* end) {
  constexpr char kMsg[] = "WriteRequest";
  const int depth = kRecursionLimit;
  while (p < end) {
    const char* at = p;
    uint32_t tag;
    if (!ReadTag(p, end, &tag, kMsg)) return false;
    const char* sub_end;
    switch (tag) {
      case Tag(1, kLen):  // repeated TimeSeries timeseries
        if (!ReadLength(p, end, &sub_end, kMsg) || !TimeSeries(p, sub_end, depth - 1)) return false;
        p = sub_end;
        break;
      case Tag(3, kLen):  // repeated MetricMetadata metadata
        out_->metadata.emplace_back();
        if (!ReadLength(p, end, &sub_end, kMsg) || !Metadata(p, sub_end, depth - 1, &out_->metadata.back())) {
          return false;
        }
        p = sub_end;
        break;
      default:
        if (!SkipField(p, end, tag, at, depth, kMsg)) return false;
    }
  }
  return true;
}

// Known messages nest at most 4 deep (WriteRequest > TimeSeries > Histogram >
// BucketSpan), far from the recursion limit: only groups can reach it, so
// only SkipGroup checks `depth`.
bool Parser::TimeSeries(const char* p, const char* end, int depth) {
  constexpr char kMsg[] = "TimeSeries";
  std::vector<LabelView>& labels = out_->labels;
  std::vector<model::Sample>& samples = out_->samples;
  SeriesView series;
  series.labels_begin = static_cast<uint32_t>(labels.size());
  series.samples_begin = static_cast<uint32_t>(samples.size());
  while (p < end) {
    const char* at = p;
    uint32_t tag;
    if (!ReadTag(p, end, &tag, kMsg)) return false;
    const char* sub_end;
    switch (tag) {
      case Tag(1, kLen):  // repeated Label labels
        if (const char* next = CanonicalLabel(p, end, &labels)) [[likely]] {
          p = next;
          break;
        }
        if (!ReadLength(p, end, &sub_end, kMsg)) return false;
        labels.emplace_back();
        if (!Label(p, sub_end, depth - 1, &labels.back())) return false;
        p = sub_end;
        break;
      case Tag(2, kLen):  // repeated Sample samples
        if (const char* next = CanonicalSample(p, end, &samples)) [[likely]] {
          p = next;
          break;
        }
        if (!ReadLength(p, end, &sub_end, kMsg)) return false;
        samples.emplace_back();
        if (!Sample(p, sub_end, depth - 1, &samples.back())) return false;
        p = sub_end;
        break;
      case Tag(3, kLen):  // repeated Exemplar exemplars
        if (!ReadLength(p, end, &sub_end, kMsg) || !Validate(kExemplarSchema, p, sub_end, depth - 1))
          return false;
        ++series.exemplars;
        p = sub_end;
        break;
      case Tag(4, kLen):  // repeated Histogram histograms
        if (!ReadLength(p, end, &sub_end, kMsg) || !Validate(kHistogramSchema, p, sub_end, depth - 1))
          return false;
        ++series.histograms;
        p = sub_end;
        break;
      default:
        if (!SkipField(p, end, tag, at, depth, kMsg)) return false;
    }
  }
  series.labels_end = static_cast<uint32_t>(labels.size());
  series.samples_end = static_cast<uint32_t>(samples.size());
  out_->exemplar_count += series.exemplars;
  out_->histogram_count += series.histograms;
  out_->series.push_back(series);
  return true;
}

bool Parser::Label(const char* p, const char* end, int depth, LabelView* label) {
  constexpr char kMsg[] = "Label";
  while (p < end) {
    const char* at = p;
    uint32_t tag;
    if (!ReadTag(p, end, &tag, kMsg)) return false;
    const char* sub_end;
    switch (tag) {
      case Tag(1, kLen):  // bytes name
        if (!ReadLength(p, end, &sub_end, kMsg)) return false;
        label->name = std::string_view(p, static_cast<size_t>(sub_end - p));
        p = sub_end;
        break;
      case Tag(2, kLen):  // bytes value
        if (!ReadLength(p, end, &sub_end, kMsg)) return false;
        label->value = std::string_view(p, static_cast<size_t>(sub_end - p));
        p = sub_end;
        break;
      default:
        if (!SkipField(p, end, tag, at, depth, kMsg)) return false;
    }
  }
  return true;
}

bool Parser::Sample(const char* p, const char* end, int depth, model::Sample* sample) {
  constexpr char kMsg[] = "Sample";
  while (p < end) {
    const char* at = p;
    uint32_t tag;
    if (!ReadTag(p, end, &tag, kMsg)) return false;
    switch (tag) {
      case Tag(1, kFixed64): {  // double value, bit-exact
        uint64_t bits;
        if (!ReadFixed64(p, end, &bits, kMsg)) return false;
        std::memcpy(&sample->value, &bits, 8);
        break;
      }
      case Tag(2, kVarint): {  // int64 timestamp: two's complement in 10 bytes when negative
        uint64_t v;
        if (!ReadVarint(p, end, &v, kMsg)) return false;
        sample->timestamp_ms = static_cast<int64_t>(v);
        break;
      }
      default:
        if (!SkipField(p, end, tag, at, depth, kMsg)) return false;
    }
  }
  return true;
}

bool Parser::Metadata(const char* p, const char* end, int depth, MetadataView* md) {
  constexpr char kMsg[] = "MetricMetadata";
  while (p < end) {
    const char* at = p;
    uint32_t tag;
    if (!ReadTag(p, end, &tag, kMsg)) return false;
    const char* sub_end;
    std::string_view* str = nullptr;
    switch (tag) {
      case Tag(1, kVarint): {  // MetricType type: an open enum, kept as int32
        uint64_t v;
        if (!ReadVarint(p, end, &v, kMsg)) return false;
        md->type = static_cast<MetricType>(static_cast<int32_t>(static_cast<uint32_t>(v)));
        continue;
      }
      case Tag(2, kLen):
        str = &md->metric_family_name;
        break;
      case Tag(4, kLen):
        str = &md->help;
        break;
      case Tag(5, kLen):
        str = &md->unit;
        break;
      default:
        if (!SkipField(p, end, tag, at, depth, kMsg)) return false;
        continue;
    }
    if (!ReadLength(p, end, &sub_end, kMsg)) return false;
    *str = std::string_view(p, static_cast<size_t>(sub_end - p));
    p = sub_end;
  }
  return true;
}

bool Parser::Validate(const Schema& schema, const char* p, const char* end, int depth) {
  while (p < end) {
    const char* at = p;
    uint32_t tag;
    if (!ReadTag(p, end, &tag, schema.name)) return false;
    const FieldRule* rule = nullptr;
    if ((tag & 7) == kLen) {
      for (const FieldRule& r : schema.fields) {
        if (r.number == tag >> 3) rule = &r;
      }
    }
    if (rule == nullptr) {
      if (!SkipField(p, end, tag, at, depth, schema.name)) return false;
      continue;
    }
    const char* sub_end;
    if (!ReadLength(p, end, &sub_end, schema.name)) return false;
    switch (rule->kind) {
      case Kind::kMessage:
        if (!Validate(*rule->message, p, sub_end, depth - 1)) return false;
        break;
      case Kind::kPackedVarint:
        for (const char* q = p; q < sub_end;) {
          uint64_t v;
          if (!ReadVarint(q, sub_end, &v, schema.name)) return false;
        }
        break;
      case Kind::kPackedFixed64:
        if ((sub_end - p) % 8 != 0) {
          return Fail(at, schema.name,
                      "packed field " + std::to_string(rule->number) + ": length " +
                          std::to_string(sub_end - p) + " is not a multiple of 8");
        }
        break;
    }
    p = sub_end;
  }
  return true;
}

Status Parse(WriteRequestView* out) {
  const std::string& buf = out->buffer;
  if (buf.size() > static_cast<size_t>(INT32_MAX))
    return InvalidArgumentError("protobuf: request over 2 GiB");
  Parser parser(buf.data(), out);
  if (!parser.WriteRequest(buf.data(), buf.data() + buf.size()))
    return InvalidArgumentError(parser.TakeError());
  return OkStatus();
}

// Everything but the buffer.
void ClearParsed(WriteRequestView* out) {
  out->labels.clear();
  out->samples.clear();
  out->series.clear();
  out->metadata.clear();
  out->exemplar_count = 0;
  out->histogram_count = 0;
}

}  // namespace

void WriteRequestView::Clear() {
  buffer.clear();
  ClearParsed(this);
}

Status DecodeWriteRequestView(std::string_view body, const DecodeLimits& limits, WriteRequestView* out) {
  ClearParsed(out);
  size_t len = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &len)) {
    out->buffer.clear();
    return InvalidArgumentError("snappy: corrupt input");
  }
  if (len > limits.max_decoded_bytes) {
    out->buffer.clear();
    return ResourceExhaustedError("snappy: decoded length " + std::to_string(len) + " exceeds limit " +
                                  std::to_string(limits.max_decoded_bytes));
  }
  // Not cleared first: resize only zero-fills growth beyond the last request.
  out->buffer.resize(len);
  if (!snappy::RawUncompress(body.data(), body.size(), out->buffer.data())) {
    out->buffer.clear();
    return InvalidArgumentError("snappy: corrupt input");
  }
  return Parse(out);
}

Status ParseWriteRequestView(std::string_view protobuf_bytes, WriteRequestView* out) {
  ClearParsed(out);
  out->buffer.assign(protobuf_bytes.data(), protobuf_bytes.size());  // assign() allows aliasing
  return Parse(out);
}

}  // namespace cistern::remote
