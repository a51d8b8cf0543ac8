#include <netinet/in.h>

#include <rte_common.h>

#include "control/agent.h"
#include "control/session_view.h"

static const char *const state_names[] = {
	[CT_NEW] = "new",
	[CT_SYN_SENT] = "syn-sent",
	[CT_SYN_RECV] = "syn-received",
	[CT_ESTABLISHED] = "established",
	[CT_FIN_BY_INITIATOR] = "closing",
	[CT_FIN_BY_RESPONDER] = "closing",
	[CT_CLOSING] = "closing",
	[CT_CLOSED] = "closed",
};

void session_view_fill(struct session_view *v, const struct ct_session *s, uint64_t now,
		       uint64_t tsc_hz)
{
	const struct ct_key *k = &s->key;
	bool a_initiated = s->initiator == CT_SIDE_A;
	int af = k->family == 6 ? AF_INET6 : AF_INET;

	v->proto = k->proto;
	inet_ntop(af, a_initiated ? k->addr_a : k->addr_b, v->src, sizeof(v->src));
	inet_ntop(af, a_initiated ? k->addr_b : k->addr_a, v->dst, sizeof(v->dst));
	v->src_port = a_initiated ? k->port_a : k->port_b;
	v->dst_port = a_initiated ? k->port_b : k->port_a;
	v->has_dst_port = k->proto != IPPROTO_ICMP && k->proto != IPPROTO_ICMPV6;
	v->state = s->state < RTE_DIM(state_names) ? state_names[s->state] : NULL;
	v->idle_s = agent_seconds_since(now, s->last_seen, tsc_hz);
}
