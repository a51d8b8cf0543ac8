/* What the pipeline stages (worker.c, classify.c, forward.c) share: the
 * burst being processed, drops, and the per-port transmit buffers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/pkt_meta.h"
#include "dataplane/tables.h"
#include "dataplane/worker.h"

/* Packets still alive in the current burst, and the ones to free. */
struct burst {
	uint16_t n;
	struct rte_mbuf *pkts[WORKER_BURST];
	uint16_t n_free;
	struct rte_mbuf *free[WORKER_BURST * (DP_MAX_LOCAL + DP_MAX_REMOTE)];
};

static inline void drop(struct worker *w, struct burst *b, struct rte_mbuf *m, uint16_t port_id,
		 uint16_t slot, enum drop_reason reason)
{
	w->port[port_id].drop[reason]++;
	if (slot != DP_NO_TENANT)
		w->tenant[slot].drop[reason]++;
	b->free[b->n_free++] = m;
}

static inline void tx_flush_port(struct worker *w, uint16_t port_id)
{
	struct tx_buffer *buf = &w->tx[port_id];
	uint16_t sent = rte_eth_tx_burst(port_id, w->index, buf->pkts, buf->n);

	w->port[port_id].tx += sent;
	if (sent < buf->n) {
		w->port[port_id].drop[DROP_TX_FULL] += buf->n - sent;
		rte_pktmbuf_free_bulk(&buf->pkts[sent], buf->n - sent);
	}
	buf->n = 0;
	w->tx_pending &= ~(1ull << port_id);
}

static inline void tx_enqueue(struct worker *w, uint16_t port_id, struct rte_mbuf *m)
{
	struct tx_buffer *buf = &w->tx[port_id];

	buf->pkts[buf->n++] = m;
	w->tx_pending |= 1ull << port_id;
	if (buf->n == RTE_DIM(buf->pkts))
		tx_flush_port(w, port_id);
}

/* Where a packet came from, for learning, split horizon and rewrites. */
struct ingress {
	uint16_t port_id;
	uint16_t vlan;
	bool uplink;
	bool tagged; /* the frame still carries its access-port tag */
	uint16_t slot;
	const struct pkt_meta *meta; /* offsets into the frame as received */
};

/* Stage classify: keeps in b the packets of a tenant, drops the others. */
void classify_access(struct worker *w, const struct dp_tables *t, uint16_t port_id,
		     struct burst *b);
void classify_uplink(struct worker *w, const struct dp_tables *t, uint16_t port_id,
		     struct burst *b);

/* Stage security: checks the packets of b that leave or enter an attachment
 * with security groups (dst_loc[i]: packet i's destination location, 0
 * when flooded; in: the ingress port, for all of b). Packets it drops or
 * rejects are consumed and their b->pkts entry set to NULL. */
void security_check(struct worker *w, const struct dp_tables *t, const struct ingress *in,
		    struct burst *b, const uint64_t *dst_loc, uint64_t now);
/* Whether a flooded copy of m may enter the attachment to. */
bool security_flood_copy_allowed(struct worker *w, const struct dp_tables *t,
				 struct rte_mbuf *m, const struct dp_attachment *to);

/* Stage rewrite: sends m to a local attachment, to a remote VTEP, or
 * floods it. Each consumes m (sent, queued for ARP, or dropped). */
void output_local(struct worker *w, struct burst *b, const struct dp_tables *t,
		  const struct ingress *in, struct rte_mbuf *m, const struct dp_attachment *out);
void output_remote(struct worker *w, struct burst *b, const struct dp_tables *t,
		   const struct ingress *in, struct rte_mbuf *m, uint16_t vtep_index);
void flood(struct worker *w, struct burst *b, const struct dp_tables *t,
	   const struct ingress *in, struct rte_mbuf *m);
