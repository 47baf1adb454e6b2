// Real crashes: a child appends continuously with a sync after every batch
// and reports each synced batch's number through a pipe; the parent kills it
// with SIGKILL at random moments. After every kill the WAL must recover every
// batch the child reported as synced, in order, complete, without gaps or
// duplicates; batches written after the last report may or may not be there.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "agent/wal/wal.h"
#include "tests/testing/temp_dir.h"

namespace cistern::wal {
namespace {

constexpr int kSeriesPerBatch = 20;

model::Labels Series(int i) { return model::Labels{{"__name__", "crash_metric"}, {"i", std::to_string(i)}}; }

// Reads everything back; returns the batch numbers in order (-1 on a malformed batch).
std::vector<int64_t> Recover(const std::string& dir, std::string* error) {
  Options o;
  o.dir = dir;
  o.segment_size = 64 << 10;  // many segments
  auto w = Wal::Open(o);
  if (!w.ok()) {
    *error = w.status().ToString();
    return {};
  }
  std::vector<int64_t> batches;
  auto r = (*w)->NewReader((*w)->Begin());
  ReadBatch b;
  while (true) {
    auto more = r->Next(&b);
    if (!more.ok()) {
      *error = more.status().ToString();
      break;
    }
    if (!*more) break;
    if (b.samples.size() != kSeriesPerBatch) {
      batches.push_back(-1);
      continue;
    }
    int64_t k = static_cast<int64_t>(b.samples[0].value);
    for (size_t i = 0; i < b.samples.size(); ++i) {
      if (b.samples[i].value != static_cast<double>(k) || b.labels[i]->Get("i") != std::to_string(i)) k = -1;
    }
    batches.push_back(k);
  }
  return batches;
}

[[noreturn]] void Child(const std::string& dir, int64_t next, int fd) {
  Options o;
  o.dir = dir;
  o.segment_size = 64 << 10;
  auto w = Wal::Open(o);
  if (!w.ok()) _exit(3);
  std::vector<storage::SeriesRef> refs;
  for (int i = 0; i < kSeriesPerBatch; ++i) refs.push_back((*w)->Series(Series(i)));
  for (int64_t k = next;; ++k) {
    std::vector<SampleRef> s;
    for (int i = 0; i < kSeriesPerBatch; ++i) s.push_back({refs[i], k * 1000, static_cast<double>(k)});
    if (!(*w)->Append(s).ok() || !(*w)->Sync().ok()) _exit(4);
    // Report only after the sync returned: this batch is durable.
    int64_t msg = k;
    if (write(fd, &msg, sizeof msg) != sizeof msg) _exit(5);
  }
}

TEST(WalCrashTest, EverySyncedBatchSurvivesSigkill) {
  testing::TempDir tmp;
  std::string dir = tmp.Join("wal");
  std::mt19937 rng(12345);
  int64_t reported = -1;  // highest batch the children reported as synced
  int64_t next = 0;
  const int kRounds = 60;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      Child(dir, next, fds[1]);
    }
    close(fds[1]);
    // Let it run a random while, reading its reports, then kill it mid-flight.
    int run_ms = 5 + static_cast<int>(rng() % 60);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms);
    int64_t msg;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, 5) > 0 && read(fds[0], &msg, sizeof msg) == sizeof msg) reported = std::max(reported, msg);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    while (read(fds[0], &msg, sizeof msg) == sizeof msg) reported = std::max(reported, msg);
    close(fds[0]);

    std::string error;
    std::vector<int64_t> got = Recover(dir, &error);
    ASSERT_TRUE(error.empty()) << "round " << round << ": " << error;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i], static_cast<int64_t>(i)) << "round " << round << ": batch " << i << " missing, malformed or out of order";
    }
    ASSERT_GE(static_cast<int64_t>(got.size()) - 1, reported) << "round " << round << ": a synced batch was lost";
    next = static_cast<int64_t>(got.size());
  }
  std::printf("%d kill -9 rounds, %lld batches recovered, last reported synced batch %lld\n", kRounds,
              static_cast<long long>(next), static_cast<long long>(reported));
  EXPECT_GT(reported, 0);
}

}  // namespace
}  // namespace cistern::wal
