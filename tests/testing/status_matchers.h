// gmock matchers for Status / StatusOr:
//   EXPECT_THAT(s, IsOk());
//   EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 3")));
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/base/status.h"

namespace cistern::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
Status GetStatus(const StatusOr<T>& s) { return s.status(); }

MATCHER(IsOk, "is OK") {
  Status s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s.ToString();
  return s.ok();
}

MATCHER_P2(StatusIs, code, message_matcher, "") {
  Status s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code &&
         ::testing::Matches(message_matcher)(s.message());
}

}  // namespace cistern::testing

#define CISTERN_ASSERT_OK(expr) ASSERT_THAT((expr), ::cistern::testing::IsOk())
#define CISTERN_EXPECT_OK(expr) EXPECT_THAT((expr), ::cistern::testing::IsOk())
