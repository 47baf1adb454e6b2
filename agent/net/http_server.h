// HTTP/1.1 server on libuv + http-parser.
//
// Keep-alive, pipelining (responses strictly in request order, even when
// handlers answer asynchronously and out of order), chunked request bodies,
// Expect: 100-continue, and limits a hostile or broken client cannot get
// around: body size (413), header size (431), time to receive the head and the
// body (408, then close), idle keep-alive connections (closed), concurrent
// connections, and pipelined requests queued per connection (reading pauses).
// Malformed requests get 400 with a plain-text reason, then the connection is
// closed.
//
// Loop thread only. Memory of handles is freed in their close callbacks.
#pragma once

#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/net/http_common.h"
#include "agent/obs/metrics.h"

namespace cistern::net {

struct HttpRequest {
  std::string method;       // "GET"
  std::string target;       // raw request-target: "/api/v1/query?query=up"
  std::string path;         // target without the query, percent-decoded
  std::string query;        // raw query string after '?' ("" if none)
  HttpHeaders headers;      // as received
  std::string body;         // de-chunked
  std::string remote_addr;  // "127.0.0.1:51234", "[::1]:51234"
  int http_major = 1, http_minor = 1;

  const std::string* Header(std::string_view name) const { return FindHeader(headers, name); }
  // Query parameters, then (POST with application/x-www-form-urlencoded) body
  // parameters, in order; keys may repeat. InvalidArgument on bad escapes.
  StatusOr<std::vector<std::pair<std::string, std::string>>> FormParams() const;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  static HttpResponse Text(int status, std::string body);  // text/plain; charset=utf-8
  static HttpResponse Json(int status, std::string body);  // application/json
};

// Completes a request: call exactly once, on the loop thread. Harmless after
// the client went away (the response is dropped).
using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest request, Responder respond)>;

struct HttpServerOptions {
  size_t max_body_bytes = 16 << 20;
  size_t max_header_bytes = 64 << 10;
  uint64_t header_timeout_ms = 10000;  // the whole request head, from its first byte
  uint64_t body_timeout_ms = 60000;    // the whole body, from the end of the head
  uint64_t idle_timeout_ms = 120000;   // keep-alive connection with nothing to do
  size_t max_connections = 4096;
  size_t max_pipelined = 64;           // unanswered requests per connection before reading pauses
  obs::Registry* metrics = nullptr;    // cistern_http_* when set
  std::string name = "http";           // log component
};

class HttpServer {
 public:
  HttpServer(uv_loop_t* loop, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Exact path. HEAD is served wherever GET is (body suppressed). Unknown
  // path: 404; wrong method: 405 with Allow. `metric_label` names the handler
  // in metrics (default: the path).
  void Route(std::string path, std::vector<std::string> methods, Handler handler, std::string metric_label = "");
  // Every path starting with `prefix`; the longest prefix wins; exact routes win over prefixes.
  void RoutePrefix(std::string prefix, std::vector<std::string> methods, Handler handler,
                   std::string metric_label = "");

  // "127.0.0.1:9090", "[::1]:9090", "0.0.0.0:0", ":9090" (all interfaces),
  // "localhost:9090". Numeric addresses only otherwise (no DNS on the loop).
  // May be called several times.
  Status Listen(std::string_view address);
  // Port of the first listener (after ":0").
  int port() const;
  // Stops accepting and closes every connection; `done` after all handles closed.
  void Close(std::function<void()> done = nullptr);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

namespace internal {
// The request-parsing state machine, without sockets (the connection code and
// the fuzz target share it). Feed() consumes bytes and stops after each
// complete request so the caller can apply backpressure.
class RequestParser {
 public:
  RequestParser(size_t max_header_bytes, size_t max_body_bytes);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Returns bytes consumed. After it returns, check error(), then
  // request_ready() (take the request with TakeRequest()).
  size_t Feed(const char* data, size_t len);
  bool request_ready() const { return ready_; }
  HttpRequest TakeRequest();
  bool keep_alive() const { return keep_alive_; }
  // A request head is complete but its body is still to come.
  bool in_body() const { return in_body_; }
  // A request has started (some bytes of it arrived) but is not complete.
  bool in_request() const { return started_ && !ready_; }
  // The head asked for "Expect: 100-continue" and no body byte arrived yet.
  bool wants_continue() const { return wants_continue_ && in_body_ && !ready_; }
  void ContinueSent() { wants_continue_ = false; }
  // 0 when fine; else the status to answer (400, 413, 431, 505) and why.
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

  struct State;

 private:
  std::unique_ptr<State> s_;
  bool ready_ = false, keep_alive_ = true, in_body_ = false, started_ = false, wants_continue_ = false;
  int error_status_ = 0;
  std::string error_message_;
  friend struct State;
};
}  // namespace internal

}  // namespace cistern::net
