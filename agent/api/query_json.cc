#include "agent/api/query_json.h"

#include <cmath>
#include <cstdlib>

#include "agent/base/float_format.h"

namespace cistern::api {


void AppendApiTimestamp(std::string* out, int64_t ms) {
  uint64_t abs = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) out->push_back('-');
  out->append(std::to_string(abs / 1000));
  unsigned frac = static_cast<unsigned>(abs % 1000);
  if (frac == 0) return;
  char digits[4] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                    static_cast<char>('0' + frac % 10), 0};
  size_t n = 3;
  while (digits[n - 1] == '0') --n;
  out->push_back('.');
  out->append(digits, n);
}

void AppendPointTimestamp(std::string* out, int64_t ms) {
  uint64_t abs = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) out->push_back('-');
  out->append(std::to_string(abs / 1000));
  unsigned frac = static_cast<unsigned>(abs % 1000);
  if (frac == 0) return;
  char digits[5] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                    static_cast<char>('0' + frac % 10), 0};
  out->append(digits, 4);
}

void AppendPointValue(std::string* out, double v) {
  out->push_back('"');
  double abs = std::fabs(v);
  // 'g' equals Go's 'e' -1 in these ranges (the exponent is < -4 or >= 21).
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21) && !std::isinf(abs)) {
    AppendFloatG(out, v);
  } else {
    out->append(FormatFloatF(v));
  }
  out->push_back('"');
}

void AppendLabelsJson(std::string* out, const model::Labels& labels) {
  out->push_back('{');
  bool first = true;
  for (const model::Label& l : labels) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, l.name);
    out->push_back(':');
    AppendJsonString(out, l.value);
  }
  out->push_back('}');
}

void AppendStringArray(std::string* out, const std::vector<std::string>& values) {
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, values[i]);
  }
  out->push_back(']');
}

namespace {

void AppendPoint(std::string* out, int64_t t, double v) {
  out->push_back('[');
  AppendPointTimestamp(out, t);
  out->push_back(',');
  AppendPointValue(out, v);
  out->push_back(']');
}

struct DataWriter {
  std::string* out;
  void operator()(const std::monostate&) const { out->append("{\"resultType\":\"none\",\"result\":null}"); }
  void operator()(const promql::ScalarValue& s) const {
    out->append("{\"resultType\":\"scalar\",\"result\":[");
    AppendApiTimestamp(out, s.t);
    out->append(",\"");
    out->append(FormatFloatF(s.v));
    out->append("\"]}");
  }
  void operator()(const promql::StringValue& s) const {
    out->append("{\"resultType\":\"string\",\"result\":[");
    AppendApiTimestamp(out, s.t);
    out->push_back(',');
    AppendJsonString(out, s.v);
    out->append("]}");
  }
  void operator()(const promql::Vector& vec) const {
    out->append("{\"resultType\":\"vector\",\"result\":[");
    for (size_t i = 0; i < vec.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append("{\"metric\":");
      AppendLabelsJson(out, vec[i].metric);
      out->append(",\"value\":");
      AppendPoint(out, vec[i].t, vec[i].v);
      out->push_back('}');
    }
    out->append("]}");
  }
  void operator()(const promql::Matrix& m) const {
    out->append("{\"resultType\":\"matrix\",\"result\":[");
    for (size_t i = 0; i < m.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append("{\"metric\":");
      AppendLabelsJson(out, m[i].metric);
      out->append(",\"values\":[");
      for (size_t j = 0; j < m[i].points.size(); ++j) {
        if (j > 0) out->push_back(',');
        AppendPoint(out, m[i].points[j].t, m[i].points[j].v);
      }
      out->append("]}");
    }
    out->append("]}");
  }
};

}  // namespace

std::string QueryDataJson(const promql::Value& value) {
  std::string out;
  std::visit(DataWriter{&out}, value);
  return out;
}

std::string SuccessJson(std::string_view data_json, const std::vector<std::string>& warnings) {
  std::string out;
  out.reserve(data_json.size() + 40);
  out.append("{\"status\":\"success\",\"data\":");
  out.append(data_json);
  if (!warnings.empty()) {
    out.append(",\"warnings\":");
    AppendStringArray(&out, warnings);
  }
  out.push_back('}');
  return out;
}

std::string ErrorJson(std::string_view error_type, std::string_view message) {
  std::string out = "{\"status\":\"error\",\"errorType\":";
  AppendJsonString(&out, error_type);
  out.append(",\"error\":");
  AppendJsonString(&out, message);
  out.push_back('}');
  return out;
}

}  // namespace cistern::api
