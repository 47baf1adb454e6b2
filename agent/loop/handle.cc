#include "agent/loop/handle.h"

namespace cistern::loop {

using internal::Box;
using internal::CloseAndFree;

Timer::Timer(uv_loop_t* loop) : box_(new Box<uv_timer_t>) {
  uv_timer_init(loop, &box_->handle);
  box_->handle.data = box_;
}
Timer::~Timer() { CloseAndFree(box_); }

void Timer::Start(uint64_t timeout_ms, uint64_t repeat_ms, std::function<void()> cb) {
  box_->cb = std::move(cb);
  uv_timer_start(
      &box_->handle,
      [](uv_timer_t* t) {
        auto* box = static_cast<Box<uv_timer_t>*>(t->data);
        if (box->cb) {
          auto cb = box->cb;  // the callback may Start() again or destroy the owner
          cb();
        }
      },
      timeout_ms, repeat_ms);
}
void Timer::Stop() { uv_timer_stop(&box_->handle); }
bool Timer::active() const { return uv_is_active(reinterpret_cast<const uv_handle_t*>(&box_->handle)); }
void Timer::Unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&box_->handle)); }

Signal::Signal(uv_loop_t* loop) : box_(new Box<uv_signal_t>) {
  uv_signal_init(loop, &box_->handle);
  box_->handle.data = box_;
}
Signal::~Signal() { CloseAndFree(box_); }

Status Signal::Start(int signum, std::function<void()> cb) {
  box_->cb = std::move(cb);
  int rc = uv_signal_start(
      &box_->handle,
      [](uv_signal_t* s, int) {
        auto* box = static_cast<Box<uv_signal_t>*>(s->data);
        if (box->cb) {
          auto cb = box->cb;
          cb();
        }
      },
      signum);
  if (rc != 0) return InternalError(std::string("signal ") + std::to_string(signum) + ": " + uv_strerror(rc));
  return OkStatus();
}
void Signal::Stop() { uv_signal_stop(&box_->handle); }

Async::Async(uv_loop_t* loop, std::function<void()> cb) : box_(new Box<uv_async_t>) {
  box_->cb = std::move(cb);
  uv_async_init(loop, &box_->handle, [](uv_async_t* a) {
    auto* box = static_cast<Box<uv_async_t>*>(a->data);
    if (box->cb) {
      auto cb = box->cb;
      cb();
    }
  });
  box_->handle.data = box_;
}
Async::~Async() { CloseAndFree(box_); }
void Async::Send() { uv_async_send(&box_->handle); }
void Async::Unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&box_->handle)); }

namespace {
struct WorkReq {
  uv_work_t req;
  std::function<void()> work;
  std::function<void(Status)> done;
};
}  // namespace

void QueueWork(uv_loop_t* loop, std::function<void()> work, std::function<void(Status)> done) {
  auto* w = new WorkReq{{}, std::move(work), std::move(done)};
  w->req.data = w;
  int rc = uv_queue_work(
      loop, &w->req, [](uv_work_t* r) { static_cast<WorkReq*>(r->data)->work(); },
      [](uv_work_t* r, int status) {
        std::unique_ptr<WorkReq> w(static_cast<WorkReq*>(r->data));
        if (w->done) w->done(status == UV_ECANCELED ? CancelledError("work cancelled") : OkStatus());
      });
  if (rc != 0) {
    std::unique_ptr<WorkReq> owned(w);
    if (owned->done) owned->done(InternalError(std::string("uv_queue_work: ") + uv_strerror(rc)));
  }
}

int CloseLoop(uv_loop_t* loop) {
  uv_walk(
      loop,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(loop, UV_RUN_DEFAULT);
  return uv_loop_close(loop);
}

}  // namespace cistern::loop
