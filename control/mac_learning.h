/* The single writer of the MAC table: learns from the workers' events,
 * installs the static entries and ages out the silent ones. */
#pragma once

#include <stdint.h>

#include "control/agent.h"

#define MAC_TABLE_CAPACITY 65536 /* entries, all tenants together */

/* Installs the configured static MACs (after tables are published). */
int mac_learning_configure(struct agent *a, char *err, size_t errlen);

/* Applies the queued learn events; returns how many. */
unsigned mac_learning_drain(struct agent *a, uint64_t now);

/* Removes entries older than their tenant's ageing time. */
unsigned mac_learning_age(struct agent *a, uint64_t now);
