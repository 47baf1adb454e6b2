#include "agent/model/labels.h"

#include <algorithm>
#include <cstring>

namespace cistern::model {
namespace {

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;  // continuation bytes
    if (c < 0x80) {
      n = 0;
    } else if ((c >> 5) == 0x6) {
      n = 1;
    } else if ((c >> 4) == 0xe) {
      n = 2;
    } else if ((c >> 3) == 0x1e) {
      n = 3;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n + 1;
  }
  return true;
}

// Hashes bytes 8 at a time (a multiply-xorshift mix in the style of
// wyhash/murmur). Deterministic across runs and builds.
inline uint64_t Mul(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline uint64_t Load32(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// wyhash-style: one multiply per 16 bytes, fixed-size loads only (label
// names and values are mostly short: no variable-length memcpy calls).
uint64_t Mix(uint64_t h, std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  h ^= n * 0x9e3779b97f4a7c15ULL;  // the length separates ("ab","c") from ("a","bc")
  if (n > 16) {
    while (n > 16) {
      h = Mul(Load64(p) ^ 0xa0761d6478bd642fULL, Load64(p + 8) ^ h);
      p += 16;
      n -= 16;
    }
    // The last 16 bytes, overlapping what was hashed already.
    return Mul(Load64(p + n - 16) ^ 0xe7037ed1a0b428dbULL, Load64(p + n - 8) ^ h);
  }
  uint64_t a, b;
  if (n >= 8) {
    a = Load64(p);
    b = Load64(p + n - 8);
  } else if (n >= 4) {
    a = Load32(p);
    b = Load32(p + n - 4);
  } else if (n > 0) {
    a = (static_cast<uint64_t>(static_cast<uint8_t>(p[0])) << 16) |
        (static_cast<uint64_t>(static_cast<uint8_t>(p[n >> 1])) << 8) | static_cast<uint8_t>(p[n - 1]);
    b = 0;
  } else {
    return h;
  }
  return Mul(a ^ 0xa0761d6478bd642fULL, b ^ h);
}

}  // namespace

Labels::Labels(std::initializer_list<Label> labels) : labels_(labels) {
  std::stable_sort(labels_.begin(), labels_.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
}

Labels Labels::FromUnsorted(std::vector<Label> labels) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  return FromSorted(std::move(labels));
}

std::string_view Labels::Get(std::string_view name) const {
  for (const Label& l : labels_) {
    if (l.name == name) return l.value;
  }
  return {};
}

bool Labels::Has(std::string_view name) const {
  for (const Label& l : labels_) {
    if (l.name == name) return true;
  }
  return false;
}

uint64_t Labels::Hash() const {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const Label& l : labels_) {
    h = Mix(h, l.name);
    h = Mix(h, l.value);
  }
  return Mul(h, 0x8ebc6af09c88c6e3ULL);
}

std::string Labels::ToString() const {
  std::string out(MetricName());
  out += '{';
  bool first = true;
  for (const Label& l : labels_) {
    if (l.name == kMetricName) continue;
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out += "=\"";
    for (char c : l.value) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Status Labels::Validate() const {
  for (size_t i = 0; i < labels_.size(); ++i) {
    const Label& l = labels_[i];
    if (!IsValidLabelName(l.name)) return InvalidArgumentError("invalid label name \"" + l.name + "\"");
    if (l.value.empty()) return InvalidArgumentError("label \"" + l.name + "\" has an empty value");
    if (!ValidUtf8(l.value)) return InvalidArgumentError("label \"" + l.name + "\" value is not valid utf-8");
    if (l.name == kMetricName && !IsValidMetricName(l.value)) {
      return InvalidArgumentError("invalid metric name \"" + l.value + "\"");
    }
    if (i > 0) {
      if (labels_[i - 1].name == l.name) return InvalidArgumentError("duplicate label name \"" + l.name + "\"");
      if (labels_[i - 1].name > l.name) return InvalidArgumentError("labels not sorted at \"" + l.name + "\"");
    }
  }
  return OkStatus();
}

void LabelsBuilder::Reset(const Labels& base) { labels_ = base.vec(); }

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels_.end() && it->name == name) {
    if (value.empty()) {
      labels_.erase(it);
    } else {
      it->value = std::string(value);
    }
  } else if (!value.empty()) {
    labels_.insert(it, Label{std::string(name), std::string(value)});
  }
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  for (const Label& l : labels_) {
    if (l.name == name) return l.value;
  }
  return {};
}

Labels LabelsBuilder::Build() const { return Labels::FromSorted(labels_); }

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace cistern::model
