#include <gtest/gtest.h>

#include "plugins/host/collector.h"
#include "tests/testing/recording_appender.h"

namespace cistern::plugins::host {
namespace {

TEST(EmitterTest, EmptyLabelValuesAreDroppedAndLabelsSorted) {
  cistern::testing::RecordingAppendable store;
  auto app = store.NewAppender();
  Emitter out(app.get(), 1234);
  out.Add("node_x", {{"mode", "user"}, {"cpu", "0"}, {"empty", ""}}, 1.5);
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_EQ(store.samples().size(), 1u);
  EXPECT_EQ(store.samples()[0].labels.ToString(), "node_x{cpu=\"0\", mode=\"user\"}");
  EXPECT_EQ(store.samples()[0].timestamp_ms, 1234);
  EXPECT_EQ(out.samples(), 1u);
}

TEST(EmitterTest, PathsJoinWithoutDoubleSlashes) {
  EXPECT_EQ(HostConfig::Join("/host/proc/", "/stat"), "/host/proc/stat");
  EXPECT_EQ(HostConfig::Join("/", "etc/os-release"), "/etc/os-release");
}

TEST(ReadProcFileTest, MissingIsNotFoundAndNamesThePath) {
  auto r = ReadProcFile("/nonexistent/cistern/stat");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/cistern/stat"), std::string::npos);
  auto ok = ReadProcFile("/proc/self/stat");
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->empty());
}

}  // namespace
}  // namespace cistern::plugins::host
