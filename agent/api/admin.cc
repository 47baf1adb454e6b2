#include "agent/api/admin.h"

#include <memory>

#include "agent/api/query_params.h"
#include "agent/base/json.h"
#include "agent/loop/handle.h"
#include "agent/promql/parser.h"

namespace cistern::api {
namespace {

net::HttpResponse Error(int status, const char* type, const std::string& message) {
  return net::HttpResponse::Json(status, "{\"status\":\"error\",\"errorType\":\"" + std::string(type) +
                                             "\",\"error\":" + JsonString(message) + "}");
}

net::HttpResponse NoContent() {
  net::HttpResponse r;
  r.status = 204;
  return r;
}

// Runs `work` on the thread pool and answers 204, or 500 with its error.
void RunAndAnswer(uv_loop_t* loop, std::function<Status()> work, net::Responder respond) {
  auto result = std::make_shared<Status>(InternalError("not run"));
  loop::QueueWork(
      loop, [work = std::move(work), result] { *result = work(); },
      [result, respond = std::move(respond)](Status s) {
        if (!s.ok()) {
          respond(Error(503, "unavailable", "shutting down"));
          return;
        }
        if (!result->ok()) {
          respond(Error(500, "internal", result->message()));
          return;
        }
        respond(NoContent());
      });
}

// delete_series' parameters, checked as Prometheus 2.42's deleteSeries does
// (every selector before anything is deleted).
struct DeleteRequest {
  int64_t start = kApiMinTimeMs, end = kApiMaxTimeMs;
  std::vector<std::vector<storage::LabelMatcher>> selectors;
};

StatusOr<DeleteRequest> ParseDeleteRequest(const net::HttpRequest& req) {
  CISTERN_ASSIGN_OR_RETURN(Form form, Form::FromRequest(req));
  std::vector<std::string> matches = form.Values("match[]");
  if (matches.empty()) return InvalidArgumentError("no match[] parameter provided");
  DeleteRequest d;
  StatusOr<int64_t> start = ParseApiTimeParam(form, "start", kApiMinTimeMs);
  if (!start.ok()) return start.status().Annotate("invalid parameter \"start\"");
  StatusOr<int64_t> end = ParseApiTimeParam(form, "end", kApiMaxTimeMs);
  if (!end.ok()) return end.status().Annotate("invalid parameter \"end\"");
  d.start = *start;
  d.end = *end;
  for (const std::string& m : matches) {
    // As Prometheus: ParseMetricSelector, no check for a non-empty matcher.
    StatusOr<std::vector<storage::LabelMatcher>> sel = promql::ParseMetricSelector(m);
    if (!sel.ok()) return sel.status().Annotate("invalid parameter \"match[]\"");
    d.selectors.push_back(std::move(sel).value());
  }
  return d;
}

}  // namespace

bool ParseGoBool(std::string_view s, bool* out) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"})
    if (s == t) return *out = true, true;
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"})
    if (s == f) return *out = false, true;
  return false;
}

void RegisterAdminRoutes(net::HttpServer* server, uv_loop_t* loop, AdminHandlers handlers) {
  auto h = std::make_shared<AdminHandlers>(std::move(handlers));
  server->Route(
      "/api/v1/admin/tsdb/snapshot", {"POST", "PUT"},
      [loop, h](net::HttpRequest req, net::Responder respond) {
        auto params = req.FormParams();
        if (!params.ok()) {
          respond(Error(400, "bad_data", std::string(params.status().message())));
          return;
        }
        bool skip_head = false;
        for (const auto& [k, v] : *params) {
          if (k != "skip_head") continue;
          if (!ParseGoBool(v, &skip_head)) {
            respond(Error(400, "bad_data",
                          "unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing \"" + v +
                              "\": invalid syntax"));
            return;
          }
        }
        auto result = std::make_shared<StatusOr<std::string>>(InternalError("not run"));
        loop::QueueWork(
            loop, [h, skip_head, result] { *result = h->snapshot(skip_head); },
            [result, respond = std::move(respond)](Status s) {
              if (!s.ok()) {
                respond(Error(503, "unavailable", "shutting down"));
                return;
              }
              if (!result->ok()) {
                respond(
                    Error(500, "internal", "create snapshot: " + std::string(result->status().message())));
                return;
              }
              respond(net::HttpResponse::Json(
                  200, "{\"status\":\"success\",\"data\":{\"name\":" + JsonString(**result) + "}}"));
            });
      },
      "/api/v1/admin/tsdb/snapshot");
  if (h->delete_series) {
    server->Route(
        "/api/v1/admin/tsdb/delete_series", {"POST", "PUT"},
        [loop, h](net::HttpRequest req, net::Responder respond) {
          StatusOr<DeleteRequest> d = ParseDeleteRequest(req);
          if (!d.ok()) {
            respond(Error(400, "bad_data", std::string(d.status().message())));
            return;
          }
          auto del = std::make_shared<DeleteRequest>(std::move(d).value());
          RunAndAnswer(
              loop, [h, del] { return h->delete_series(del->start, del->end, std::move(del->selectors)); },
              std::move(respond));
        },
        "/api/v1/admin/tsdb/delete_series");
  }
  if (h->clean_tombstones) {
    server->Route(
        "/api/v1/admin/tsdb/clean_tombstones", {"POST", "PUT"},
        [loop, h](net::HttpRequest, net::Responder respond) {
          RunAndAnswer(
              loop, [h] { return h->clean_tombstones(); }, std::move(respond));
        },
        "/api/v1/admin/tsdb/clean_tombstones");
  }
}

}  // namespace cistern::api
