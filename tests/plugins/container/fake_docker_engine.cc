#include "tests/plugins/container/fake_docker_engine.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace cistern::plugins::container::testing {

FakeDockerEngine::FakeDockerEngine(std::string socket_path) : path_(std::move(socket_path)) {
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
  ::unlink(path_.c_str());
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 || ::pipe(stop_pipe_) != 0) {
    throw std::runtime_error("fake docker engine: cannot listen on " + path_);
  }
  thread_ = std::thread([this] { Serve(); });
}

FakeDockerEngine::~FakeDockerEngine() {
  char c = 'x';
  (void)!::write(stop_pipe_[1], &c, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
  ::unlink(path_.c_str());
}

void FakeDockerEngine::AddContainer(const std::string& id, std::string json) {
  std::lock_guard lock(mu_);
  containers_[id] = std::move(json);
}

void FakeDockerEngine::Serve() {
  std::vector<int> hung;  // connections held open without an answer
  while (true) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) continue;
    if (p[1].revents != 0) break;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    ++requests_;
    if (hang_) {
      hung.push_back(fd);
      continue;
    }
    std::string target;
    size_t sp = request.find(' ');
    if (sp != std::string::npos) target = request.substr(sp + 1, request.find(' ', sp + 1) - sp - 1);
    std::string body, status = "404 Not Found";
    {
      std::lock_guard lock(mu_);
      for (const auto& [id, json] : containers_) {
        if (target == "/containers/" + id + "/json") {
          body = json;
          status = "200 OK";
        }
      }
    }
    if (body.empty()) body = "{\"message\":\"No such container\"}";
    std::string response = "HTTP/1.0 " + status +
                           "\r\nContent-Type: application/json\r\nServer: Docker/24.0.7 (linux)\r\n\r\n" +
                           body;
    (void)!::write(fd, response.data(), response.size());
    ::close(fd);
  }
  for (int fd : hung) ::close(fd);
}

}  // namespace cistern::plugins::container::testing
