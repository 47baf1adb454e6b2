#include "agent/promql/engine.h"

#include <gtest/gtest.h>
