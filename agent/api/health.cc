#include "agent/api/health.h"

namespace cistern::api {

void RegisterHealthRoutes(net::HttpServer* server, obs::Registry* metrics, std::function<bool()> ready) {
  server->Route(
      "/metrics", {"GET"},
      [metrics](net::HttpRequest, net::Responder respond) {
        net::HttpResponse r;
        r.headers.push_back({"Content-Type", "text/plain; version=0.0.4; charset=utf-8"});
        r.body = metrics->RenderText();
        respond(std::move(r));
      },
      "/metrics");
  server->Route(
      "/-/healthy", {"GET"},
      [](net::HttpRequest, net::Responder respond) {
        respond(net::HttpResponse::Text(200, "Cistern is Healthy.\n"));
      },
      "/-/healthy");
  server->Route(
      "/-/ready", {"GET"},
      [ready = std::move(ready)](net::HttpRequest, net::Responder respond) {
        if (ready()) {
          respond(net::HttpResponse::Text(200, "Cistern is Ready.\n"));
        } else {
          respond(net::HttpResponse::Text(503, "Service Unavailable\n"));
        }
      },
      "/-/ready");
}

}  // namespace cistern::api
