#include "agent/loop/handle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>

namespace cistern::loop {
namespace {

class LoopTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);  // let close callbacks run
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle leaked";
  }
  uv_loop_t loop_;
};

TEST_F(LoopTest, RepeatingTimerFiresUntilStopped) {
  int fired = 0;
  Timer t(&loop_);
  t.Start(1, 1, [&] {
    if (++fired == 3) t.Stop();
  });
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired, 3);
}

TEST_F(LoopTest, OwnerMayBeDestroyedInsideItsOwnCallback) {
  auto t = std::make_unique<Timer>(&loop_);
  int fired = 0;
  t->Start(1, 1, [&] {
    ++fired;
    t.reset();
  });
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired, 1);
}

TEST_F(LoopTest, AsyncWakesLoopFromAnotherThread) {
  int calls = 0;
  std::unique_ptr<Async> a;
  a = std::make_unique<Async>(&loop_, [&] {
    ++calls;
    a.reset();
  });
  std::thread th([&] { a->Send(); });
  uv_run(&loop_, UV_RUN_DEFAULT);
  th.join();
  EXPECT_EQ(calls, 1);
}

TEST_F(LoopTest, QueueWorkRunsOffLoopThenCompletesOnLoop) {
  std::thread::id loop_thread = std::this_thread::get_id();
  std::thread::id work_thread;
  bool done = false;
  QueueWork(
      &loop_, [&] { work_thread = std::this_thread::get_id(); },
      [&](Status s) {
        EXPECT_TRUE(s.ok());
        EXPECT_EQ(std::this_thread::get_id(), loop_thread);
        done = true;
      });
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(done);
  EXPECT_NE(work_thread, loop_thread);
}

TEST_F(LoopTest, SignalCallbackRuns) {
  Signal s(&loop_);
  int got = 0;
  ASSERT_TRUE(s.Start(SIGUSR1, [&] {
                 ++got;
                 s.Stop();
               }).ok());
  Timer t(&loop_);
  t.Start(1, 0, [] { raise(SIGUSR1); });
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(got, 1);
}

}  // namespace
}  // namespace cistern::loop
