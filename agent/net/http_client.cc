#include "agent/net/http_client.h"

#include <curl/curl.h>

#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "agent/base/time.h"
#include "agent/loop/handle.h"
#include "agent/obs/log.h"

namespace cistern::net {
namespace {

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  ClientRequest request;
  ClientResponse response;
  ClientCallback done;
  size_t max_bytes = 0;
  bool too_large = false;
  int64_t start_ns = 0;
  char error[CURL_ERROR_SIZE] = {0};

  ~Transfer() {
    if (headers) curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }
};

struct PollCtx {
  uv_poll_t poll;
  curl_socket_t fd;
  std::weak_ptr<HttpClient::Impl> impl;
};

// Callbacks never run from inside Do(): an early failure is delivered on a
// later loop turn (through the thread pool's completion, the one deferral
// that needs no handle of the client's own).
void FailLater(uv_loop_t* loop, ClientCallback done, Status error) {
  loop::QueueWork(
      loop, [] {}, [done = std::move(done), error = std::move(error)](Status) { done(error); });
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  if (t->response.body.size() + len > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->response.body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after 100 Continue or a redirect)
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    t->response.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  return len;
}

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
  uv_loop_t* loop = nullptr;
  HttpClientOptions options;
  CURLM* multi = nullptr;
  uv_timer_t* timer = nullptr;
  std::set<Transfer*> transfers;
  bool closed = false;
  size_t open_handles = 0;
  std::function<void()> close_done;
  bool in_check = false;

  void HandleClosed() {
    if (--open_handles == 0 && closed && close_done) {
      auto d = std::move(close_done);
      close_done = nullptr;
      d();
    }
  }

  static int OnSocket(CURL*, curl_socket_t s, int what, void* userp, void* socketp) {
    auto* impl = static_cast<Impl*>(userp);
    auto* ctx = static_cast<PollCtx*>(socketp);
    if (what == CURL_POLL_REMOVE) {
      if (ctx) {
        uv_poll_stop(&ctx->poll);
        curl_multi_assign(impl->multi, s, nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&ctx->poll), [](uv_handle_t* h) {
          auto* c = static_cast<PollCtx*>(h->data);
          if (auto i = c->impl.lock()) i->HandleClosed();
          delete c;
        });
      }
      return 0;
    }
    if (!ctx) {
      ctx = new PollCtx;
      ctx->fd = s;
      ctx->impl = impl->weak_from_this();
      uv_poll_init_socket(impl->loop, &ctx->poll, s);
      ctx->poll.data = ctx;
      ++impl->open_handles;
      curl_multi_assign(impl->multi, s, ctx);
    }
    int events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= UV_WRITABLE;
    uv_poll_start(&ctx->poll, events, [](uv_poll_t* p, int status, int ev) {
      auto* c = static_cast<PollCtx*>(p->data);
      auto impl = c->impl.lock();
      if (!impl || impl->closed) return;
      int flags = 0;
      if (status < 0) flags |= CURL_CSELECT_ERR;
      if (ev & UV_READABLE) flags |= CURL_CSELECT_IN;
      if (ev & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
      int running = 0;
      curl_multi_socket_action(impl->multi, c->fd, flags, &running);
      impl->CheckDone();
    });
    return 0;
  }

  static int OnTimer(CURLM*, long timeout_ms, void* userp) {
    auto* impl = static_cast<Impl*>(userp);
    if (impl->timer == nullptr) return 0;
    if (timeout_ms < 0) {
      uv_timer_stop(impl->timer);
      return 0;
    }
    uv_timer_start(
        impl->timer,
        [](uv_timer_t* t) {
          auto* weak = static_cast<std::weak_ptr<Impl>*>(t->data);
          auto impl = weak->lock();
          if (!impl || impl->closed) return;
          int running = 0;
          curl_multi_socket_action(impl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
          impl->CheckDone();
        },
        static_cast<uint64_t>(timeout_ms), 0);
    return 0;
  }

  // Completes finished transfers. Runs outside curl callbacks only.
  void CheckDone() {
    if (in_check) return;
    in_check = true;
    auto self = shared_from_this();  // a callback may destroy the client
    int left = 0;
    while (!closed) {
      CURLMsg* msg = curl_multi_info_read(multi, &left);
      if (msg == nullptr) break;
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi, msg->easy_handle);
      transfers.erase(t);
      std::unique_ptr<Transfer> owned(t);
      Finish(*owned, code);
    }
    in_check = false;
  }

  static void Finish(Transfer& t, CURLcode code) {
    std::string what = "http client: " + t.request.method + " " + t.request.url + ": ";
    ClientCallback done = std::move(t.done);
    if (t.too_large) {
      done(ResourceExhaustedError(what + "response larger than " + std::to_string(t.max_bytes) + " bytes"));
      return;
    }
    if (code == CURLE_OPERATION_TIMEDOUT) {
      done(DeadlineExceededError(what + (t.error[0] ? t.error : curl_easy_strerror(code))));
      return;
    }
    if (code != CURLE_OK) {
      done(UnavailableError(what + (t.error[0] ? t.error : curl_easy_strerror(code))));
      return;
    }
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    t.response.duration_seconds = static_cast<double>(MonotonicNanos() - t.start_ns) / 1e9;
    done(std::move(t.response));
  }
};

HttpClient::HttpClient(uv_loop_t* loop, HttpClientOptions options) : impl_(std::make_shared<Impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->loop = loop;
  impl_->options = std::move(options);
  impl_->multi = curl_multi_init();
  impl_->timer = new uv_timer_t;
  uv_timer_init(loop, impl_->timer);
  impl_->timer->data = new std::weak_ptr<Impl>(impl_);
  ++impl_->open_handles;
  curl_multi_setopt(impl_->multi, CURLMOPT_SOCKETFUNCTION, &Impl::OnSocket);
  curl_multi_setopt(impl_->multi, CURLMOPT_SOCKETDATA, impl_.get());
  curl_multi_setopt(impl_->multi, CURLMOPT_TIMERFUNCTION, &Impl::OnTimer);
  curl_multi_setopt(impl_->multi, CURLMOPT_TIMERDATA, impl_.get());
  if (impl_->options.max_connections_per_host > 0) {
    curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, impl_->options.max_connections_per_host);
  }
}

HttpClient::~HttpClient() { Close(); }

Status HttpClient::Init() {
  const TlsOptions& tls = impl_->options.tls;
  for (const std::string* f : {&tls.ca_file, &tls.cert_file, &tls.key_file}) {
    if (f->empty()) continue;
    if (FILE* fp = std::fopen(f->c_str(), "r")) {
      std::fclose(fp);
    } else {
      return InvalidArgumentError("http client: cannot read TLS file " + *f);
    }
  }
  curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
  if (!(v->features & CURL_VERSION_ASYNCHDNS)) {
    obs::Warn("http", "libcurl has no asynchronous DNS resolver: name lookups may stall the event loop");
  }
  return OkStatus();
}

size_t HttpClient::in_flight() const { return impl_->transfers.size(); }

void HttpClient::Do(ClientRequest request, ClientCallback done) {
  Impl* impl = impl_.get();
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  t->max_bytes = impl->options.max_response_bytes;
  t->start_ns = MonotonicNanos();
  if (impl->closed) {
    FailLater(impl->loop, std::move(t->done), CancelledError("http client: closed"));
    return;
  }
  const HttpClientOptions& o = impl->options;
  CURL* e = curl_easy_init();
  t->easy = e;
  curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->request.timeout_ms ? t->request.timeout_ms : o.timeout_ms));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_PROXY, o.proxy_url.c_str());
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // identity, gzip, deflate as the server likes
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!o.tls.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o.tls.ca_file.c_str());
  if (!o.tls.cert_file.empty()) curl_easy_setopt(e, CURLOPT_SSLCERT, o.tls.cert_file.c_str());
  if (!o.tls.key_file.empty()) curl_easy_setopt(e, CURLOPT_SSLKEY, o.tls.key_file.c_str());
  if (o.tls.insecure_skip_verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!o.basic_auth_username.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(e, CURLOPT_USERNAME, o.basic_auth_username.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, o.basic_auth_password.c_str());
  }
  const std::string& m = t->request.method;
  if (m == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (m == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    if (m != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->request.body.size()));
  }
  // Request headers override client headers of the same name.
  HttpHeaders merged = t->request.headers;
  for (const HttpHeader& h : o.headers) {
    if (FindHeader(merged, h.name) == nullptr) merged.push_back(h);
  }
  if (!o.bearer_token.empty() && FindHeader(merged, "Authorization") == nullptr) {
    merged.push_back({"Authorization", "Bearer " + o.bearer_token});
  }
  if (FindHeader(merged, "Expect") == nullptr) merged.push_back({"Expect", ""});  // no 100-continue round trip
  for (const HttpHeader& h : merged) {
    std::string line = h.value.empty() ? h.name + ":" : h.name + ": " + h.value;
    t->headers = curl_slist_append(t->headers, line.c_str());
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  Transfer* raw = t.release();
  impl->transfers.insert(raw);
  CURLMcode rc = curl_multi_add_handle(impl->multi, e);
  if (rc != CURLM_OK) {
    impl->transfers.erase(raw);
    std::unique_ptr<Transfer> owned(raw);
    FailLater(impl->loop, std::move(owned->done),
              InternalError("http client: " + owned->request.url + ": " + curl_multi_strerror(rc)));
  }
}

void HttpClient::Close(std::function<void()> done) {
  Impl* impl = impl_.get();
  if (impl->closed) {
    if (done) done();
    return;
  }
  impl->closed = true;
  impl->close_done = std::move(done);
  auto self = impl_;
  std::vector<Transfer*> pending(impl->transfers.begin(), impl->transfers.end());
  impl->transfers.clear();
  for (Transfer* t : pending) {
    curl_multi_remove_handle(impl->multi, t->easy);
    std::unique_ptr<Transfer> owned(t);
    if (owned->done) {
      auto d = std::move(owned->done);
      d(CancelledError("http client: " + owned->request.method + " " + owned->request.url + ": cancelled"));
    }
  }
  curl_multi_cleanup(impl->multi);  // closes cached connections: CURL_POLL_REMOVE for each socket
  impl->multi = nullptr;
  uv_timer_t* timer = impl->timer;
  impl->timer = nullptr;
  uv_timer_stop(timer);
  uv_close(reinterpret_cast<uv_handle_t*>(timer), [](uv_handle_t* h) {
    auto* weak = static_cast<std::weak_ptr<Impl>*>(h->data);
    if (auto i = weak->lock()) i->HandleClosed();
    delete weak;
    delete reinterpret_cast<uv_timer_t*>(h);
  });
}

}  // namespace cistern::net
