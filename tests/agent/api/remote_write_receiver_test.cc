#include "agent/api/remote_write_receiver.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "agent/model/sample.h"
#include "agent/remote/codec.h"
#include "agent/tsdb/head.h"
#include "tests/agent/tsdb/head_test_util.h"
#include "tests/testing/metric_value.h"
#include "tests/testing/recording_appender.h"

namespace cistern::api {
namespace {

using tsdb::testing::Eq;
using tsdb::testing::Query;

remote::TimeSeries Series(std::vector<model::Label> labels, std::vector<model::Sample> samples) {
  remote::TimeSeries ts;
  ts.labels = model::Labels::FromSorted(std::move(labels));  // as sent: order not fixed up
  ts.samples = std::move(samples);
  return ts;
}

std::string Body(std::vector<remote::TimeSeries> series) {
  remote::WriteRequest req;
  req.timeseries = std::move(series);
  return remote::EncodeWriteRequest(req);
}

class ReceiverTest : public ::testing::Test {
 protected:
  explicit ReceiverTest(ReceiverLimits limits = {}) : ingester_(&head_, limits, &registry_) {}

  double Counter(const std::string& line) { return cistern::testing::MetricValue(registry_, line); }

  obs::Registry registry_;
  tsdb::Head head_{tsdb::HeadOptions{.registry = &registry_}};
  RemoteWriteIngester ingester_;
};

TEST_F(ReceiverTest, ValidRequestIsStoredAndAnswered204) {
  double stale = model::StaleNaN();
  WriteOutcome o = ingester_.Write(Body({
      Series({{"__name__", "up"}, {"job", "node"}}, {{1000, 1}, {2000, -0.0}, {3000, stale}}),
      Series({{"__name__", "temp"}, {"job", "node"}}, {{1000, std::numeric_limits<double>::infinity()}}),
  }));
  EXPECT_EQ(o.status, 204) << o.message;
  EXPECT_EQ(o.samples_appended, 4u);
  auto r = Query(head_, {Eq("job", "node")});
  ASSERT_EQ(r.size(), 2u);
  const auto& up = r["up{job=\"node\"}"];
  ASSERT_EQ(up.size(), 3u);
  EXPECT_TRUE(std::signbit(up[1].second));
  EXPECT_TRUE(model::IsStaleNaN(up[2].second));
  EXPECT_EQ(Counter("cistern_receiver_samples_appended_total"), 4);
  EXPECT_EQ(Counter("cistern_receiver_requests_total{code=\"204\"}"), 1);
}

TEST_F(ReceiverTest, MalformedBodyIs400WithTheDecoderMessage) {
  WriteOutcome o = ingester_.Write("this is not snappy");
  EXPECT_EQ(o.status, 400);
  EXPECT_NE(o.message.find("snappy"), std::string::npos) << o.message;
  EXPECT_EQ(Counter("cistern_receiver_requests_total{code=\"400\"}"), 1);
}

TEST_F(ReceiverTest, InvalidSeriesAreRejectedAndTheRestStored) {
  struct Case {
    std::vector<model::Label> labels;
    std::string expect;
  } cases[] = {
      {{{"__name__", "x"}, {"0bad", "v"}}, "invalid label name \"0bad\""},
      {{{"__name__", "x"}, {"a", "1"}, {"a", "2"}}, "duplicate label name \"a\""},
      {{{"__name__", "x"}, {"b", "1"}, {"a", "2"}}, "labels not sorted"},
      {{{"job", "x"}}, "no metric name"},
      {{{"__name__", "1x"}}, "invalid metric name \"1x\""},
  };
  for (const Case& c : cases) {
    WriteOutcome o = ingester_.Write(Body(
        {Series(c.labels, {{1000, 1}}), Series({{"__name__", "good"}, {"case", c.expect}}, {{1000, 2}})}));
    EXPECT_EQ(o.status, 400) << c.expect;
    EXPECT_NE(o.message.find(c.expect), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("1 series rejected"), std::string::npos) << o.message;
    EXPECT_EQ(o.samples_appended, 1u);
    EXPECT_EQ(Query(head_, {Eq("case", c.expect)}).size(), 1u) << "the valid series of the request is stored";
  }
  EXPECT_EQ(Counter("cistern_receiver_series_rejected_total{reason=\"invalid_labels\"}"), 5);
}

TEST_F(ReceiverTest, EmptyLabelValuesAreDroppedLikeAbsentLabels) {
  WriteOutcome o =
      ingester_.Write(Body({Series({{"__name__", "x"}, {"empty", ""}, {"job", "j"}}, {{1000, 1}})}));
  EXPECT_EQ(o.status, 204) << o.message;
  EXPECT_EQ(Query(head_, {Eq("job", "j")}).count("x{job=\"j\"}"), 1u);
}

TEST_F(ReceiverTest, OutOfOrderAndDuplicateSamplesAre400ButTheRestIsStored) {
  ASSERT_EQ(ingester_.Write(Body({Series({{"__name__", "c"}}, {{5000, 5}})})).status, 204);
  WriteOutcome o = ingester_.Write(Body({
      Series({{"__name__", "c"}}, {{4000, 4}, {5000, 99}, {6000, 6}}),
      Series({{"__name__", "d"}}, {{1000, 1}}),
  }));
  EXPECT_EQ(o.status, 400);
  EXPECT_NE(o.message.find("out of order sample"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("2 samples rejected"), std::string::npos) << o.message;
  EXPECT_EQ(o.samples_appended, 2u);
  auto r = Query(head_, {Eq("__name__", "c")});
  EXPECT_EQ(r["c{}"], (std::vector<std::pair<int64_t, double>>{{5000, 5}, {6000, 6}}));
  EXPECT_EQ(Counter("cistern_receiver_samples_rejected_total{reason=\"out_of_order\"}"), 1);
  EXPECT_EQ(Counter("cistern_receiver_samples_rejected_total{reason=\"duplicate\"}"), 1);
}

TEST_F(ReceiverTest, ResentNewestSampleIsAcceptedSilently) {
  ASSERT_EQ(ingester_.Write(Body({Series({{"__name__", "c"}}, {{1000, 1}, {2000, 2}})})).status, 204);
  // An agent re-sending its last request after a crash (Prometheus: same
  // timestamp and value as the newest sample is not an error; older ones are).
  WriteOutcome again = ingester_.Write(Body({Series({{"__name__", "c"}}, {{2000, 2}})}));
  EXPECT_EQ(again.status, 204) << again.message;
}

TEST_F(ReceiverTest, ContentHeadersOtherThanRemoteWrite1Are415) {
  std::string snappy = "snappy", gzip = "gzip", proto = "application/x-protobuf", json = "application/json",
              v2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
  EXPECT_EQ(ingester_.CheckHeaders(nullptr, nullptr), "");
  EXPECT_EQ(ingester_.CheckHeaders(&proto, &snappy), "");
  EXPECT_NE(ingester_.CheckHeaders(&proto, &gzip).find("unsupported Content-Encoding \"gzip\""),
            std::string::npos);
  EXPECT_NE(ingester_.CheckHeaders(&json, &snappy).find("unsupported Content-Type"), std::string::npos);
  EXPECT_NE(ingester_.CheckHeaders(&v2, &snappy).find("remote-write 1.0"), std::string::npos);
}

class LimitedReceiverTest : public ReceiverTest {
 protected:
  static ReceiverLimits Limits() {
    ReceiverLimits l;
    l.max_body_bytes = 4096;
    l.max_decoded_bytes = 2048;
    l.max_series_per_request = 3;
    l.max_labels_per_series = 3;
    l.max_label_name_length = 8;
    l.max_label_value_length = 10;
    return l;
  }
  LimitedReceiverTest() : ReceiverTest(Limits()) {}
};

TEST_F(LimitedReceiverTest, EachLimitHasItsOwnClearError) {
  WriteOutcome big = ingester_.Write(std::string(5000, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.message.find("receiver.max_body"), std::string::npos) << big.message;

  std::vector<remote::TimeSeries> many;
  for (int i = 0; i < 60; ++i)
    many.push_back(Series({{"__name__", "m"}, {"i", std::string(40, 'a' + i % 26)}}, {{1, 1}}));
  WriteOutcome decoded = ingester_.Write(Body(many));
  EXPECT_EQ(decoded.status, 413);
  EXPECT_NE(decoded.message.find("receiver.max_decoded_body"), std::string::npos) << decoded.message;

  many.resize(4);
  for (auto& s : many) s.labels = model::Labels::FromSorted({{"__name__", "m"}});
  WriteOutcome series = ingester_.Write(Body(many));
  EXPECT_EQ(series.status, 400);
  EXPECT_NE(series.message.find("receiver.max_series_per_request"), std::string::npos) << series.message;

  WriteOutcome labels =
      ingester_.Write(Body({Series({{"__name__", "m"}, {"a", "1"}, {"b", "2"}, {"c", "3"}}, {{1, 1}})}));
  EXPECT_EQ(labels.status, 400);
  EXPECT_NE(labels.message.find("receiver.max_labels_per_series"), std::string::npos) << labels.message;

  WriteOutcome name = ingester_.Write(Body({Series({{"__name__", "m"}, {"verylongname", "1"}}, {{1, 1}})}));
  EXPECT_NE(name.message.find("receiver.max_label_name_length"), std::string::npos) << name.message;
  WriteOutcome value = ingester_.Write(Body({Series({{"__name__", "m"}, {"a", "01234567890"}}, {{1, 1}})}));
  EXPECT_NE(value.message.find("receiver.max_label_value_length"), std::string::npos) << value.message;
  EXPECT_EQ(Counter("cistern_receiver_series_rejected_total{reason=\"label_too_long\"}"), 2);
  EXPECT_EQ(Counter("cistern_receiver_series_rejected_total{reason=\"too_many_labels\"}"), 1);
}

// A store whose commits fail, like a WAL on a full disk.
class FailingStore : public storage::Appendable {
 public:
  std::unique_ptr<storage::Appender> NewAppender() override {
    class A : public storage::Appender {
     public:
      StatusOr<storage::SeriesRef> Append(storage::SeriesRef, const model::Labels&, int64_t,
                                          double) override {
        return storage::SeriesRef{1};
      }
      Status Commit() override { return ResourceExhaustedError("wal: no space left on device"); }
      void Rollback() override {}
    };
    return std::make_unique<A>();
  }
};

TEST(ReceiverCommitTest, FailedCommitIs500AndNothingIsAcknowledged) {
  obs::Registry registry;
  FailingStore store;
  RemoteWriteIngester ingester(&store, {}, &registry);
  WriteOutcome o = ingester.Write(Body({Series({{"__name__", "x"}}, {{1, 1}})}));
  EXPECT_EQ(o.status, 500);
  EXPECT_NE(o.message.find("no space left"), std::string::npos) << o.message;
  EXPECT_EQ(o.samples_appended, 0u);
}

}  // namespace
}  // namespace cistern::api
