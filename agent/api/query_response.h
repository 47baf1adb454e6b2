// HTTP answers of the query API (shared by query_api*.cc): Prometheus'
// respond / respondError, with its mapping of error types to status codes
// (bad_data 400, execution 422, canceled and timeout 503, internal 500,
// not_found 404, unavailable 503).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/api/query_json.h"
#include "agent/net/http_server.h"

namespace cistern::api {

inline constexpr std::string_view kBadData = "bad_data";
inline constexpr std::string_view kExecution = "execution";
inline constexpr std::string_view kTimeout = "timeout";
inline constexpr std::string_view kCanceled = "canceled";
inline constexpr std::string_view kInternal = "internal";
inline constexpr std::string_view kUnavailable = "unavailable";

inline int ErrorTypeStatus(std::string_view type) {
  if (type == kBadData) return 400;
  if (type == kExecution) return 422;
  if (type == kCanceled || type == kTimeout || type == kUnavailable) return 503;
  if (type == "not_found") return 404;
  return 500;
}

inline net::HttpResponse ApiError(std::string_view type, std::string_view message) {
  return net::HttpResponse::Json(ErrorTypeStatus(type), ErrorJson(type, message));
}

// invalidParamError: `invalid parameter "start": <message>`.
inline net::HttpResponse InvalidParam(std::string_view param, std::string_view message) {
  return ApiError(kBadData, "invalid parameter \"" + std::string(param) + "\": " + std::string(message));
}

inline net::HttpResponse ApiSuccess(std::string_view data_json,
                                    const std::vector<std::string>& warnings = {}) {
  return net::HttpResponse::Json(200, SuccessJson(data_json, warnings));
}

}  // namespace cistern::api
