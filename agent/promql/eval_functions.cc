#include "agent/promql/eval_functions.h"
