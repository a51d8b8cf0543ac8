#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>

#include "control/ports.h"

/* The device name is the devargs up to the first comma ("net_tap0,iface=x"). */
static void devargs_name(const char *devargs, char *name, size_t len)
{
	size_t n = strcspn(devargs, ",");

	snprintf(name, len, "%.*s", (int)RTE_MIN(n, len - 1), devargs);
}

static int port_configure(const struct port_config *pc, uint16_t port_id, unsigned n_workers,
			  struct rte_mempool *pool, char *err, size_t errlen)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t n_rxq, rxd = PORT_RX_DESC, txd = PORT_TX_DESC;
	int ret;

	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		goto fail;
	if (info.max_tx_queues < n_workers) {
		snprintf(err, errlen,
			 "port %s: %u workers need %u tx queues, %s offers %u "
			 "(net_af_packet: add qpairs=%u to its devargs)",
			 pc->name, n_workers, n_workers, info.driver_name, info.max_tx_queues,
			 n_workers);
		return -EINVAL;
	}
	n_rxq = RTE_MIN(n_workers, info.max_rx_queues);
	if (n_rxq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
						  (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
	}
	ret = rte_eth_dev_configure(port_id, n_rxq, n_workers, &conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rxd, &txd);
	for (uint16_t q = 0; ret == 0 && q < n_rxq; q++)
		ret = rte_eth_rx_queue_setup(port_id, q, rxd, rte_eth_dev_socket_id(port_id), NULL, pool);
	for (uint16_t q = 0; ret == 0 && q < n_workers; q++)
		ret = rte_eth_tx_queue_setup(port_id, q, txd, rte_eth_dev_socket_id(port_id), NULL);
	if (ret != 0)
		goto fail;
	/* Not every PMD can change its MTU (net_pcap, net_null): the
	 * configured MTU still bounds what the switch encapsulates. */
	ret = port_set_mtu(port_id, pc->mtu);
	if (ret != 0) {
		snprintf(err, errlen, "port %s: the device refuses MTU %u: %s", pc->name, pc->mtu,
			 strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_start(port_id);
	if (ret != 0)
		goto fail;
	/* A switch port takes every frame; PMDs without the mode already do. */
	rte_eth_promiscuous_enable(port_id);
	return 0;
fail:
	snprintf(err, errlen, "port %s: cannot configure it: %s", pc->name, strerror(-ret));
	return ret;
}

int port_start(const struct port_config *pc, unsigned n_workers, struct rte_mempool *pool,
	       uint16_t *port_id, uint16_t *rx_queues, char *err, size_t errlen)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	struct rte_eth_dev_info info;
	int ret;

	devargs_name(pc->devargs, name, sizeof(name));
	/* rte_dev_probe() succeeds for a device that exists: never take over
	 * (and on failure remove) a device another port runs. */
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0) {
		snprintf(err, errlen,
			 "port %s: device %s is in use by another port (remove that port first, "
			 "or use another device name)",
			 pc->name, name);
		return -EBUSY;
	}
	ret = rte_dev_probe(pc->devargs);
	if (ret == 0)
		ret = rte_eth_dev_get_port_by_name(name, port_id);
	if (ret != 0) {
		snprintf(err, errlen,
			 "port %s: cannot probe \"%s\": %s (unknown driver, a name "
			 "in use, or arguments the driver refused)",
			 pc->name, pc->devargs, strerror(-ret));
		return ret;
	}
	ret = port_configure(pc, *port_id, n_workers, pool, err, errlen);
	if (ret == 0)
		ret = rte_eth_dev_info_get(*port_id, &info);
	if (ret != 0) {
		port_stop(*port_id);
		return ret;
	}
	*rx_queues = info.nb_rx_queues;
	return 0;
}

void port_stop(uint16_t port_id)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port_id, &info) != 0)
		return;
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
	rte_dev_remove(info.device);
}

int port_set_mtu(uint16_t port_id, uint16_t mtu)
{
	uint16_t current;
	int ret;

	if (rte_eth_dev_get_mtu(port_id, &current) == 0 && current == mtu)
		return 0;
	ret = rte_eth_dev_set_mtu(port_id, mtu);
	/* PMDs without MTU control (net_pcap, net_null) take any size. */
	return ret == -ENOTSUP ? 0 : ret;
}
