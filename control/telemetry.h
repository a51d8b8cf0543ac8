/* Counters and tables through DPDK telemetry, under /poolnet/... */
#pragma once

#include "control/agent.h"

/* Registers the /poolnet commands; they read a under a->lock. */
int telemetry_register(struct agent *a);
