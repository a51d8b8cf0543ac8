/* DPDK ports from the configuration: probe by devargs, configure one rx
 * queue per worker (or as many as the PMD has) and one tx queue per worker. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "control/config.h"

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

/* Probes, configures and starts every port of cfg; port_ids[i] receives the
 * DPDK port id of cfg->ports[i]. On failure, stops and releases what it
 * started and fills err with one line naming the port and the reason. */
int ports_start(const struct config *cfg, unsigned n_workers, struct rte_mempool *pool,
		uint16_t *port_ids, char *err, size_t errlen);

/* Stops, closes and removes the first n_ports ports of port_ids. */
void ports_stop(unsigned n_ports, const uint16_t *port_ids);

/* Number of rx queues configured on port_id. */
uint16_t port_rx_queues(uint16_t port_id);
