#include "agent/net/http_server.h"

#include <http_parser.h>

#include <algorithm>
#include <cstring>
#include <deque>

#include "agent/base/time.h"
#include "agent/obs/log.h"

namespace cistern::net {

// ---------------------------------------------------------------------------
// Request / response helpers

StatusOr<std::vector<std::pair<std::string, std::string>>> HttpRequest::FormParams() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!ParseFormUrlEncoded(query, &out)) return InvalidArgumentError("malformed query string");
  const std::string* ct = Header("Content-Type");
  if (method == "POST" && ct != nullptr && ct->rfind("application/x-www-form-urlencoded", 0) == 0) {
    if (!ParseFormUrlEncoded(body, &out)) return InvalidArgumentError("malformed form body");
  }
  return out;
}

static HttpResponse Typed(int status, const char* content_type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", content_type});
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  return Typed(status, "text/plain; charset=utf-8", std::move(body));
}

HttpResponse HttpResponse::Json(int status, std::string body) { return Typed(status, "application/json", std::move(body)); }

// ---------------------------------------------------------------------------
// RequestParser

namespace internal {

struct RequestParser::State {
  RequestParser* owner;
  http_parser parser;
  http_parser_settings settings;
  size_t max_header, max_body;
  HttpRequest req;
  std::string field, value;  // header being assembled
  bool in_value = false;
  size_t header_bytes = 0;

  static State* Of(http_parser* p) { return static_cast<State*>(p->data); }

  void FlushHeader() {
    if (!field.empty()) req.headers.push_back({std::move(field), std::move(value)});
    field.clear();
    value.clear();
    in_value = false;
  }
  bool CountHeader(size_t n) {
    header_bytes += n;
    if (header_bytes > max_header) {
      owner->error_status_ = 431;
      owner->error_message_ = "request headers larger than " + std::to_string(max_header) + " bytes";
      return false;
    }
    return true;
  }

  State(RequestParser* o, size_t mh, size_t mb) : owner(o), max_header(mh), max_body(mb) {
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = this;
    http_parser_settings_init(&settings);
    settings.on_message_begin = [](http_parser* p) {
      State* s = Of(p);
      s->req = HttpRequest();
      s->field.clear();
      s->value.clear();
      s->in_value = false;
      s->header_bytes = 0;
      s->owner->started_ = true;
      return 0;
    };
    settings.on_url = [](http_parser* p, const char* at, size_t n) {
      State* s = Of(p);
      if (!s->CountHeader(n)) return -1;
      s->req.target.append(at, n);
      return 0;
    };
    settings.on_header_field = [](http_parser* p, const char* at, size_t n) {
      State* s = Of(p);
      if (!s->CountHeader(n)) return -1;
      if (s->in_value) s->FlushHeader();
      s->field.append(at, n);
      return 0;
    };
    settings.on_header_value = [](http_parser* p, const char* at, size_t n) {
      State* s = Of(p);
      if (!s->CountHeader(n)) return -1;
      s->in_value = true;
      s->value.append(at, n);
      return 0;
    };
    settings.on_headers_complete = [](http_parser* p) {
      State* s = Of(p);
      s->FlushHeader();
      RequestParser* o = s->owner;
      s->req.method = http_method_str(static_cast<http_method>(p->method));
      s->req.http_major = p->http_major;
      s->req.http_minor = p->http_minor;
      if (p->http_major != 1) {
        o->error_status_ = 505;
        o->error_message_ = "only HTTP/1.x is supported";
        return -1;
      }
      if ((p->flags & F_CONTENTLENGTH) && p->content_length > s->max_body) {
        o->error_status_ = 413;
        o->error_message_ = "request body larger than " + std::to_string(s->max_body) + " bytes";
        return -1;
      }
      // Split the target into path and query.
      const std::string& t = s->req.target;
      size_t q = t.find('?');
      std::string raw_path = t.substr(0, q);
      if (q != std::string::npos) s->req.query = t.substr(q + 1, t.find('#', q) - q - 1);
      if (!PercentDecode(raw_path, false, &s->req.path)) {
        o->error_status_ = 400;
        o->error_message_ = "malformed percent-escape in request path";
        return -1;
      }
      const std::string* expect = s->req.Header("Expect");
      o->wants_continue_ = expect != nullptr && EqualsIgnoreCase(*expect, "100-continue");
      o->in_body_ = true;
      return 0;
    };
    settings.on_body = [](http_parser* p, const char* at, size_t n) {
      State* s = Of(p);
      RequestParser* o = s->owner;
      o->wants_continue_ = false;
      if (s->req.body.size() + n > s->max_body) {
        o->error_status_ = 413;
        o->error_message_ = "request body larger than " + std::to_string(s->max_body) + " bytes";
        return -1;
      }
      s->req.body.append(at, n);
      return 0;
    };
    settings.on_message_complete = [](http_parser* p) {
      State* s = Of(p);
      RequestParser* o = s->owner;
      o->ready_ = true;
      o->in_body_ = false;
      o->started_ = false;
      o->keep_alive_ = http_should_keep_alive(p) != 0;
      http_parser_pause(p, 1);  // one request at a time: the caller decides when to go on
      return 0;
    };
  }
};

RequestParser::RequestParser(size_t max_header_bytes, size_t max_body_bytes)
    : s_(std::make_unique<State>(this, max_header_bytes, max_body_bytes)) {}
RequestParser::~RequestParser() = default;

size_t RequestParser::Feed(const char* data, size_t len) {
  if (error_status_ != 0 || ready_) return 0;
  if (HTTP_PARSER_ERRNO(&s_->parser) == HPE_PAUSED) http_parser_pause(&s_->parser, 0);
  size_t n = http_parser_execute(&s_->parser, &s_->settings, data, len);
  http_errno err = HTTP_PARSER_ERRNO(&s_->parser);
  if (err == HPE_PAUSED) return n;  // a request completed; n covers its last byte
  if (err != HPE_OK && error_status_ == 0) {
    error_status_ = err == HPE_HEADER_OVERFLOW ? 431 : 400;
    error_message_ = std::string("malformed request: ") + http_errno_description(err);
  }
  return n;
}

HttpRequest RequestParser::TakeRequest() {
  ready_ = false;
  return std::move(s_->req);
}

}  // namespace internal

// ---------------------------------------------------------------------------
// Server

namespace {

struct RouteEntry {
  std::vector<std::string> methods;
  Handler handler;
  std::string label;
};

bool MethodAllowed(const std::vector<std::string>& methods, std::string_view m) {
  for (const std::string& a : methods) {
    if (a == m || (m == "HEAD" && a == "GET")) return true;
  }
  return false;
}

std::string AllowHeader(const std::vector<std::string>& methods) {
  std::string out;
  bool get = false, head = false;
  for (const std::string& m : methods) {
    out += (out.empty() ? "" : ", ") + m;
    get |= m == "GET";
    head |= m == "HEAD";
  }
  if (get && !head) out += ", HEAD";
  return out;
}

std::string PeerName(uv_tcp_t* tcp) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char ip[64] = {0};
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  uv_ip4_name(a, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(ntohs(a->sin_port));
}

}  // namespace

class Connection;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  uv_loop_t* loop;
  HttpServerOptions options;
  std::map<std::string, RouteEntry> exact;
  std::vector<std::pair<std::string, RouteEntry>> prefixes;  // sorted longest first
  std::vector<uv_tcp_t*> listeners;
  std::map<uint64_t, std::shared_ptr<Connection>> connections;
  uint64_t next_id = 1;
  bool closed = false;
  int first_port = 0;
  size_t open_handles = 0;
  std::function<void()> close_done;

  // metrics (null when options.metrics is null)
  obs::CounterFamily* requests = nullptr;
  obs::HistogramFamily* durations = nullptr;
  obs::Gauge* conn_gauge = nullptr;
  obs::Counter* rejected = nullptr;
  obs::CounterFamily* bad = nullptr;

  const RouteEntry* Find(const std::string& path) const {
    if (auto it = exact.find(path); it != exact.end()) return &it->second;
    for (const auto& [prefix, route] : prefixes) {
      if (path.compare(0, prefix.size(), prefix) == 0) return &route;
    }
    return nullptr;
  }

  void HandleClosed() {
    if (--open_handles == 0 && closed && close_done) {
      auto done = std::move(close_done);
      close_done = nullptr;
      done();
    }
  }

  void OnConnection(uv_stream_t* listener);
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<HttpServer::Impl> server, uint64_t id)
      : server_(std::move(server)),
        id_(id),
        parser_(server_->options.max_header_bytes, server_->options.max_body_bytes) {
    uv_tcp_init(server_->loop, &tcp_);
    uv_timer_init(server_->loop, &timer_);
    tcp_.data = this;
    timer_.data = this;
    server_->open_handles += 2;
  }

  uv_tcp_t* tcp() { return &tcp_; }

  void Start() {
    self_ = shared_from_this();
    remote_ = PeerName(&tcp_);
    ArmTimer(server_->options.idle_timeout_ms, TimerKind::kIdle);
    StartReading();
  }

  void StartReading() {
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&tcp_),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* c = static_cast<Connection*>(h->data);
          buf->base = c->read_buf_;
          buf->len = sizeof c->read_buf_;
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) { static_cast<Connection*>(s->data)->OnRead(n, buf); });
    reading_ = true;
  }

  // Closes both handles; memory goes when both close callbacks have run.
  void Close() {
    if (closing_) return;
    closing_ = true;
    auto cb = [](uv_handle_t* h) {
      auto* c = static_cast<Connection*>(h->data);
      c->server_->HandleClosed();
      if (--c->handles_open_ == 0) {
        auto self = std::move(c->self_);  // may free the connection
      }
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), cb);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), cb);
    server_->connections.erase(id_);
    if (server_->conn_gauge) server_->conn_gauge->Set(static_cast<double>(server_->connections.size()));
  }

  void Respond(uint64_t seq, HttpResponse resp) {
    if (closing_) return;
    for (Slot& s : slots_) {
      if (s.seq != seq || s.ready) continue;
      s.ready = true;
      s.data = Serialize(resp, s.head, s.close);
      if (server_->requests) {
        server_->requests->With({s.label, std::to_string(resp.status)})->Inc();
        server_->durations->With({s.label})->Observe(static_cast<double>(MonotonicNanos() - s.start_ns) / 1e9);
      }
      break;
    }
    Flush();
  }

 private:
  enum class TimerKind { kIdle, kHeader, kBody, kNone };
  struct Slot {
    uint64_t seq;
    bool ready = false;
    bool close = false;
    bool head = false;
    std::string data;
    std::string label;
    int64_t start_ns = 0;
  };

  void ArmTimer(uint64_t ms, TimerKind kind) {
    timer_kind_ = kind;
    uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->OnTimeout(); }, ms, 0);
  }
  void StopTimer() {
    timer_kind_ = TimerKind::kNone;
    uv_timer_stop(&timer_);
  }

  void OnTimeout() {
    if (closing_) return;
    if (timer_kind_ == TimerKind::kIdle) {
      Close();
      return;
    }
    const char* what = timer_kind_ == TimerKind::kHeader ? "request head" : "request body";
    uint64_t ms = timer_kind_ == TimerKind::kHeader ? server_->options.header_timeout_ms
                                                    : server_->options.body_timeout_ms;
    if (server_->bad) server_->bad->With({"timeout"})->Inc();
    Fail(408, std::string(what) + " not received within " + std::to_string(ms) + " ms");
  }

  void OnRead(ssize_t n, const uv_buf_t* buf) {
    if (n < 0) {  // EOF or error: nothing more will come
      Close();
      return;
    }
    if (n == 0) return;
    pending_in_.append(buf->base, static_cast<size_t>(n));
    Parse();
  }

  // Parses buffered input while the pipeline has room.
  void Parse() {
    while (!closing_ && !failed_ && !pending_in_.empty() && slots_.size() < server_->options.max_pipelined) {
      bool was_in_request = parser_.in_request();
      size_t used = parser_.Feed(pending_in_.data(), pending_in_.size());
      pending_in_.erase(0, used);
      if (parser_.error_status() != 0) {
        if (server_->bad) server_->bad->With({std::to_string(parser_.error_status())})->Inc();
        Fail(parser_.error_status(), parser_.error_message());
        return;
      }
      if (!was_in_request && parser_.in_request()) ArmTimer(server_->options.header_timeout_ms, TimerKind::kHeader);
      if (parser_.request_ready()) {
        Dispatch(parser_.TakeRequest(), parser_.keep_alive());
        continue;
      }
      if (parser_.in_body() && timer_kind_ != TimerKind::kBody) {
        ArmTimer(server_->options.body_timeout_ms, TimerKind::kBody);
      }
      if (parser_.wants_continue()) {
        parser_.ContinueSent();
        Write(std::string("HTTP/1.1 100 Continue\r\n\r\n"));
      }
      if (used == 0) break;
    }
    if (!closing_ && !failed_) {
      bool want_read = slots_.size() < server_->options.max_pipelined;
      if (want_read && !reading_) {
        StartReading();
      } else if (!want_read && reading_) {
        uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
        reading_ = false;
      }
    }
  }

  void Dispatch(HttpRequest req, bool keep_alive) {
    if (!parser_.in_request()) StopTimer();
    req.remote_addr = remote_;
    uint64_t seq = next_seq_++;
    Slot slot;
    slot.seq = seq;
    slot.close = !keep_alive;
    slot.head = req.method == "HEAD";
    slot.start_ns = MonotonicNanos();
    const RouteEntry* route = server_->Find(req.path);
    if (route == nullptr) {
      slot.label = "other";
      slots_.push_back(std::move(slot));
      Respond(seq, HttpResponse::Text(404, "404 page not found\n"));
      return;
    }
    slot.label = route->label;
    slots_.push_back(std::move(slot));
    if (!MethodAllowed(route->methods, req.method)) {
      HttpResponse r = HttpResponse::Text(405, "method " + req.method + " not allowed\n");
      r.headers.push_back({"Allow", AllowHeader(route->methods)});
      Respond(seq, std::move(r));
      return;
    }
    std::weak_ptr<Connection> weak = weak_from_this();
    Handler handler = route->handler;  // the route table may change inside the handler
    handler(std::move(req), [weak, seq](HttpResponse resp) {
      if (auto c = weak.lock()) c->Respond(seq, std::move(resp));
    });
  }

  std::string Serialize(const HttpResponse& r, bool head, bool close) {
    std::string out;
    out.reserve(128 + r.body.size());
    out.append("HTTP/1.1 ").append(std::to_string(r.status)).push_back(' ');
    out.append(StatusReason(r.status)).append("\r\n");
    for (const HttpHeader& h : r.headers) {
      if (EqualsIgnoreCase(h.name, "Content-Length") || EqualsIgnoreCase(h.name, "Connection")) continue;
      out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
    if (close) out.append("Connection: close\r\n");
    out.append("\r\n");
    if (!head) out.append(r.body);
    return out;
  }

  // Writes every ready response at the head of the queue, in order.
  void Flush() {
    while (!slots_.empty() && slots_.front().ready && !closing_) {
      Slot s = std::move(slots_.front());
      slots_.pop_front();
      Write(std::move(s.data));
      if (s.close) {
        close_after_write_ = true;
        failed_ = true;  // stop parsing
        if (reading_) {
          uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
          reading_ = false;
        }
        slots_.clear();
        break;
      }
    }
    if (close_after_write_ && writes_in_flight_ == 0) {
      Close();
      return;
    }
    if (!closing_ && !failed_) {
      Parse();  // room in the pipeline again
      if (slots_.empty() && !parser_.in_request()) ArmTimer(server_->options.idle_timeout_ms, TimerKind::kIdle);
    }
  }

  void Write(std::string data) {
    struct Req {
      uv_write_t req;
      std::string data;
      std::shared_ptr<Connection> conn;
    };
    auto* w = new Req{{}, std::move(data), shared_from_this()};
    uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
    ++writes_in_flight_;
    int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, [](uv_write_t* r, int status) {
      std::unique_ptr<Req> w(reinterpret_cast<Req*>(r));
      Connection* c = w->conn.get();
      --c->writes_in_flight_;
      if (status < 0) {
        c->Close();
      } else if (c->close_after_write_ && c->writes_in_flight_ == 0) {
        c->Close();
      }
    });
    if (rc != 0) {
      --writes_in_flight_;
      delete w;
      Close();
    }
  }

  // Answers `status` after every earlier response, then closes.
  void Fail(int status, const std::string& message) {
    failed_ = true;
    StopTimer();
    uint64_t seq = next_seq_++;
    Slot slot;
    slot.seq = seq;
    slot.close = true;
    slot.label = "other";
    slot.start_ns = MonotonicNanos();
    slots_.push_back(std::move(slot));
    obs::Debug(server_->options.name, "{}: {} {}", remote_, status, message);
    Respond(seq, HttpResponse::Text(status, message + "\n"));
  }

  std::shared_ptr<HttpServer::Impl> server_;
  uint64_t id_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  int handles_open_ = 2;
  std::shared_ptr<Connection> self_;
  internal::RequestParser parser_;
  std::string remote_;
  std::string pending_in_;
  char read_buf_[65536];
  std::deque<Slot> slots_;
  uint64_t next_seq_ = 0;
  TimerKind timer_kind_ = TimerKind::kNone;
  bool reading_ = false;
  bool closing_ = false;
  bool failed_ = false;
  bool close_after_write_ = false;
  int writes_in_flight_ = 0;

  friend struct HttpServer::Impl;
  friend class HttpServer;
};

void HttpServer::Impl::OnConnection(uv_stream_t* listener) {
  auto conn = std::make_shared<Connection>(shared_from_this(), next_id++);
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(conn->tcp())) != 0) {
    conn->self_ = conn;
    conn->Close();
    return;
  }
  if (connections.size() >= options.max_connections) {
    if (rejected) rejected->Inc();
    conn->self_ = conn;
    conn->Close();
    return;
  }
  uv_tcp_nodelay(conn->tcp(), 1);
  connections[conn->id_] = conn;
  if (conn_gauge) conn_gauge->Set(static_cast<double>(connections.size()));
  conn->Start();
}

HttpServer::HttpServer(uv_loop_t* loop, HttpServerOptions options) : impl_(std::make_shared<Impl>()) {
  impl_->loop = loop;
  impl_->options = std::move(options);
  if (obs::Registry* r = impl_->options.metrics) {
    impl_->requests = r->NewCounterFamily("cistern_http_requests_total", "HTTP requests by handler and status code.",
                                          {"handler", "code"});
    impl_->durations = r->NewHistogramFamily("cistern_http_request_duration_seconds",
                                             "HTTP request latency by handler.", {"handler"},
                                             obs::DefaultDurationBuckets());
    impl_->conn_gauge = r->NewGauge("cistern_http_connections", "Open HTTP connections.");
    impl_->rejected = r->NewCounter("cistern_http_connections_rejected_total",
                                    "Connections closed at once because max_connections was reached.");
    impl_->bad = r->NewCounterFamily("cistern_http_bad_requests_total",
                                     "Requests refused before reaching a handler, by reason.", {"reason"});
  }
}

HttpServer::~HttpServer() { Close(); }

void HttpServer::Route(std::string path, std::vector<std::string> methods, Handler handler, std::string label) {
  if (label.empty()) label = path;
  impl_->exact[path] = RouteEntry{std::move(methods), std::move(handler), std::move(label)};
}

void HttpServer::RoutePrefix(std::string prefix, std::vector<std::string> methods, Handler handler,
                             std::string label) {
  if (label.empty()) label = prefix;
  impl_->prefixes.emplace_back(prefix, RouteEntry{std::move(methods), std::move(handler), std::move(label)});
  std::stable_sort(impl_->prefixes.begin(), impl_->prefixes.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

Status HttpServer::Listen(std::string_view address) {
  std::string addr(address);
  std::string host, port;
  if (!addr.empty() && addr[0] == '[') {
    size_t close = addr.find(']');
    if (close == std::string::npos || close + 1 >= addr.size() || addr[close + 1] != ':') {
      return InvalidArgumentError("listen address \"" + addr + "\": expected [ipv6]:port");
    }
    host = addr.substr(1, close - 1);
    port = addr.substr(close + 2);
  } else {
    size_t colon = addr.rfind(':');
    if (colon == std::string::npos) return InvalidArgumentError("listen address \"" + addr + "\": expected host:port");
    host = addr.substr(0, colon);
    port = addr.substr(colon + 1);
  }
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) {
    return InvalidArgumentError("listen address \"" + addr + "\": invalid port");
  }
  if (host == "localhost") host = "127.0.0.1";
  std::vector<std::string> candidates;
  if (host.empty()) {
    candidates = {"::", "0.0.0.0"};
  } else {
    candidates = {host};
  }
  int last_err = 0;
  for (const std::string& h : candidates) {
    sockaddr_storage ss{};
    if (uv_ip4_addr(h.c_str(), static_cast<int>(p), reinterpret_cast<sockaddr_in*>(&ss)) != 0 &&
        uv_ip6_addr(h.c_str(), static_cast<int>(p), reinterpret_cast<sockaddr_in6*>(&ss)) != 0) {
      return InvalidArgumentError("listen address \"" + addr + "\": host must be a numeric IP or localhost");
    }
    auto* tcp = new uv_tcp_t;
    uv_tcp_init(impl_->loop, tcp);
    tcp->data = impl_.get();
    ++impl_->open_handles;
    int rc = uv_tcp_bind(tcp, reinterpret_cast<sockaddr*>(&ss), 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), 511, [](uv_stream_t* s, int status) {
      if (status == 0) static_cast<Impl*>(s->data)->OnConnection(s);
    });
    if (rc != 0) {
      last_err = rc;
      std::weak_ptr<Impl> weak = impl_;
      tcp->data = new std::weak_ptr<Impl>(weak);
      uv_close(reinterpret_cast<uv_handle_t*>(tcp), [](uv_handle_t* h) {
        auto* w = static_cast<std::weak_ptr<Impl>*>(h->data);
        if (auto impl = w->lock()) impl->HandleClosed();
        delete w;
        delete reinterpret_cast<uv_tcp_t*>(h);
      });
      continue;
    }
    if (impl_->first_port == 0) {
      sockaddr_storage bound{};
      int len = sizeof bound;
      uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&bound), &len);
      impl_->first_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                                      : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    }
    impl_->listeners.push_back(tcp);
    return OkStatus();
  }
  return UnavailableError("listen " + addr + ": " + uv_strerror(last_err));
}

int HttpServer::port() const { return impl_->first_port; }

void HttpServer::Close(std::function<void()> done) {
  Impl* impl = impl_.get();
  if (impl->closed) {
    if (done) done();
    return;
  }
  impl->closed = true;
  impl->close_done = std::move(done);
  std::weak_ptr<Impl> weak = impl_;
  for (uv_tcp_t* tcp : impl->listeners) {
    tcp->data = new std::weak_ptr<Impl>(weak);
    uv_close(reinterpret_cast<uv_handle_t*>(tcp), [](uv_handle_t* h) {
      auto* w = static_cast<std::weak_ptr<Impl>*>(h->data);
      if (auto i = w->lock()) i->HandleClosed();
      delete w;
      delete reinterpret_cast<uv_tcp_t*>(h);
    });
  }
  impl->listeners.clear();
  auto conns = impl->connections;  // Close() erases from the map
  for (auto& [id, c] : conns) c->Close();
  if (impl->open_handles == 0 && impl->close_done) {
    auto d = std::move(impl->close_done);
    impl->close_done = nullptr;
    d();
  }
}

}  // namespace cistern::net
