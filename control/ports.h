/* DPDK ports from the configuration: probe by devargs, configure one rx
 * queue per worker (or as many as the PMD has) and one tx queue per worker. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "control/config.h"

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

/* Probes pc's devargs, configures one rx queue per worker (or as many as
 * the PMD has) and one tx queue per worker, and starts the port. Fills
 * *port_id and *rx_queues; on failure releases the device and fills err
 * with one line naming the port and the reason. */
int port_start(const struct port_config *pc, unsigned n_workers, struct rte_mempool *pool,
	       uint16_t *port_id, uint16_t *rx_queues, char *err, size_t errlen);

/* Stops, closes and removes the device of port_id. */
void port_stop(uint16_t port_id);

/* Sets the MTU of a port. Returns 0 (also for PMDs without MTU control,
 * where the switch still enforces the MTU on encapsulation) or the
 * device's negative errno when it refuses the size. */
int port_set_mtu(uint16_t port_id, uint16_t mtu);
