// The endpoints that read the store through a Querier without the engine:
// /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values, /federate.
// Worker threads only.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "agent/api/query_api.h"
#include "agent/api/query_response.h"
#include "agent/base/float_format.h"
#include "agent/model/sample.h"
#include "agent/promql/go_quote.h"
#include "agent/promql/parser.h"

namespace cistern::api {
namespace {

// A Querier closed when it goes out of scope.
class ScopedQuerier {
 public:
  explicit ScopedQuerier(std::unique_ptr<storage::Querier> q) : q_(std::move(q)) {}
  ~ScopedQuerier() {
    if (q_) q_->Close().IgnoreError();
  }
  storage::Querier* operator->() { return q_.get(); }

 private:
  std::unique_ptr<storage::Querier> q_;
};

constexpr size_t kCancelCheckEvery = 1024;

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

std::string StringArray(const std::vector<std::string>& v) {
  std::string out;
  AppendStringArray(&out, v);
  return out;
}

// expfmt's writeFloat: 'g' -1, with 0 (also -0), 1 and -1 short.
void AppendTextFloat(std::string* out, double v) {
  if (v == 0) {
    out->push_back('0');
  } else if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    AppendFloatG(out, v);
  }
}

void AppendTextLabelValue(std::string* out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

net::HttpResponse TextError(int status, const std::string& message) {
  net::HttpResponse r = net::HttpResponse::Text(status, message + "\n");
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  return r;
}

// start and end of the store endpoints (default: all time), or the error.
std::optional<net::HttpResponse> ParseStartEnd(const Form& form, int64_t* start_ms, int64_t* end_ms) {
  auto start = ParseApiTimeParam(form, "start", kApiMinTimeMs);
  if (!start.ok()) return InvalidParam("start", start.status().message());
  auto end = ParseApiTimeParam(form, "end", kApiMaxTimeMs);
  if (!end.ok()) return InvalidParam("end", end.status().message());
  *start_ms = *start;
  *end_ms = *end;
  return std::nullopt;
}

}  // namespace

net::HttpResponse QueryApi::Series(const Request& r) {
  std::vector<std::string> match = r.form.Values("match[]");
  if (match.empty()) return ApiError(kBadData, "no match[] parameter provided");
  int64_t start_ms = 0, end_ms = 0;
  if (auto bad = ParseStartEnd(r.form, &start_ms, &end_ms)) return *bad;
  auto sets = ParseMatcherSets(match);
  if (!sets.ok()) return InvalidParam("match[]", sets.status().message());
  auto opened = store_->NewQuerier(start_ms, end_ms);
  if (!opened.ok()) return ApiError(kExecution, opened.status().message());
  ScopedQuerier q(std::move(*opened));
  storage::SelectHints hints;
  hints.start_ms = start_ms;
  hints.end_ms = end_ms;
  hints.func = "series";  // no samples needed
  std::vector<model::Labels> found;
  std::vector<std::string> warnings;
  for (const auto& set : *sets) {
    auto ss = q->Select(true, &hints, set);
    while (ss->Next()) {
      found.push_back(ss->At()->Labels());
      if (found.size() % kCancelCheckEvery == 0 && cancel_.load())
        return ApiError(kCanceled, "query canceled");
    }
    for (std::string& w : ss->Warnings()) warnings.push_back(std::move(w));
    if (Status s = ss->Err(); !s.ok()) return ApiError(kExecution, s.message());
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::string data = "[";
  for (size_t i = 0; i < found.size(); ++i) {
    if (i > 0) data.push_back(',');
    AppendLabelsJson(&data, found[i]);
  }
  data.push_back(']');
  return ApiSuccess(data, warnings);
}

net::HttpResponse QueryApi::LabelNames(const Request& r) {
  int64_t start_ms = 0, end_ms = 0;
  if (auto bad = ParseStartEnd(r.form, &start_ms, &end_ms)) return *bad;
  auto sets = ParseMatcherSets(r.form.Values("match[]"));
  if (!sets.ok()) return ApiError(kBadData, sets.status().message());
  auto opened = store_->NewQuerier(start_ms, end_ms);
  if (!opened.ok()) return ApiError(kExecution, opened.status().message());
  ScopedQuerier q(std::move(*opened));
  std::vector<std::string> names;
  if (sets->empty()) sets->emplace_back();  // all series
  for (const auto& set : *sets) {
    auto got = q->LabelNames(set);
    if (!got.ok()) return ApiError(kExecution, got.status().message());
    names.insert(names.end(), got->begin(), got->end());
  }
  SortUnique(&names);
  return ApiSuccess(StringArray(names));
}

net::HttpResponse QueryApi::LabelValues(const Request& r) {
  // The route is the prefix /api/v1/label/; the rest must be <name>/values.
  constexpr std::string_view kPrefix = "/api/v1/label/", kSuffix = "/values";
  std::string_view rest = r.path;
  if (rest.rfind(kPrefix, 0) == 0) rest.remove_prefix(kPrefix.size());
  if (rest.size() <= kSuffix.size() || rest.substr(rest.size() - kSuffix.size()) != kSuffix)
    return net::HttpResponse::Text(404, "404 page not found\n");
  std::string_view name = rest.substr(0, rest.size() - kSuffix.size());
  if (name.find('/') != std::string_view::npos) return net::HttpResponse::Text(404, "404 page not found\n");
  if (!model::IsValidLabelName(name))
    return ApiError(kBadData, "invalid label name: " + promql::GoQuote(name));
  int64_t start_ms = 0, end_ms = 0;
  if (auto bad = ParseStartEnd(r.form, &start_ms, &end_ms)) return *bad;
  auto sets = ParseMatcherSets(r.form.Values("match[]"));
  if (!sets.ok()) return ApiError(kBadData, sets.status().message());
  auto opened = store_->NewQuerier(start_ms, end_ms);
  if (!opened.ok()) return ApiError(kExecution, opened.status().message());
  ScopedQuerier q(std::move(*opened));
  std::vector<std::string> values;
  if (sets->empty()) sets->emplace_back();
  for (const auto& set : *sets) {
    auto got = q->LabelValues(name, set);
    if (!got.ok()) return ApiError(kExecution, got.status().message());
    values.insert(values.end(), got->begin(), got->end());
  }
  SortUnique(&values);
  return ApiSuccess(StringArray(values));
}

// Prometheus' web/federate.go: the latest sample of every matching series
// within the lookback window before now (stale markers dropped), sorted by
// metric name, in the text format with "# TYPE <name> untyped", the
// external labels (and instance="") added where the series lacks them, and
// timestamps in milliseconds.
net::HttpResponse QueryApi::Federate(const Request& r) {
  std::vector<std::vector<storage::LabelMatcher>> sets;
  for (const std::string& s : r.form.Values("match[]")) {
    auto m = promql::ParseMetricSelector(s);
    if (!m.ok()) return TextError(400, m.status().message());
    sets.push_back(std::move(*m));
  }
  net::HttpResponse resp;
  resp.headers.push_back({"Content-Type", "text/plain; version=0.0.4; charset=utf-8"});
  if (sets.empty()) return resp;
  int64_t maxt = r.now_ms, mint = r.now_ms - options_.lookback_delta_ms;
  auto opened = store_->NewQuerier(mint, maxt);
  if (!opened.ok()) return TextError(500, opened.status().message());
  ScopedQuerier q(std::move(*opened));
  storage::SelectHints hints;
  hints.start_ms = mint;
  hints.end_ms = maxt;
  std::map<model::Labels, model::Sample> latest;  // de-duplicates across match[]
  for (const auto& set : sets) {
    auto ss = q->Select(true, &hints, set);
    while (ss->Next()) {
      const auto& series = ss->At();
      if (latest.count(series->Labels())) continue;
      auto it = series->Iterator();
      bool found = false;
      model::Sample last;
      for (bool ok = it->Seek(mint); ok && it->At().timestamp_ms <= maxt; ok = it->Next()) {
        last = it->At();
        found = true;
      }
      if (Status s = it->Err(); !s.ok()) return TextError(500, s.message());
      if (found && !model::IsStaleNaN(last.value)) latest.emplace(series->Labels(), last);
      if (latest.size() % kCancelCheckEvery == 0 && cancel_.load()) return TextError(503, "query canceled");
    }
    if (Status s = ss->Err(); !s.ok()) return TextError(500, s.message());
  }
  std::vector<const std::pair<const model::Labels, model::Sample>*> order;
  for (const auto& e : latest)
    if (!e.first.MetricName().empty()) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->first.MetricName() < b->first.MetricName();
  });
  std::vector<std::pair<std::string_view, std::string_view>> external;
  for (const model::Label& l : options_.external_labels) external.emplace_back(l.name, l.value);
  if (!options_.external_labels.Has("instance")) external.emplace_back("instance", "");
  std::sort(external.begin(), external.end());
  std::string& out = resp.body;
  std::string_view family;
  for (const auto* e : order) {
    const model::Labels& labels = e->first;
    std::string_view name = labels.MetricName();
    if (name != family) {
      out.append("# TYPE ").append(name).append(" untyped\n");
      family = name;
    }
    out.append(name).push_back('{');
    bool first = true;
    auto add = [&](std::string_view n, std::string_view v) {
      if (!first) out.push_back(',');
      first = false;
      out.append(n).append("=\"");
      AppendTextLabelValue(&out, v);
      out.push_back('"');
    };
    for (const model::Label& l : labels)
      if (l.name != model::kMetricName && !l.value.empty()) add(l.name, l.value);
    for (const auto& [n, v] : external)
      if (!labels.Has(n)) add(n, v);
    out.append("} ");
    AppendTextFloat(&out, e->second.value);
    out.push_back(' ');
    out.append(std::to_string(e->second.timestamp_ms)).push_back('\n');
  }
  return resp;
}

}  // namespace cistern::api
