#include "agent/api/admin.h"

#include <memory>

#include "agent/base/json.h"
#include "agent/loop/handle.h"

namespace cistern::api {
namespace {

net::HttpResponse Error(int status, const char* type, const std::string& message) {
  return net::HttpResponse::Json(status, "{\"status\":\"error\",\"errorType\":\"" + std::string(type) +
                                             "\",\"error\":" + JsonString(message) + "}");
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
}

}  // namespace cistern::api
