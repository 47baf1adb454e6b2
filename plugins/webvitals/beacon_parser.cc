#include "plugins/webvitals/beacon_parser.h"

#include <simdjson.h>

#include <cmath>

#include "agent/base/float_format.h"

namespace cistern::plugins::webvitals {
namespace {

constexpr size_t kMaxIdBytes = 256;

std::string_view TypeName(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  switch (t) {
    case T::ARRAY:
      return "array";
    case T::OBJECT:
      return "object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE:
      return "number";
    case T::STRING:
      return "string";
    case T::BOOL:
      return "boolean";
    case T::NULL_VALUE:
      return "null";
  }
  return "value";
}

bool IsNumber(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  return t == T::INT64 || t == T::UINT64 || t == T::DOUBLE;
}

std::string JsonError(simdjson::error_code e) {
  switch (e) {
    case simdjson::EMPTY:
      return "body: empty";
    case simdjson::UTF8_ERROR:
      return "body: not valid UTF-8";
    case simdjson::NUMBER_ERROR:
      return "body: invalid JSON: a number is malformed or out of range";
    case simdjson::DEPTH_ERROR:
      return "body: invalid JSON: nested too deeply";
    case simdjson::CAPACITY:
      return "body: too large to parse";
    case simdjson::UNCLOSED_STRING:
    case simdjson::STRING_ERROR:
    case simdjson::UNESCAPED_CHARS:
      return "body: invalid JSON: malformed string";
    case simdjson::TAPE_ERROR:
      return "body: invalid JSON: bad structure (commas, braces, brackets or quotes)";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "body: invalid JSON: unexpected characters";
    default:
      break;
  }
  std::string m = simdjson::error_message(e);
  if (!m.empty() && m[0] >= 'A' && m[0] <= 'Z') m[0] = static_cast<char>(m[0] - 'A' + 'a');
  return "body: invalid JSON: " + m;
}

// Short, printable rendering of a rejected string for messages.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  size_t n = 0;
  for (char c : s) {
    if (++n > 32) {
      out += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f || c == '"' || c == '\\') ? '?' : c;
  }
  return out + "\"";
}

class ObjectReader {
 public:
  ObjectReader(simdjson::dom::object obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  // Reads one metric object into *out; false (and *why) on the first problem.
  bool Read(Beacon* out, Rejection* why) {
    simdjson::dom::element e;
    // name
    if (!Find("name", &e)) return Fail(why, RejectReason::kInvalidField, "name: missing");
    std::string_view name;
    if (e.get_string().get(name) != simdjson::SUCCESS) return WrongType(why, "name", "a string", e);
    auto vital = VitalFromName(name);
    if (!vital) {
      return Fail(why, RejectReason::kUnknownMetric,
                  "name: unknown metric " + Quote(name) + " (known: LCP, INP, CLS, FCP, TTFB, FID)");
    }
    out->vital = *vital;
    const VitalSpec& spec = SpecOf(*vital);
    // value
    if (!Find("value", &e)) return Fail(why, RejectReason::kInvalidField, "value: missing");
    if (!IsNumber(e.type())) return WrongType(why, "value", "a number", e);
    double v = 0;
    if (e.get_double().get(v) != simdjson::SUCCESS || !std::isfinite(v)) {
      return Fail(why, RejectReason::kInvalidValue, "value: not a finite number");
    }
    if (v < 0) return Fail(why, RejectReason::kInvalidValue, "value: negative (" + FormatFloatG(v) + ")");
    if (v > spec.max_value) {
      return Fail(why, RejectReason::kInvalidValue,
                  "value: " + FormatFloatG(v) + " is larger than " + FormatFloatG(spec.max_value) + " for " +
                      std::string(spec.name));
    }
    out->value = v;
    // id
    if (!Find("id", &e)) return Fail(why, RejectReason::kInvalidField, "id: missing");
    std::string_view id;
    if (e.get_string().get(id) != simdjson::SUCCESS) return WrongType(why, "id", "a string", e);
    if (id.empty()) return Fail(why, RejectReason::kInvalidField, "id: empty");
    if (id.size() > kMaxIdBytes) {
      return Fail(why, RejectReason::kInvalidField,
                  "id: longer than " + std::to_string(kMaxIdBytes) + " bytes");
    }
    out->id.assign(id);
    // delta
    if (Find("delta", &e)) {
      if (!IsNumber(e.type())) return WrongType(why, "delta", "a number", e);
      double d = 0;
      if (e.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d)) {
        return Fail(why, RejectReason::kInvalidValue, "delta: not a finite number");
      }
    }
    // rating
    if (Find("rating", &e)) {
      std::string_view r;
      if (e.get_string().get(r) != simdjson::SUCCESS) return WrongType(why, "rating", "a string", e);
      if (!RatingFromName(r)) {
        return Fail(why, RejectReason::kInvalidField,
                    "rating: expected good, needs-improvement or poor, got " + Quote(r));
      }
    }
    // navigationType
    out->navigation_type = NavigationType::kUnknown;
    if (Find("navigationType", &e)) {
      std::string_view t;
      if (e.get_string().get(t) != simdjson::SUCCESS) return WrongType(why, "navigationType", "a string", e);
      out->navigation_type = NavigationTypeFromName(t);
    }
    // URLs
    out->navigation_url.clear();
    if (!OptionalString("navigationURL", &out->navigation_url, why)) return false;
    out->page_url.clear();
    for (const char* key : {"page", "url", "page_location"}) {
      std::string s;
      if (!OptionalString(key, &s, why)) return false;
      if (out->page_url.empty() && !s.empty()) out->page_url = std::move(s);
    }
    return true;
  }

 private:
  bool Find(std::string_view key, simdjson::dom::element* out) {
    return obj_.at_key(key).get(*out) == simdjson::SUCCESS;
  }

  bool OptionalString(std::string_view key, std::string* out, Rejection* why) {
    simdjson::dom::element e;
    if (!Find(key, &e)) return true;
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return WrongType(why, key, "a string", e);
    out->assign(s);
    return true;
  }

  bool Fail(Rejection* why, RejectReason reason, std::string message) {
    why->reason = reason;
    why->message = where_ + message;
    return false;
  }

  bool WrongType(Rejection* why, std::string_view field, std::string_view expected,
                 simdjson::dom::element e) {
    return Fail(why, RejectReason::kInvalidField,
                std::string(field) + ": expected " + std::string(expected) + ", got " +
                    std::string(TypeName(e.type())));
  }

  simdjson::dom::object obj_;
  std::string where_;  // "" or "[3]."
};

}  // namespace

std::string_view Beacon::PageUrl(std::string_view referer) const {
  if (!page_url.empty()) return page_url;
  if (!navigation_url.empty()) return navigation_url;
  return referer;
}

struct BeaconParser::Impl {
  simdjson::dom::parser parser;
};

BeaconParser::BeaconParser(size_t max_metrics) : impl_(std::make_unique<Impl>()), max_metrics_(max_metrics) {}
BeaconParser::~BeaconParser() = default;

ParseResult BeaconParser::Parse(std::string_view body) {
  ParseResult result;
  simdjson::dom::element doc;
  // realloc_if_needed: the body has no padding, simdjson copies it.
  simdjson::error_code err = impl_->parser.parse(body.data(), body.size(), true).get(doc);
  if (err != simdjson::SUCCESS) {
    result.rejected.push_back({RejectReason::kInvalidJson, JsonError(err)});
    return result;
  }
  // index < 0: the body itself is the object.
  auto read_one = [&](simdjson::dom::element e, long index) {
    std::string at = index < 0 ? "" : "[" + std::to_string(index) + "]";
    simdjson::dom::object obj;
    if (e.get_object().get(obj) != simdjson::SUCCESS) {
      result.rejected.push_back({RejectReason::kInvalidJson, (at.empty() ? "body" : at) +
                                                                 ": expected a metric object, got " +
                                                                 std::string(TypeName(e.type()))});
      return;
    }
    Beacon b;
    Rejection why;
    if (ObjectReader(obj, at.empty() ? "" : at + ".").Read(&b, &why)) {
      result.beacons.push_back(std::move(b));
    } else {
      result.rejected.push_back(std::move(why));
    }
  };
  simdjson::dom::array array;
  if (doc.get_array().get(array) != simdjson::SUCCESS) {
    result.elements = 1;
    read_one(doc, -1);
    return result;
  }
  result.batch = true;
  result.elements = array.size();
  if (array.size() > max_metrics_) {
    result.rejected.push_back({RejectReason::kTooManyMetrics,
                               "body: " + std::to_string(array.size()) + " metrics in one array, at most " +
                                   std::to_string(max_metrics_) + " are taken"});
    return result;
  }
  long i = 0;
  for (simdjson::dom::element e : array) read_one(e, i++);
  return result;
}

}  // namespace cistern::plugins::webvitals
