#include "agent/promql/eval_functions.h"

#include <gtest/gtest.h>
