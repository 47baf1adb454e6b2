// The informational endpoints: /api/v1/status/*, /api/v1/metadata, and the
// rules, alerts and targets lists (empty until those subsystems exist).
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include "agent/api/query_api.h"
#include "agent/api/query_json.h"
#include "agent/api/query_response.h"
#include "agent/base/float_format.h"
#include "agent/base/units.h"
#include "agent/promql/go_quote.h"

namespace cistern::api {
namespace {

// Go's time.Time JSON form (RFC 3339 with nanoseconds, zeros trimmed), UTC.
std::string GoTimeJson(int64_t unix_ns) {
  int64_t secs = unix_ns >= 0 ? unix_ns / 1'000'000'000 : (unix_ns - 999'999'999) / 1'000'000'000;
  int64_t nanos = unix_ns - secs * 1'000'000'000;
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[48];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = std::string("\"") + buf;
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(nanos));
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z\"";
}

// Number of threads of this process (what Prometheus reports as goroutines).
int ThreadCount() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  return 0;
}

// strconv.Atoi's acceptance: optional sign, decimal digits.
bool IsGoInt(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool IsSecretKey(std::string key) {
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (key.size() >= 5 && key.compare(key.size() - 5, 5, "_file") == 0)
    return false;  // a path, not the secret
  return key.find("password") != std::string::npos || key.find("token") != std::string::npos ||
         key.find("secret") != std::string::npos || key == "authorization" || key == "dsn";
}

}  // namespace

// Replaces quoted values of secret-looking keys (password, *token*, *secret*,
// Authorization, dsn; not *_file) in TOML text with "<secret>", as Prometheus
// prints <secret> in its configuration page.
std::string RedactTomlSecrets(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '#') {  // comment to the end of the line
      size_t nl = text.find('\n', i);
      size_t end = nl == std::string_view::npos ? text.size() : nl;
      out.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    if (c == '"' || c == '\'') {  // a string not following a secret key: copied
      size_t j = i + 1;
      while (j < text.size() && text[j] != c && text[j] != '\n') j += (c == '"' && text[j] == '\\') ? 2 : 1;
      j = std::min(j + 1, text.size());
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' || text[j] == '-'))
      ++j;
    std::string key(text.substr(i, j - i));
    out.append(key);
    i = j;
    size_t k = i;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
    if (k >= text.size() || text[k] != '=' || !IsSecretKey(key)) continue;
    ++k;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
    if (k >= text.size() || (text[k] != '"' && text[k] != '\'')) continue;
    char q = text[k];
    size_t e = k + 1;
    while (e < text.size() && text[e] != q && text[e] != '\n') e += (q == '"' && text[e] == '\\') ? 2 : 1;
    out.append(text.substr(i, k - i));
    out.push_back(q);
    out.append("<secret>");
    out.push_back(q);
    i = std::min(e + 1, text.size());
  }
  return out;
}

net::HttpResponse QueryApi::Metadata(const Request& r) {
  std::string_view limit = r.form.Value("limit");
  if (!limit.empty() && !IsGoInt(limit)) return ApiError(kBadData, "limit must be a number");
  return ApiSuccess("{}");  // no metadata is kept yet
}

net::HttpResponse QueryApi::BuildInfoPage(const Request&) {
  const BuildInfo& b = options_.build;
  std::string data = "{\"version\":";
  AppendJsonString(&data, b.version);
  data += ",\"revision\":";
  AppendJsonString(&data, b.revision);
  data += ",\"branch\":";
  AppendJsonString(&data, b.branch);
  data += ",\"buildUser\":";
  AppendJsonString(&data, b.build_user);
  data += ",\"buildDate\":";
  AppendJsonString(&data, b.build_date);
  data += ",\"goVersion\":";
  AppendJsonString(&data, b.go_version);
  data += "}";
  return ApiSuccess(data);
}

net::HttpResponse QueryApi::ConfigPage(const Request&) {
  std::string data = "{\"yaml\":";
  AppendJsonString(&data, options_.config_text ? RedactTomlSecrets(options_.config_text()) : std::string());
  data += "}";
  return ApiSuccess(data);
}

net::HttpResponse QueryApi::FlagsPage(const Request&) {
  std::string data = "{";
  for (const auto& [k, v] : options_.flags) {
    if (data.size() > 1) data.push_back(',');
    AppendJsonString(&data, k);
    data.push_back(':');
    AppendJsonString(&data, v);
  }
  data += "}";
  return ApiSuccess(data);
}

net::HttpResponse QueryApi::RuntimeInfoPage(const Request&) {
  RuntimeState state = options_.runtime_state ? options_.runtime_state() : RuntimeState{};
  int64_t config_ns = state.last_config_time_ms > 0 ? state.last_config_time_ms / 1000 * 1'000'000'000
                                                    : start_ns_ / 1'000'000'000 * 1'000'000'000;
  char cwd[4096];
  std::string dir = getcwd(cwd, sizeof cwd) != nullptr ? cwd : "<error retrieving current working directory>";
  std::string data = "{\"startTime\":" + GoTimeJson(start_ns_) + ",\"CWD\":";
  AppendJsonString(&data, dir);
  data += ",\"reloadConfigSuccess\":";
  data += state.reload_config_success ? "true" : "false";
  data += ",\"lastConfigTime\":" + GoTimeJson(config_ns);
  data += ",\"corruptionCount\":" + std::to_string(state.corruption_count);
  data += ",\"goroutineCount\":" + std::to_string(ThreadCount());
  data += ",\"GOMAXPROCS\":" + std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  data += ",\"GOGC\":\"\",\"GODEBUG\":\"\",\"storageRetention\":";
  AppendJsonString(&data, options_.storage_retention);
  data += "}";
  return ApiSuccess(data);
}

net::HttpResponse QueryApi::TsdbPage(const Request&) {
  if (options_.tsdb_status) {
    auto data = options_.tsdb_status();
    if (!data.ok()) return ApiError(kInternal, data.status().message());
    return ApiSuccess(*data);
  }
  HeadSummary head = options_.head_summary ? options_.head_summary() : HeadSummary{};
  uint64_t pairs = 0;
  if (head.min_time <= head.max_time) {
    auto opened = store_->NewQuerier(head.min_time, head.max_time);
    if (!opened.ok()) return ApiError(kInternal, opened.status().message());
    std::unique_ptr<storage::Querier> q = std::move(*opened);
    auto names = q->LabelNames({});
    if (!names.ok()) return ApiError(kInternal, names.status().message());
    for (const std::string& n : *names) {
      auto values = q->LabelValues(n, {});
      if (!values.ok()) return ApiError(kInternal, values.status().message());
      pairs += values->size();
    }
    q->Close().IgnoreError();
  }
  std::string data =
      "{\"headStats\":{\"numSeries\":" + std::to_string(head.num_series) +
      ",\"numLabelPairs\":" + std::to_string(pairs) + ",\"chunkCount\":" + std::to_string(head.chunk_count) +
      ",\"minTime\":" + std::to_string(head.min_time) + ",\"maxTime\":" + std::to_string(head.max_time) +
      "},\"seriesCountByMetricName\":[],\"labelValueCountByLabelName\":[],"
      "\"memoryInBytesByLabelName\":[],\"seriesCountByLabelValuePair\":[]}";
  return ApiSuccess(data);
}

net::HttpResponse QueryApi::Rules(const Request& r) {
  std::string type(r.form.Value("type"));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!type.empty() && type != "alert" && type != "record")
    return InvalidParam("type", "not supported value " + promql::GoQuote(type));
  return ApiSuccess("{\"groups\":[]}");  // no rule engine yet
}

net::HttpResponse QueryApi::Alerts(const Request&) { return ApiSuccess("{\"alerts\":[]}"); }

// The inputs as active targets, in Prometheus' shape. `state=` filters like
// Prometheus' (active, dropped, any).
net::HttpResponse QueryApi::Targets(const Request& r) {
  std::string state(r.form.Value("state"));
  for (char& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool active = state.empty() || state == "any" || state == "active";
  std::string out = "{\"activeTargets\":[";
  if (active && options_.targets) {
    bool first = true;
    for (const TargetInfo& t : options_.targets()) {
      if (!first) out += ',';
      first = false;
      out += "{\"discoveredLabels\":";
      AppendLabelsJson(&out, model::LabelsBuilder(t.labels).Set("__address__", t.url).Build());
      out += ",\"labels\":";
      AppendLabelsJson(&out, t.labels);
      out += ",\"scrapePool\":";
      AppendJsonString(&out, t.pool);
      out += ",\"scrapeUrl\":";
      AppendJsonString(&out, t.url);
      out += ",\"globalUrl\":";
      AppendJsonString(&out, t.url);
      out += ",\"lastError\":";
      AppendJsonString(&out, t.last_error);
      out += ",\"lastScrape\":";
      out += t.last_scrape_ms == 0 ? "\"0001-01-01T00:00:00Z\"" : GoTimeJson(t.last_scrape_ms * 1'000'000);
      out += ",\"lastScrapeDuration\":" + FormatFloatG(t.last_duration_seconds);
      out += ",\"health\":";
      AppendJsonString(&out, t.health);
      out += ",\"scrapeInterval\":";
      AppendJsonString(&out, FormatDuration(std::chrono::milliseconds(t.interval_ms)));
      out += ",\"scrapeTimeout\":";
      AppendJsonString(&out, FormatDuration(std::chrono::milliseconds(t.interval_ms)));
      out += '}';
    }
  }
  out += "],\"droppedTargets\":[]}";
  return ApiSuccess(out);
}

}  // namespace cistern::api
