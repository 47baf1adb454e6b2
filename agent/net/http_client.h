// HTTP client: libcurl's multi interface driven by the libuv loop
// (CURLMOPT_SOCKETFUNCTION -> uv_poll, CURLMOPT_TIMERFUNCTION -> uv_timer),
// so requests never block the loop. DNS uses curl's threaded resolver.
// Connections are kept alive and reused. Used by remote-write, probes and
// scraping.
//
// Loop thread only. Handles are freed in their close callbacks.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "agent/base/status.h"
#include "agent/net/http_common.h"

namespace cistern::net {

struct TlsOptions {
  std::string ca_file, cert_file, key_file;
  bool insecure_skip_verify = false;
  std::string server_name;  // SNI / verification name override ("" = from the URL)
};

struct HttpClientOptions {
  TlsOptions tls;
  std::string proxy_url;  // "" = no proxy (environment proxies are ignored too)
  HttpHeaders headers;    // added to every request (request headers win)
  std::string basic_auth_username, basic_auth_password;
  std::string bearer_token;
  uint64_t timeout_ms = 30000;  // whole request; per-request override in ClientRequest
  uint64_t connect_timeout_ms = 10000;
  size_t max_response_bytes = 64 << 20;
  std::string user_agent = "cistern/0.1";
  long max_connections_per_host = 0;  // 0 = unlimited
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  uint64_t timeout_ms = 0;  // 0: options.timeout_ms
};

struct ClientResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  double duration_seconds = 0;
  const std::string* Header(std::string_view name) const { return FindHeader(headers, name); }
};

using ClientCallback = std::function<void(StatusOr<ClientResponse>)>;

class HttpClient {
 public:
  HttpClient(uv_loop_t* loop, HttpClientOptions options);
  ~HttpClient();  // in-flight requests get Cancelled
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Checks options: readable TLS files (InvalidArgument naming the file).
  Status Init();

  // `done` runs exactly once, on the loop thread, never from inside Do(): the
  // response for any HTTP status (4xx/5xx are responses, not errors), or
  // Unavailable (refused, DNS, TLS, reset), DeadlineExceeded (timeout),
  // ResourceExhausted (response too large), Cancelled (client closed).
  void Do(ClientRequest request, ClientCallback done);
  size_t in_flight() const;
  // Cancels everything in flight and closes handles; `done` after close callbacks.
  void Close(std::function<void()> done = nullptr);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace cistern::net
