// The operational endpoints every role serves on its [http] listener:
//   GET /metrics      self metrics, Prometheus text format 0.0.4
//   GET /-/healthy    200 while the process runs
//   GET /-/ready      200 once startup finished, 503 before and while shutting down
#pragma once

#include <functional>

#include "agent/net/http_server.h"
#include "agent/obs/metrics.h"

namespace cistern::api {

void RegisterHealthRoutes(net::HttpServer* server, obs::Registry* metrics, std::function<bool()> ready);

}  // namespace cistern::api
