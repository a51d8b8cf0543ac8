#include <stdio.h>

#include <rte_ethdev.h>

#include "control/agent.h"
#include "control/table_compile.h"

int agent_publish_tables(struct agent *a)
{
	const struct underlay_config *u = &a->cfg->underlay;
	/* Default: 02:70:6e + the VTEP address's low three bytes. Not the
	 * uplink port's MAC: a net_tap port shares it with its kernel peer. */
	struct rte_ether_addr local_mac = {{0x02, 0x70, 0x6e, ((const uint8_t *)&u->local_ip)[1],
					    ((const uint8_t *)&u->local_ip)[2],
					    ((const uint8_t *)&u->local_ip)[3]}};
	struct dp_tables *next, *prev;
	char err[256];

	if (u->has_mac)
		local_mac = u->mac;
	next = tables_compile(a->cfg, a->port_ids, &local_mac, &a->neighbours, a->generation + 1,
			      err, sizeof(err));
	if (next == NULL) {
		fprintf(stderr, "poolnetd: cannot compile the tables: %s\n", err);
		return -ENOMEM;
	}
	prev = a->dp.tables;
	__atomic_store_n(&a->dp.tables, next, __ATOMIC_RELEASE);
	a->generation++;
	/* Workers may still read prev until each reports a quiescent state. */
	rte_rcu_qsbr_synchronize(a->dp.rcu, RTE_QSBR_THRID_INVALID);
	tables_free(prev);
	return 0;
}

void agent_transmit(struct agent *a, uint16_t port_id, struct rte_mbuf *m)
{
	m->port = port_id;
	if (rte_ring_sp_enqueue(a->dp.control_tx_ring, m) != 0)
		rte_pktmbuf_free(m);
}
