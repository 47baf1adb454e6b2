#include "agent/net/http_server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "agent/loop/handle.h"
#include "tests/testing/status_matchers.h"

namespace cistern::net {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A blocking raw-socket client: sends exact bytes, reads what comes back.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& s) { ASSERT_EQ(write(fd_, s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  // Reads until `n` complete responses arrived, the peer closed, or 10 s passed.
  std::string ReadResponses(int n) {
    std::string out;
    while (CountResponses(out) < n) {
      if (!ReadSome(&out)) break;
    }
    return out;
  }
  // Reads until `marker` was seen (or 10 s passed).
  std::string ReadUntil(const std::string& marker) {
    std::string out;
    while (out.find(marker) == std::string::npos && ReadSome(&out)) {
    }
    return out;
  }
  // Reads until the peer closes (true) or 10 s pass (false).
  bool WaitClosed(std::string* out) {
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 10000) <= 0) return false;
      char buf[4096];
      ssize_t r = read(fd_, buf, sizeof buf);
      if (r <= 0) return true;
      out->append(buf, static_cast<size_t>(r));
    }
  }

 private:
  bool ReadSome(std::string* out) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) return false;
    char buf[65536];
    ssize_t r = read(fd_, buf, sizeof buf);
    if (r <= 0) return false;
    out->append(buf, static_cast<size_t>(r));
    return true;
  }
  static int CountResponses(const std::string& s) {
    int n = 0;
    size_t pos = 0;
    while (true) {
      size_t head_end = s.find("\r\n\r\n", pos);
      if (head_end == std::string::npos) return n;
      std::string head = s.substr(pos, head_end - pos);
      if (head.rfind("HTTP/1.1 100 ", 0) == 0) {
        pos = head_end + 4;
        continue;
      }
      size_t cl = head.find("Content-Length: ");
      size_t len = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
      if (s.size() < head_end + 4 + len) return n;
      pos = head_end + 4 + len;
      ++n;
    }
  }
  int fd_;
  bool connected_ = false;
};

// Runs the server's loop on a thread; test code talks to it over sockets.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }

  void StartServer(HttpServerOptions opts = {}) {
    opts.metrics = &metrics_;
    server_ = std::make_unique<HttpServer>(&loop_, opts);
    server_->Route("/hello", {"GET", "POST"}, [](HttpRequest req, Responder respond) {
      respond(HttpResponse::Text(200, "hello " + req.method + " " + req.query + " [" + req.body + "]"));
    });
    // Answers after `?ms=N` milliseconds: lets pipelined responses complete out of order.
    server_->Route("/slow", {"GET"}, [this](HttpRequest req, Responder respond) {
      int ms = std::stoi(req.query.substr(3));
      auto timer = std::make_shared<std::unique_ptr<loop::Timer>>(std::make_unique<loop::Timer>(&loop_));
      (*timer)->Start(static_cast<uint64_t>(ms), 0, [timer, respond, ms]() mutable {
        respond(HttpResponse::Text(200, "slow " + std::to_string(ms)));
        timer->reset();
      });
    });
    server_->RoutePrefix("/api/", {"GET"}, [](HttpRequest req, Responder respond) {
      respond(HttpResponse::Text(200, "prefix " + req.path));
    });
    CISTERN_ASSERT_OK(server_->Listen("127.0.0.1:0"));
    port_ = server_->port();
    stop_ = std::make_unique<loop::Async>(&loop_, [this] {
      server_->Close();
      server_.reset();
      stop_.reset();
    });
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      stop_->Send();
      thread_.join();
    }
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle leaked";
  }

  uv_loop_t loop_;
  obs::Registry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<loop::Async> stop_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(HttpServerTest, AnswersGetWithContentLength) {
  StartServer();
  RawClient c(port_);
  c.Send("GET /hello?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string r = c.ReadResponses(1);
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r, HasSubstr("Content-Length: 16\r\n"));
  EXPECT_THAT(r, HasSubstr("\r\n\r\nhello GET x=1 []"));
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  RawClient c(port_);
  for (int i = 0; i < 5; ++i) {
    c.Send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_THAT(c.ReadResponses(1), StartsWith("HTTP/1.1 200 OK"));
  }
}

TEST_F(HttpServerTest, PipelinedResponsesKeepRequestOrder) {
  StartServer();
  RawClient c(port_);
  // The first request answers last; responses must still come in request order.
  c.Send("GET /slow?ms=150 HTTP/1.1\r\n\r\nGET /slow?ms=1 HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
  std::string r = c.ReadResponses(3);
  size_t a = r.find("slow 150"), b = r.find("slow 1\0"), d = r.find("hello GET");
  ASSERT_NE(a, std::string::npos) << r;
  ASSERT_NE(d, std::string::npos) << r;
  b = r.find("slow 1", a + 8);
  ASSERT_NE(b, std::string::npos) << r;
  EXPECT_LT(a, b);
  EXPECT_LT(b, d);
}

TEST_F(HttpServerTest, ChunkedBodyIsDechunked) {
  StartServer();
  RawClient c(port_);
  c.Send("POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n");
  EXPECT_THAT(c.ReadResponses(1), HasSubstr("hello POST  [hello world]"));
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  HttpServerOptions o;
  o.max_body_bytes = 10;
  StartServer(o);
  RawClient c(port_);
  c.Send("POST /hello HTTP/1.1\r\nContent-Length: 11\r\n\r\n");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 413 Payload Too Large"));
  EXPECT_THAT(r, HasSubstr("request body larger than 10 bytes"));
}

TEST_F(HttpServerTest, OversizedChunkedBodyGets413) {
  HttpServerOptions o;
  o.max_body_bytes = 10;
  StartServer(o);
  RawClient c(port_);
  c.Send("POST /hello HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 413"));
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenTheResponse) {
  StartServer();
  RawClient c(port_);
  c.Send("POST /hello HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  // The 100 arrives before we send the body.
  std::string r = c.ReadUntil("\r\n\r\n");
  EXPECT_EQ(r, "HTTP/1.1 100 Continue\r\n\r\n");
  c.Send("abc");
  r += c.ReadResponses(1);
  EXPECT_THAT(r, HasSubstr("HTTP/1.1 100 Continue\r\n\r\n"));
  EXPECT_THAT(r, HasSubstr("hello POST  [abc]"));
}

TEST_F(HttpServerTest, MalformedRequestLineGets400AndClose) {
  StartServer();
  RawClient c(port_);
  c.Send("GARBAGE\r\n\r\n");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 400 Bad Request"));
  EXPECT_THAT(r, HasSubstr("malformed request"));
  EXPECT_THAT(r, HasSubstr("Connection: close"));
}

TEST_F(HttpServerTest, EarlierPipelinedRequestsAreAnsweredBeforeTheError) {
  StartServer();
  RawClient c(port_);
  c.Send("GET /hello HTTP/1.1\r\n\r\nBAD REQUEST\r\n\r\n");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  size_t ok = r.find("200 OK"), bad = r.find("400 Bad Request");
  ASSERT_NE(ok, std::string::npos);
  ASSERT_NE(bad, std::string::npos);
  EXPECT_LT(ok, bad);
}

TEST_F(HttpServerTest, OversizedHeadersGet431) {
  HttpServerOptions o;
  o.max_header_bytes = 1024;
  StartServer(o);
  RawClient c(port_);
  c.Send("GET /hello HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 431"));
}

TEST_F(HttpServerTest, SlowClientIsDisconnectedAfterHeaderTimeout) {
  HttpServerOptions o;
  o.header_timeout_ms = 200;
  StartServer(o);
  RawClient c(port_);
  c.Send("GET /hel");  // and then nothing
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 408 Request Timeout"));
  EXPECT_THAT(r, HasSubstr("request head not received within 200 ms"));
}

TEST_F(HttpServerTest, SlowBodyIsDisconnectedAfterBodyTimeout) {
  HttpServerOptions o;
  o.body_timeout_ms = 200;
  StartServer(o);
  RawClient c(port_);
  c.Send("POST /hello HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 408"));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  HttpServerOptions o;
  o.idle_timeout_ms = 200;
  StartServer(o);
  RawClient c(port_);
  c.Send("GET /hello HTTP/1.1\r\n\r\n");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpServerTest, WrongMethodGets405WithAllow) {
  StartServer();
  RawClient c(port_);
  c.Send("DELETE /hello HTTP/1.1\r\n\r\n");
  std::string r = c.ReadResponses(1);
  EXPECT_THAT(r, StartsWith("HTTP/1.1 405 Method Not Allowed"));
  EXPECT_THAT(r, HasSubstr("Allow: GET, POST, HEAD\r\n"));
}

TEST_F(HttpServerTest, UnknownPathGets404AndPrefixRoutesMatch) {
  StartServer();
  RawClient c(port_);
  c.Send("GET /nope HTTP/1.1\r\n\r\nGET /api/v1/label/job/values HTTP/1.1\r\n\r\n");
  std::string r = c.ReadResponses(2);
  EXPECT_THAT(r, StartsWith("HTTP/1.1 404 Not Found"));
  EXPECT_THAT(r, HasSubstr("prefix /api/v1/label/job/values"));
}

TEST_F(HttpServerTest, HeadHasNoBodyButKeepsContentLength) {
  StartServer();
  RawClient c(port_);
  c.Send("HEAD /hello HTTP/1.1\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
  std::string r = c.ReadResponses(2);
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK"));
  EXPECT_THAT(r, HasSubstr("Content-Length: 14\r\n"));  // "hello HEAD  []"
  // Right after the HEAD response's blank line comes the next status line.
  EXPECT_THAT(r, HasSubstr("\r\n\r\nHTTP/1.1 200 OK"));
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAlive) {
  StartServer();
  RawClient c(port_);
  c.Send("GET /hello HTTP/1.0\r\n\r\n");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, HasSubstr("Connection: close"));
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  RawClient c(port_);
  c.Send("GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n");
  std::string r;
  EXPECT_TRUE(c.WaitClosed(&r));
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HttpServerOptions o;
  o.max_connections = 1;
  StartServer(o);
  RawClient a(port_);
  a.Send("GET /hello HTTP/1.1\r\n\r\n");
  EXPECT_THAT(a.ReadResponses(1), StartsWith("HTTP/1.1 200"));
  RawClient b(port_);
  std::string r;
  EXPECT_TRUE(b.WaitClosed(&r));
  EXPECT_TRUE(r.empty());
}

TEST_F(HttpServerTest, FormParamsDecodeQueryAndBody) {
  HttpServerOptions o;
  StartServer(o);
  // Parse through the request type directly.
  HttpRequest req;
  req.method = "POST";
  req.query = "query=up&match%5B%5D=a";
  req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  req.body = "match[]=b&time=1";
  auto p = req.FormParams();
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 4u);
  EXPECT_EQ((*p)[1].second, "a");
  EXPECT_EQ((*p)[2].second, "b");
  req.query = "a=%zz";
  EXPECT_FALSE(req.FormParams().ok());
}

TEST(ListenTest, BadAddressesAreRejectedClearly) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    HttpServer s(&loop, {});
    EXPECT_THAT(s.Listen("9090"), testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected host:port")));
    EXPECT_THAT(s.Listen("example.com:80"),
                testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("numeric IP or localhost")));
    EXPECT_THAT(s.Listen("127.0.0.1:99999"), testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid port")));
    CISTERN_EXPECT_OK(s.Listen("[::1]:0"));
    HttpServer t(&loop, {});
    CISTERN_EXPECT_OK(t.Listen("127.0.0.1:0"));
    HttpServer u(&loop, {});
    EXPECT_THAT(u.Listen("127.0.0.1:" + std::to_string(t.port())),
                testing::StatusIs(StatusCode::kUnavailable, HasSubstr("address already in use")));
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(RequestParserTest, StopsAfterEachRequest) {
  internal::RequestParser p(1 << 16, 1 << 16);
  std::string two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  size_t n = p.Feed(two.data(), two.size());
  ASSERT_TRUE(p.request_ready());
  EXPECT_EQ(p.TakeRequest().path, "/a");
  EXPECT_EQ(n, two.size() / 2);
  n = p.Feed(two.data() + n, two.size() - n);
  ASSERT_TRUE(p.request_ready());
  EXPECT_EQ(p.TakeRequest().path, "/b");
}

}  // namespace
}  // namespace cistern::net
