#include "agent/wal/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace cistern::wal {
namespace {

TEST(Crc32cTest, KnownAnswers) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c("", 0), 0u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);  // RFC 3720 test vector
  std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(Crc32cTest, ExtendEqualsWholeAtEverySplit) {
  std::string s = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox.";
  uint32_t whole = Crc32c(s.data(), s.size());
  for (size_t i = 0; i <= s.size(); ++i) {
    EXPECT_EQ(Crc32cExtend(Crc32c(s.data(), i), s.data() + i, s.size() - i), whole) << i;
  }
}

TEST(Crc32cTest, MaskRoundTripsAndChangesTheValue) {
  uint32_t c = Crc32c("foo", 3);
  EXPECT_NE(MaskCrc(c), c);
  EXPECT_EQ(UnmaskCrc(MaskCrc(c)), c);
}

}  // namespace
}  // namespace cistern::wal
