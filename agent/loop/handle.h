// Ownership of libuv handles (Node's HandleWrap idea).
//
// Each wrapper owns one heap-allocated uv handle. Destroying the wrapper calls
// uv_close(); the memory is freed in the close callback, never before, so a
// wrapper may be destroyed from inside its own callback. After destruction no
// callback of the wrapper runs again. Loop thread only (except Async::Send).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "agent/base/status.h"

namespace cistern::loop {

namespace internal {
template <typename UvT>
struct Box {
  UvT handle;
  std::function<void()> cb;  // owner's callback; reset when the owner goes away
};

template <typename UvT>
void CloseAndFree(Box<UvT>* box) {
  if (box == nullptr) return;
  box->cb = nullptr;
  auto* h = reinterpret_cast<uv_handle_t*>(&box->handle);
  if (uv_is_closing(h)) return;
  uv_close(h, [](uv_handle_t* h) { delete static_cast<Box<UvT>*>(h->data); });
}
}  // namespace internal

// A one-shot or repeating timer.
class Timer {
 public:
  explicit Timer(uv_loop_t* loop);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // (Re)starts the timer: `cb` runs after `timeout_ms`, then every `repeat_ms`
  // if non-zero.
  void Start(uint64_t timeout_ms, uint64_t repeat_ms, std::function<void()> cb);
  void Stop();
  bool active() const;
  // Keeps the loop from waiting for this timer alone (uv_unref).
  void Unref();

 private:
  internal::Box<uv_timer_t>* box_;
};

// A signal watcher (SIGINT, SIGTERM, SIGHUP...).
class Signal {
 public:
  explicit Signal(uv_loop_t* loop);
  ~Signal();
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;
  Status Start(int signum, std::function<void()> cb);
  void Stop();

 private:
  internal::Box<uv_signal_t>* box_;
};

// Wakes the loop from any thread: Send() is thread-safe; `cb` runs on the loop
// thread (several Sends may coalesce into one call).
class Async {
 public:
  Async(uv_loop_t* loop, std::function<void()> cb);
  ~Async();
  Async(const Async&) = delete;
  Async& operator=(const Async&) = delete;
  void Send();
  void Unref();

 private:
  internal::Box<uv_async_t>* box_;
};

// Runs `work` on libuv's thread pool, then `done` on the loop thread, exactly
// once: OK after `work` ran, Cancelled if the pool dropped it (shutdown).
void QueueWork(uv_loop_t* loop, std::function<void()> work, std::function<void(Status)> done);

// Closes every handle still open on `loop` and runs it until they are gone.
// For shutdown and tests. Returns uv_loop_close()'s result.
int CloseLoop(uv_loop_t* loop);

}  // namespace cistern::loop
