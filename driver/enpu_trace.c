// SPDX-License-Identifier: GPL-2.0-only
/* The tracepoints' definitions (enpu_trace.h). */
#define CREATE_TRACE_POINTS
#include "enpu_trace.h"
