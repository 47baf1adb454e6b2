#include "plugins/webvitals/beacon_handler.h"

#include <array>

#include "plugins/webvitals/device.h"

namespace cistern::plugins::webvitals {
namespace {

constexpr size_t kMaxListedRejections = 5;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

struct BeaconHandler::Metrics {
  explicit Metrics(obs::Registry* r) {
    requests =
        r->NewCounterFamily("cistern_webvitals_requests_total",
                            "Requests to the web-vitals beacon endpoint by response status code.", {"code"});
    auto* beacons =
        r->NewCounterFamily("cistern_webvitals_beacons_total",
                            "Web-vitals metrics accepted, by what they did: new (first report of an id), "
                            "updated (a repeat folded "
                            "into a pending id), late (a repeat after the id was counted: ignored).",
                            {"outcome"});
    new_id = beacons->With({"new"});
    updated = beacons->With({"updated"});
    late = beacons->With({"late"});
    auto* rejected_family = r->NewCounterFamily(
        "cistern_webvitals_rejected_total", "Web-vitals metrics or requests refused, by reason.", {"reason"});
    for (size_t i = 0; i < kRejectReasonCount; ++i) {
      rejected[i] = rejected_family->With({std::string(ReasonName(static_cast<RejectReason>(i)))});
    }
    overflow =
        r->NewCounter("cistern_webvitals_page_overflow_total",
                      "Web-vitals metrics whose page label became \"other\" because max_pages was reached.");
    evicted = r->NewCounter("cistern_webvitals_ids_evicted_total",
                            "Metric ids counted before they settled because max_ids ids were held.");
    auto* ids = r->NewGaugeFamily("cistern_webvitals_ids", "Metric ids held, by state.", {"state"});
    ids_pending = ids->With({"pending"});
    ids_observed = ids->With({"observed"});
    pages = r->NewGauge("cistern_webvitals_pages", "Distinct page labels in use (max_pages caps them).");
    series = r->NewGauge("cistern_webvitals_series", "Web-vitals histogram series.");
  }
  obs::Counter* Code(int code) {
    auto& c = codes[code];
    if (c == nullptr) c = requests->With({std::to_string(code)});
    return c;
  }
  obs::CounterFamily* requests;
  std::map<int, obs::Counter*> codes;
  obs::Counter* new_id;
  obs::Counter* updated;
  obs::Counter* late;
  std::array<obs::Counter*, kRejectReasonCount> rejected;
  obs::Counter* overflow;
  obs::Counter* evicted;
  obs::Gauge* ids_pending;
  obs::Gauge* ids_observed;
  obs::Gauge* pages;
  obs::Gauge* series;
};

BeaconHandler::BeaconHandler(HandlerOptions options, CorsPolicy cors, PageNormalizer pages,
                             obs::Registry* metrics)
    : options_(std::move(options)),
      cors_(std::move(cors)),
      normalizer_(std::move(pages)),
      metrics_(std::make_unique<Metrics>(metrics)),
      limiter_(options_.rate_limit_per_ip, options_.rate_limit_per_ip),
      pages_(options_.max_pages),
      ids_(options_.ids, &histograms_) {
  UpdateGauges();
}

BeaconHandler::~BeaconHandler() = default;

void BeaconHandler::CountRejected(RejectReason reason, double n) {
  metrics_->rejected[static_cast<size_t>(reason)]->Inc(n);
}

std::string BeaconHandler::ClientOf(const net::HttpRequest& req) const {
  if (!options_.client_ip_header.empty()) {
    if (const std::string* v = req.Header(options_.client_ip_header)) {
      std::string_view s = *v;
      if (net::EqualsIgnoreCase(options_.client_ip_header, "X-Forwarded-For")) {
        size_t comma = s.rfind(',');
        if (comma != std::string_view::npos) s = s.substr(comma + 1);
      }
      s = Trim(s);
      if (!s.empty()) return ClientKey(s);
    }
  }
  return ClientKey(req.remote_addr);
}

net::HttpResponse BeaconHandler::Finish(net::HttpResponse r, const std::string* origin, bool origin_allowed) {
  if (origin != nullptr && origin_allowed) CorsPolicy::AddResponseHeaders(*origin, &r.headers);
  metrics_->Code(r.status)->Inc();
  return r;
}

net::HttpResponse BeaconHandler::Handle(const net::HttpRequest& req, int64_t now_ms) {
  const std::string* origin = req.Header("Origin");
  bool origin_allowed = origin == nullptr || cors_.Allows(*origin);

  if (!limiter_.Allow(ClientOf(req), now_ms)) {
    CountRejected(RejectReason::kRateLimited);
    net::HttpResponse r = net::HttpResponse::Text(
        429, "webvitals: too many requests from this client (rate_limit_per_ip = " +
                 std::to_string(static_cast<long long>(options_.rate_limit_per_ip)) + "/s)\n");
    r.headers.push_back({"Retry-After", "1"});
    return Finish(std::move(r), origin, origin_allowed);
  }
  if (!origin_allowed) {
    CountRejected(RejectReason::kForbiddenOrigin);
    return Finish(
        net::HttpResponse::Text(403, "webvitals: origin \"" + *origin + "\" is not in allowed_origins\n"),
        origin, false);
  }
  if (req.method == "OPTIONS") {
    net::HttpResponse r;
    r.status = 204;
    if (origin != nullptr) {
      CorsPolicy::AddPreflightHeaders(*origin, req.headers, &r.headers);
      metrics_->Code(204)->Inc();
      return r;
    }
    r.headers.push_back({"Allow", "POST, OPTIONS"});
    return Finish(std::move(r), origin, origin_allowed);
  }
  if (req.body.size() > options_.max_body) {
    CountRejected(RejectReason::kBodyTooLarge);
    return Finish(net::HttpResponse::Text(413, "webvitals: body of " + std::to_string(req.body.size()) +
                                                   " bytes is larger than max_body (" +
                                                   std::to_string(options_.max_body) + " bytes)\n"),
                  origin, origin_allowed);
  }

  ParseResult parsed = parser_.Parse(req.body);
  if (!parsed.beacons.empty()) {
    const std::string* ua = req.Header("User-Agent");
    Device device = ClassifyDevice(ua ? std::string_view(*ua) : std::string_view());
    const std::string* referer_header = req.Header("Referer");
    std::string_view referer = referer_header ? std::string_view(*referer_header) : std::string_view();
    for (const Beacon& b : parsed.beacons) {
      const VitalSpec& spec = SpecOf(b.vital);
      bool overflow = false;
      SeriesKey key;
      key.vital = b.vital;
      key.page = pages_.Intern(normalizer_.Normalize(b.PageUrl(referer)), &overflow);
      key.navigation_type = b.navigation_type;
      key.device = device;
      if (overflow) metrics_->overflow->Inc();
      switch (ids_.Report(IdTracker::KeyOf(b.vital, b.id), key, b.value / spec.divisor, now_ms)) {
        case IdTracker::Outcome::kNew:
          metrics_->new_id->Inc();
          break;
        case IdTracker::Outcome::kUpdated:
          metrics_->updated->Inc();
          break;
        case IdTracker::Outcome::kLate:
          metrics_->late->Inc();
          break;
      }
    }
    if (ids_.evicted() != evicted_seen_) {
      metrics_->evicted->Inc(static_cast<double>(ids_.evicted() - evicted_seen_));
      evicted_seen_ = ids_.evicted();
    }
  }
  if (parsed.rejected.empty()) {
    net::HttpResponse r;
    r.status = 204;
    return Finish(std::move(r), origin, origin_allowed);
  }
  std::string msg;
  for (size_t i = 0; i < parsed.rejected.size(); ++i) {
    const Rejection& rej = parsed.rejected[i];
    CountRejected(rej.reason);
    if (i < kMaxListedRejections) msg += rej.message + "\n";
  }
  if (parsed.rejected.size() > kMaxListedRejections) {
    msg += "(and " + std::to_string(parsed.rejected.size() - kMaxListedRejections) + " more)\n";
  }
  if (parsed.batch) {
    msg += std::to_string(parsed.beacons.size()) + " of " + std::to_string(parsed.elements) +
           " metrics accepted\n";
  }
  return Finish(net::HttpResponse::Text(400, std::move(msg)), origin, origin_allowed);
}

void BeaconHandler::UpdateGauges() {
  metrics_->ids_pending->Set(static_cast<double>(ids_.pending()));
  metrics_->ids_observed->Set(static_cast<double>(ids_.size() - ids_.pending()));
  metrics_->pages->Set(static_cast<double>(pages_.pages()));
  metrics_->series->Set(static_cast<double>(histograms_.series()));
}

Status BeaconHandler::Flush(int64_t now_ms, int64_t timestamp_ms, storage::Appender& appender) {
  ids_.Sweep(now_ms);
  limiter_.Sweep(now_ms);
  UpdateGauges();
  return histograms_.Append(pages_, timestamp_ms, appender);
}

void BeaconHandler::ObserveAll() {
  ids_.ObserveAll();
  UpdateGauges();
}

}  // namespace cistern::plugins::webvitals
