#include "agent/net/http_client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/loop/handle.h"
#include "agent/net/http_server.h"
#include "tests/testing/net_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace cistern::net {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

// Server and client share one loop; each test runs the loop until its
// requests completed, then closes everything.
class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    server_ = std::make_unique<HttpServer>(&loop_, HttpServerOptions{});
    server_->Route("/echo", {"GET", "POST", "PUT"}, [](HttpRequest req, Responder respond) {
      std::string out = req.method + "|" + req.body;
      for (const char* h : {"X-Test", "Authorization", "Content-Type", "Expect"}) {
        if (const std::string* v = req.Header(h)) out += std::string("|") + h + "=" + *v;
      }
      respond(HttpResponse::Text(200, out));
    });
    server_->Route("/status", {"GET", "POST"}, [](HttpRequest req, Responder respond) {
      int code = std::stoi(req.query.substr(5));
      HttpResponse r = HttpResponse::Text(code, "code " + std::to_string(code));
      if (code == 429) r.headers.push_back({"Retry-After", "7"});
      respond(std::move(r));
    });
    server_->Route("/never", {"GET"}, [this](HttpRequest, Responder respond) { parked_.push_back(respond); });
    server_->Route("/big", {"GET"}, [](HttpRequest, Responder respond) {
      respond(HttpResponse::Text(200, std::string(100000, 'x')));
    });
    CISTERN_ASSERT_OK(server_->Listen("127.0.0.1:0"));
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  void TearDown() override {
    client_.reset();
    parked_.clear();
    server_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle leaked";
  }

  HttpClient& Client(HttpClientOptions o = {}) {
    client_ = std::make_unique<HttpClient>(&loop_, std::move(o));
    EXPECT_TRUE(client_->Init().ok());
    return *client_;
  }

  // Runs the loop until `*done` is true.
  void RunUntil(const bool* done) {
    while (!*done) uv_run(&loop_, UV_RUN_ONCE);
  }

  StatusOr<ClientResponse> Fetch(ClientRequest req) {
    StatusOr<ClientResponse> out = InternalError("not called");
    bool done = false;
    client_->Do(std::move(req), [&](StatusOr<ClientResponse> r) {
      out = std::move(r);
      done = true;
    });
    RunUntil(&done);
    return out;
  }

  uv_loop_t loop_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::vector<Responder> parked_;
  std::string base_;
};

TEST_F(HttpClientTest, PostRoundTripCarriesBodyAndHeadersWithoutExpectContinue) {
  HttpClientOptions o;
  o.headers = {{"X-Test", "from-options"}};
  Client(o);
  ClientRequest req;
  req.method = "POST";
  req.url = base_ + "/echo";
  req.body = std::string(5000, 'b');  // big enough that curl would otherwise send Expect: 100-continue
  req.headers = {{"Content-Type", "application/x-protobuf"}, {"X-Test", "from-request"}};
  auto r = Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("POST|" + std::string(5000, 'b')));
  EXPECT_THAT(r->body, HasSubstr("|X-Test=from-request"));
  EXPECT_THAT(r->body, HasSubstr("|Content-Type=application/x-protobuf"));
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("Expect=")));
  ASSERT_NE(r->Header("content-type"), nullptr);
}

TEST_F(HttpClientTest, ServerErrorsAreResponsesNotErrors) {
  Client();
  for (int code : {404, 500, 503}) {
    auto r = Fetch({"GET", base_ + "/status?code=" + std::to_string(code)});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, code);
  }
  auto r = Fetch({"GET", base_ + "/status?code=429"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 429);
  ASSERT_NE(r->Header("Retry-After"), nullptr);
  EXPECT_EQ(*r->Header("Retry-After"), "7");
}

TEST_F(HttpClientTest, RefusedConnectionIsUnavailable) {
  Client();
  sockaddr_in a = testing::UnusedLoopbackAddress();
  auto r = Fetch({"GET", "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/x"});
  EXPECT_THAT(r, StatusIs(StatusCode::kUnavailable, HasSubstr("http client: GET http://127.0.0.1:")));
}

TEST_F(HttpClientTest, TimeoutIsDeadlineExceeded) {
  Client();
  ClientRequest req{"GET", base_ + "/never"};
  req.timeout_ms = 200;
  EXPECT_THAT(Fetch(req), StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("/never")));
}

TEST_F(HttpClientTest, OversizedResponseIsResourceExhausted) {
  HttpClientOptions o;
  o.max_response_bytes = 1000;
  Client(o);
  EXPECT_THAT(Fetch({"GET", base_ + "/big"}), StatusIs(StatusCode::kResourceExhausted, HasSubstr("larger than 1000")));
}

TEST_F(HttpClientTest, DestroyingTheClientCancelsInFlightRequestsExactlyOnce) {
  Client();
  int calls = 0;
  Status got;
  client_->Do({"GET", base_ + "/never"}, [&](StatusOr<ClientResponse> r) {
    ++calls;
    got = r.status();
  });
  // Let the request reach the server.
  while (parked_.empty()) uv_run(&loop_, UV_RUN_ONCE);
  client_.reset();
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(got, StatusIs(StatusCode::kCancelled, HasSubstr("cancelled")));
}

TEST_F(HttpClientTest, RequestAfterCloseIsCancelledLaterNotInsideDo) {
  Client();
  client_->Close();
  int calls = 0;
  bool done = false;
  Status got;
  client_->Do({"GET", base_ + "/echo"}, [&](StatusOr<ClientResponse> r) {
    ++calls;
    got = r.status();
    done = true;
  });
  EXPECT_EQ(calls, 0);  // not from inside Do()
  RunUntil(&done);
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(got, StatusIs(StatusCode::kCancelled, HasSubstr("closed")));
}

TEST_F(HttpClientTest, ManyConcurrentRequestsAllCompleteOnce) {
  Client();
  int done = 0, ok = 0;
  for (int i = 0; i < 200; ++i) {
    client_->Do({"POST", base_ + "/echo", {}, std::to_string(i)}, [&, i](StatusOr<ClientResponse> r) {
      ++done;
      // The echo ends the body at the first header it reports.
      if (r.ok() && r->body.rfind("POST|" + std::to_string(i) + "|", 0) == 0) ++ok;
    });
  }
  while (done < 200) uv_run(&loop_, UV_RUN_ONCE);
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(client_->in_flight(), 0u);
}

TEST_F(HttpClientTest, CallbackMayStartTheNextRequest) {
  Client();
  int done = 0;
  std::function<void(StatusOr<ClientResponse>)> next = [&](StatusOr<ClientResponse> r) {
    EXPECT_TRUE(r.ok());
    if (++done < 5) client_->Do({"GET", base_ + "/echo"}, next);
  };
  client_->Do({"GET", base_ + "/echo"}, next);
  while (done < 5) uv_run(&loop_, UV_RUN_ONCE);
}

TEST_F(HttpClientTest, BasicAuthAndBearerTokenAreSent) {
  HttpClientOptions o;
  o.basic_auth_username = "user";
  o.basic_auth_password = "pass";
  Client(o);
  auto r = Fetch({"GET", base_ + "/echo"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->body, HasSubstr("Authorization=Basic dXNlcjpwYXNz"));
  HttpClientOptions b;
  b.bearer_token = "tok123";
  Client(b);
  r = Fetch({"GET", base_ + "/echo"});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->body, HasSubstr("Authorization=Bearer tok123"));
}

TEST_F(HttpClientTest, UnreadableTlsFileFailsInit) {
  HttpClientOptions o;
  o.tls.ca_file = "/nonexistent/ca.pem";
  HttpClient c(&loop_, o);
  EXPECT_THAT(c.Init(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("/nonexistent/ca.pem")));
}

// TLS against openssl s_server with a CA made for the test.
TEST_F(HttpClientTest, TlsVerifiesAgainstTheConfiguredCa) {
  if (system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "openssl CLI not available";
  testing::TempDir dir;
  std::string d = dir.path();
  std::string gen =
      "cd " + d + " && "
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt "
      "-days 1 -subj /CN=cistern-test-ca 2>/dev/null && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout srv.key -out srv.csr "
      "-subj /CN=127.0.0.1 2>/dev/null && "
      "printf 'subjectAltName=IP:127.0.0.1\\n' > ext && "
      "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 1 "
      "-extfile ext 2>/dev/null";
  ASSERT_EQ(system(gen.c_str()), 0) << "certificate generation failed";
  sockaddr_in a = testing::UnusedLoopbackAddress();
  std::string port = std::to_string(ntohs(a.sin_port));
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execlp("openssl", "openssl", "s_server", "-accept", ("127.0.0.1:" + port).c_str(), "-cert",
           (d + "/srv.crt").c_str(), "-key", (d + "/srv.key").c_str(), "-www", "-quiet", nullptr);
    _exit(127);
  }
  std::string url = "https://127.0.0.1:" + port + "/";
  // Wait until s_server accepts (bounded).
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    up = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(s);
    if (!up) usleep(50000);
  }
  if (!up) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    GTEST_SKIP() << "openssl s_server did not start";
  }
  HttpClientOptions with_ca;
  with_ca.tls.ca_file = d + "/ca.crt";
  Client(with_ca);
  auto r = Fetch({"GET", url});
  EXPECT_TRUE(r.ok() && r->status == 200) << r.status().ToString();

  Client();  // system CAs only: the test CA is unknown
  EXPECT_THAT(Fetch({"GET", url}), StatusIs(StatusCode::kUnavailable, HasSubstr("certificate")));

  HttpClientOptions insecure;
  insecure.tls.insecure_skip_verify = true;
  Client(insecure);
  r = Fetch({"GET", url});
  EXPECT_TRUE(r.ok() && r->status == 200) << r.status().ToString();
  client_.reset();
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

}  // namespace
}  // namespace cistern::net
