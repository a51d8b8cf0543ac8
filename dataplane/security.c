/* Stage security: the stateful security groups of the attachments a packet
 * leaves and enters. A packet of a known connection is accepted by its
 * session; any other is classified by the rules (one rte_acl call per
 * address family for the whole burst) and, when accepted, opens a session
 * that accepts the connection's return traffic too.
 *
 * Rules see a connection in its opening direction: from the initiator's
 * attachment ("egress" rules, SG_FROM_VM) to the responder's ("ingress"
 * rules, SG_TO_VM). Either side may be unfiltered (no group, or not on this
 * host), and is then not checked. */
#include <netinet/in.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "dataplane/parse.h"
#include "dataplane/sg_reject.h"
#include "dataplane/stage.h"

#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_REPLY 0
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ICMP6_ND_FIRST 133 /* router solicitation .. redirect: neighbour discovery */
#define ICMP6_ND_LAST 137

/* A session's last_seen is refreshed at most this often (1/16 s). */
#define SESSION_REFRESH_SHIFT 4

/* What rules and sessions see of a packet, in its own direction. Every
 * field is a full word: written one by one and read back two at a time,
 * narrower fields stalled store forwarding (perf annotate, W3). */
struct flow {
	uint32_t family; /* 4 or 6 */
	uint32_t proto;
	const uint8_t *src, *dst; /* addresses in the frame */
	uint32_t sport, dport;    /* host order; ICMP: type and code */
	uint32_t ct_sport, ct_dport; /* the session key's ports (ICMP echo: the identifier) */
	uint32_t tcp_flags;
	bool tracked; /* TCP, UDP and ICMP echo have sessions; the rest is checked per packet */
	bool echo_reply; /* tracked, but opens no session */
};

/* One packet that rules or sessions must check. */
struct check {
	uint32_t i;        /* index in the burst */
	uint32_t from, to; /* dp_sg_attachment of the initiator's and the responder's side */
	struct flow f;     /* in the opening direction once rules are asked */
	struct ct_session *s;
	enum ct_side side;  /* the packet's source side in the session key */
	bool recheck;       /* a session the rules must check again... */
	bool stale;         /* ...because they changed since (then a denied session is closed) */
	bool flooded;       /* to an unknown or group destination: the responder is not known */
	uint32_t flow_hash; /* flow_cache_hash() of its session key and side */
	uint32_t result[SG_DIRECTIONS]; /* rte_acl results: [SG_FROM_VM] of from, [SG_TO_VM] of to */
};

/* Reads f from the L3 header at meta's offsets. Returns false for packets
 * the groups do not look at: not IP, or neighbour discovery. */
static bool flow_read(const struct rte_mbuf *m, const struct pkt_meta *meta, struct flow *f)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *l4 = meta->l4_off != 0 ? p + meta->l4_off : NULL;

	if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + meta->l3_off);

		f->family = 4;
		f->proto = ip->next_proto_id;
		f->src = (const uint8_t *)&ip->src_addr;
		f->dst = (const uint8_t *)&ip->dst_addr;
	} else if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		const struct rte_ipv6_hdr *ip = (const void *)(p + meta->l3_off);

		f->family = 6;
		f->proto = ip->proto;
		f->src = ip->src_addr;
		f->dst = ip->dst_addr;
	} else {
		return false;
	}
	f->sport = f->dport = f->ct_sport = f->ct_dport = 0;
	f->tcp_flags = 0;
	f->tracked = false;
	f->echo_reply = false;
	if (l4 == NULL) /* a non-first fragment, or IPv6 extension headers: rules by address only */
		return true;
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
		f->sport = f->ct_sport = rte_be_to_cpu_16(*(const rte_be16_t *)l4);
		f->dport = f->ct_dport = rte_be_to_cpu_16(*(const rte_be16_t *)(l4 + 2));
		if (f->proto == IPPROTO_TCP)
			f->tcp_flags = ((const struct rte_tcp_hdr *)l4)->tcp_flags;
		f->tracked = true;
	} else if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		const struct rte_icmp_hdr *icmp = (const void *)l4;
		uint8_t request = f->proto == IPPROTO_ICMP ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
		uint8_t reply = f->proto == IPPROTO_ICMP ? ICMP_ECHO_REPLY : ICMP6_ECHO_REPLY;
		uint16_t id = rte_be_to_cpu_16(icmp->icmp_ident);

		if (f->proto == IPPROTO_ICMPV6 && icmp->icmp_type >= ICMP6_ND_FIRST &&
		    icmp->icmp_type <= ICMP6_ND_LAST)
			return false;
		f->sport = icmp->icmp_type;
		f->dport = icmp->icmp_code;
		/* A request and its reply share one key (see ct_key_make()). */
		if (icmp->icmp_type == request) {
			f->ct_sport = id;
			f->tracked = true;
		} else if (icmp->icmp_type == reply) {
			f->ct_dport = id;
			f->tracked = true;
			f->echo_reply = true;
		}
	}
	return true;
}

/* The flow as its initiator sent it, from s's key: what rules re-check. */
static void flow_opening(const struct ct_session *s, struct flow *f)
{
	const struct ct_key *k = &s->key;
	bool a_opened = s->initiator == CT_SIDE_A;

	f->src = a_opened ? k->addr_a : k->addr_b;
	f->dst = a_opened ? k->addr_b : k->addr_a;
	if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		f->sport = f->proto == IPPROTO_ICMP ? ICMP_ECHO_REQUEST : ICMP6_ECHO_REQUEST;
		f->dport = 0;
	} else {
		f->sport = a_opened ? k->port_a : k->port_b;
		f->dport = a_opened ? k->port_b : k->port_a;
	}
}

/* The attachment a destination location is, if it is filtered. */
static inline uint16_t dst_sg(const struct dp_tables *t, uint64_t loc)
{
	if ((loc & MAC_LOC_KIND_MASK) != MAC_LOC_LOCAL)
		return DP_NO_SG;
	return t->ports[mac_loc_port(loc)].vlan_sg[mac_loc_vlan(loc)];
}

static void count_verdict(struct worker *w, const struct dp_tables *t, uint16_t sg,
			  enum sg_action action)
{
	struct sg_verdict_counters *c;

	if (sg == DP_NO_SG)
		return;
	c = &w->sg[t->sg_attachments[sg].counter];
	if (action == SG_ACCEPT)
		c->accepted++;
	else if (action == SG_DROP)
		c->dropped++;
	else
		c->rejected++;
}

static void count_invalid(struct worker *w, const struct dp_tables *t, const struct check *c)
{
	if (c->from != DP_NO_SG)
		w->sg[t->sg_attachments[c->from].counter].invalid++;
	if (c->to != DP_NO_SG)
		w->sg[t->sg_attachments[c->to].counter].invalid++;
}

/* What the rules say of a check: accept, or the action, attachment and
 * rule (UINT32_MAX: its default) of the first direction that denies. */
struct verdict {
	enum sg_action action;
	uint32_t by;      /* the denying dp_sg_attachment */
	uint32_t rule_id; /* the deciding rule: the denying one, else the first that accepted */
};

/* The action of direction dir of attachment sg for rte_acl result, and the
 * matched rule in *rule_id; counts its hit. */
static enum sg_action direction_verdict(struct worker *w, const struct dp_tables *t, uint32_t sg,
					enum sg_direction dir, uint32_t result, uint32_t *rule_id)
{
	const struct dp_sg_attachment *sa;

	*rule_id = UINT32_MAX;
	if (sg == DP_NO_SG)
		return SG_ACCEPT;
	sa = &t->sg_attachments[sg];
	if (result == 0)
		return sa->default_action[dir];
	*rule_id = dp_sg_rule_id(t, sa, dir, result);
	t->sg_hits[(size_t)w->index * t->n_rule_ids + *rule_id]++;
	return sg_acl_result_action(t->acl, result);
}

/* The initiator's side's rules first, then the responder's. */
static struct verdict rules_verdict(struct worker *w, const struct dp_tables *t,
				    const struct check *ck)
{
	struct verdict v = {.by = ck->from};
	uint32_t to_rule;

	v.action = direction_verdict(w, t, ck->from, SG_FROM_VM, ck->result[SG_FROM_VM], &v.rule_id);
	if (v.action != SG_ACCEPT)
		return v;
	v.action = direction_verdict(w, t, ck->to, SG_TO_VM, ck->result[SG_TO_VM], &to_rule);
	if (v.action != SG_ACCEPT || v.rule_id == UINT32_MAX) {
		v.by = ck->to;
		v.rule_id = to_rule;
	}
	return v;
}

/* ck's flow as the flow cache knows it (before any recheck swaps its sides). */
static inline struct flow_cache_key check_flow(const struct check *ck, const struct ct_key *key)
{
	return (struct flow_cache_key){
		.key = key,
		.hash = ck->flow_hash,
		.side = ck->side,
		.from = ck->from,
		.to = ck->to,
	};
}

static void flow_cache_add_session(struct worker *w, const struct dp_tables *t,
				   const struct check *ck, const struct ct_key *key,
				   struct ct_session *s)
{
	const struct flow_cache_key fk = check_flow(ck, key);

	flow_cache_add(&w->flow_cache, t->version, &fk, SG_ACCEPT)->session = s;
}

static void flow_cache_add_denied(struct worker *w, const struct dp_tables *t,
				  const struct check *ck, const struct ct_key *key,
				  const struct verdict *v)
{
	const struct flow_cache_key fk = check_flow(ck, key);
	struct flow_cache_entry *e = flow_cache_add(&w->flow_cache, t->version, &fk, v->action);

	e->deny.denied_by = v->by;
	e->deny.rule_id = v->rule_id;
}

/* Sends the answer to a rejected packet back where it came from, or drops it. */
static void reject(struct worker *w, struct burst *b, const struct dp_tables *t,
		   const struct ingress *in, struct rte_mbuf *m, struct pkt_meta *l3)
{
	w->port[in->port_id].drop[DROP_SG_REJECTED]++;
	w->tenant[in->slot].drop[DROP_SG_REJECTED]++;
	if (!sg_reject_build(m, l3)) {
		b->free[b->n_free++] = m;
		return;
	}
	if (!in->uplink) {
		tx_enqueue(w, in->port_id, m); /* with the tag it came with */
		return;
	}
	uint16_t vtep = in->meta->vtep;
	struct ingress back = *in;

	if (vtep == DP_NO_VTEP) {
		b->free[b->n_free++] = m;
		return;
	}
	back.meta = l3; /* output_remote() hashes the frame by these offsets */
	output_remote(w, b, t, &back, m, vtep);
}

/* Classifies the keys of one family of checks[idx[0..n-1]]: two per check
 * at most. */
static void rules_classify(const struct dp_tables *t, struct check *checks, const uint8_t *idx,
			   unsigned n, uint8_t family)
{
	union {
		struct sg_key4 k4;
		struct sg_key6 k6;
	} keys[2 * WORKER_BURST];
	const uint8_t *key_ptrs[2 * WORKER_BURST];
	uint32_t results[2 * WORKER_BURST];
	uint32_t *dest[2 * WORKER_BURST];
	unsigned n_keys = 0;

	for (unsigned c = 0; c < n; c++) {
		struct check *ck = &checks[idx[c]];
		const struct dp_sg_attachment *side[SG_DIRECTIONS] = {
			[SG_FROM_VM] = ck->from != DP_NO_SG ? &t->sg_attachments[ck->from] : NULL,
			[SG_TO_VM] = ck->to != DP_NO_SG ? &t->sg_attachments[ck->to] : NULL,
		};

		if (ck->f.family != family)
			continue;
		for (int dir = 0; dir < SG_DIRECTIONS; dir++) {
			ck->result[dir] = 0;
			if (side[dir] == NULL)
				continue;
			if (family == 4) {
				rte_be32_t src, dst;

				memcpy(&src, ck->f.src, sizeof(src));
				memcpy(&dst, ck->f.dst, sizeof(dst));
				sg_key4_fill(&keys[n_keys].k4, side[dir]->policy[dir], ck->f.proto, src,
					     dst, ck->f.sport, ck->f.dport);
			} else {
				sg_key6_fill(&keys[n_keys].k6, side[dir]->policy[dir], ck->f.proto,
					     ck->f.src, ck->f.dst, ck->f.sport, ck->f.dport);
			}
			key_ptrs[n_keys] = (const uint8_t *)&keys[n_keys];
			dest[n_keys++] = &ck->result[dir];
		}
	}
	if (n_keys == 0)
		return;
	if (family == 4)
		sg_acl_classify4(t->acl, key_ptrs, results, n_keys);
	else
		sg_acl_classify6(t->acl, key_ptrs, results, n_keys);
	for (unsigned k = 0; k < n_keys; k++)
		*dest[k] = results[k];
}

/* Drops or rejects the packet of ck as v says. */
static void deny(struct worker *w, struct burst *b, const struct dp_tables *t,
		 const struct ingress *in_port, const struct check *ck, enum sg_action action,
		 uint32_t denied_by, struct pkt_meta *l3)
{
	struct rte_mbuf *m = b->pkts[ck->i];
	const uint16_t slot = pkt_meta(m)->tenant;

	count_verdict(w, t, denied_by, action);
	b->pkts[ck->i] = NULL;
	if (action == SG_REJECT) {
		struct ingress in = *in_port;

		in.slot = slot;
		in.meta = pkt_meta(m);
		reject(w, b, t, &in, m, l3);
	} else {
		drop(w, b, m, in_port->port_id, slot, DROP_SG_DENIED);
	}
}

/* Moves s by ck's packet and counts it accepted, or drops it as invalid
 * for the session's state. Returns whether it was accepted. */
static __rte_always_inline bool session_update(struct worker *w, struct burst *b,
					       const struct dp_tables *t, uint16_t port_id,
					       const struct check *ck, struct ct_session *s,
					       uint64_t now)
{
	const uint64_t refresh = w->dp->tsc_hz >> SESSION_REFRESH_SHIFT;
	struct rte_mbuf *m = b->pkts[ck->i];

	if (ct_session_update(s, ck->side, ck->f.tcp_flags, now, refresh) == CT_INVALID) {
		count_invalid(w, t, ck);
		drop(w, b, m, port_id, pkt_meta(m)->tenant, DROP_CT_INVALID);
		b->pkts[ck->i] = NULL;
		return false;
	}
	count_verdict(w, t, ck->from, SG_ACCEPT);
	count_verdict(w, t, ck->to, SG_ACCEPT);
	return true;
}

/* Whether the session s accepts the packet of ck (else it is consumed as
 * invalid for the session's state, or set up for the rules to check:
 * ck->recheck). */
static inline bool session_accepts(struct worker *w, struct burst *b,
				   const struct dp_tables *t, uint16_t port_id, struct check *ck,
				   struct ct_session *s, uint64_t now)
{
	const bool opening = ck->side == s->initiator;
	const uint32_t from = ck->from, to = ck->to;
	const uint32_t sides = opening ? from << 16 | to : to << 16 | from;
	const bool stale = ct_session_stale(s, t->sg_generation);

	if (!stale && sides == __atomic_load_n(&s->sides, __ATOMIC_RELAXED))
		return session_update(w, b, t, port_id, ck, s, now);
	/* The rules changed, or the packet goes between other attachments
	 * than they checked (a destination MAC that moved, or a forged one):
	 * ask them, in the connection's opening direction, before the packet
	 * moves the session. */
	ck->s = s;
	ck->recheck = true;
	ck->stale = stale;
	ck->from = opening ? from : to;
	ck->to = opening ? to : from;
	flow_opening(s, &ck->f);
	return false;
}

void security_check(struct worker *w, const struct dp_tables *t, const struct ingress *in_port,
		    struct burst *b, const uint64_t *dst_loc, uint64_t now)
{
	struct ct_table *const *tables = w->dp->sessions;
	const unsigned n_tables = w->dp->n_workers;
	struct pkt_meta inner[WORKER_BURST]; /* of decapsulated frames */
	struct pkt_meta *l3[WORKER_BURST];   /* offsets of the frame as it is now */
	struct check checks[WORKER_BURST];
	struct ct_key keys[WORKER_BURST];
	struct ct_key miss_keys[WORKER_BURST];
	struct ct_session *found[WORKER_BURST];
	const struct flow_cache_entry *cached[WORKER_BURST];
	uint8_t misses[WORKER_BURST];   /* checks the flow cache did not decide */
	uint8_t to_rules[WORKER_BURST]; /* checks for the rules */
	unsigned n = 0, n_misses = 0, n_rules = 0;

	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct pkt_meta *meta = pkt_meta(m);
		struct check *c = &checks[n];
		/* Compared as locals: stored as two 2-byte fields and read back
		 * as one word, they would stall store forwarding. */
		uint16_t from = in_port->uplink ? DP_NO_SG
						: t->ports[in_port->port_id].vlan_sg[meta->vlan];
		uint16_t to = dst_sg(t, dst_loc[i]);

		if (from == DP_NO_SG && to == DP_NO_SG)
			continue;
		c->from = from;
		c->to = to;
		if (in_port->uplink) {
			/* Decapsulated: the inner frame's headers. */
			l3[i] = &inner[i];
			if (!pkt_parse(m, l3[i], 0)) {
				drop(w, b, m, in_port->port_id, meta->tenant, DROP_MALFORMED);
				b->pkts[i] = NULL;
				continue;
			}
		} else {
			l3[i] = meta;
		}
		if (!flow_read(m, l3[i], &c->f))
			continue;
		c->i = i;
		c->s = NULL;
		c->recheck = false;
		c->flooded = dst_loc[i] == 0;
		if (c->f.tracked) {
			c->side = ct_key_make(&keys[n], c->f.family, c->f.proto, meta->tenant, c->f.src,
					      c->f.dst, c->f.ct_sport, c->f.ct_dport);
			c->flow_hash = flow_cache_hash(&keys[n], c->side);
			flow_cache_prefetch(&w->flow_cache, c->flow_hash);
		}
		n++;
	}

	/* The flow cache decides most packets: a session to update, or the
	 * rules' earlier verdict. What it points to is fetched for the whole
	 * burst before any is used. */
	for (unsigned c = 0; c < n; c++) {
		const struct flow_cache_key fk = check_flow(&checks[c], &keys[c]);
		const struct flow_cache_entry *e = NULL;

		if (checks[c].f.tracked)
			e = flow_cache_find(&w->flow_cache, t->version, &fk);
		cached[c] = e;
		if (e == NULL)
			continue;
		if (e->action == SG_ACCEPT)
			rte_prefetch0(e->session);
		else if (e->deny.rule_id != UINT32_MAX)
			rte_prefetch0(&t->sg_hits[(size_t)w->index * t->n_rule_ids + e->deny.rule_id]);
	}
	for (unsigned c = 0; c < n; c++) {
		struct check *ck = &checks[c];
		const struct flow_cache_entry *e = cached[c];

		if (!ck->f.tracked) {
			to_rules[n_rules++] = c;
			continue;
		}
		if (e == NULL) {
			miss_keys[n_misses] = keys[c];
			misses[n_misses++] = c;
		} else if (e->action == SG_ACCEPT) {
			w->stats.flow_cache_hits++;
			if (!session_accepts(w, b, t, in_port->port_id, ck, e->session, now) &&
			    ck->recheck)
				to_rules[n_rules++] = c;
		} else {
			w->stats.flow_cache_hits++;
			if (e->deny.rule_id != UINT32_MAX)
				t->sg_hits[(size_t)w->index * t->n_rule_ids + e->deny.rule_id]++;
			deny(w, b, t, in_port, ck, e->action, e->deny.denied_by, l3[ck->i]);
		}
	}

	/* The rest in the session tables: only packets without a session (or
	 * whose session the rules changed under) go to the rules. */
	if (n_misses != 0)
		ct_lookup_bulk(tables, n_tables, w->index, miss_keys, n_misses, found);
	for (unsigned k = 0; k < n_misses; k++) {
		const unsigned c = misses[k];
		struct check *ck = &checks[c];
		struct rte_mbuf *m = b->pkts[ck->i];

		if (found[k] != NULL) {
			if (session_accepts(w, b, t, in_port->port_id, ck, found[k], now))
				flow_cache_add_session(w, t, ck, &keys[c], found[k]);
			else if (ck->recheck)
				to_rules[n_rules++] = c;
			continue;
		}
		if (ck->f.proto == IPPROTO_TCP &&
		    ct_tcp_next(CT_NONE, true, ck->f.tcp_flags) == CT_INVALID) {
			/* Only a SYN opens a connection. */
			count_invalid(w, t, ck);
			drop(w, b, m, in_port->port_id, pkt_meta(m)->tenant, DROP_CT_INVALID);
			b->pkts[ck->i] = NULL;
			continue;
		}
		to_rules[n_rules++] = c;
	}
	if (n_rules == 0)
		return;

	if (t->acl != NULL) {
		rules_classify(t, checks, to_rules, n_rules, 4);
		rules_classify(t, checks, to_rules, n_rules, 6);
	} else {
		for (unsigned r = 0; r < n_rules; r++)
			checks[to_rules[r]].result[SG_FROM_VM] = checks[to_rules[r]].result[SG_TO_VM] = 0;
	}
	for (unsigned r = 0; r < n_rules; r++) {
		const unsigned c = to_rules[r];
		struct check *ck = &checks[c];
		struct rte_mbuf *m = b->pkts[ck->i];
		const uint16_t slot = pkt_meta(m)->tenant;
		const struct verdict v = rules_verdict(w, t, ck);
		struct ct_session *s;

		if (v.action == SG_ACCEPT) {
			if (ck->recheck) {
				ct_session_reaccept(ck->s, ck->from << 16 | ck->to, t->sg_generation);
				/* Denied earlier, allowed again: a TCP connection
				 * stays closed (its peers have given up on it), a
				 * UDP or ICMP flow goes on. */
				if (ck->f.proto != IPPROTO_TCP && !ck->f.echo_reply &&
				    __atomic_load_n(&ck->s->state, __ATOMIC_RELAXED) == CT_CLOSED)
					ct_session_reopen(ck->s, ck->side);
				session_update(w, b, t, in_port->port_id, ck, ck->s, now);
				continue;
			}
			count_verdict(w, t, ck->from, SG_ACCEPT);
			count_verdict(w, t, ck->to, SG_ACCEPT);
			/* A flooded packet's responder was not checked: its
			 * copies are, one by one, and the connection opens once
			 * the destination is known. */
			if (!ck->f.tracked || ck->f.echo_reply || ck->flooded)
				continue;
			struct ct_open open = {
				.key = &keys[c],
				.initiator = ck->side,
				.state = ct_next(ck->f.proto, CT_NONE, true, ck->f.tcp_flags),
				.sides = ck->from << 16 | ck->to,
				.policy_generation = t->sg_generation,
			};
			s = ct_create(tables, n_tables, w->index, &open, t->tenants[slot].session_limit,
				      now);
			if (s != NULL) {
				flow_cache_add_session(w, t, ck, &keys[c], s);
			} else {
				drop(w, b, m, in_port->port_id, slot, DROP_CT_FULL);
				b->pkts[ck->i] = NULL;
			}
			continue;
		}
		if (ck->recheck && ck->stale)
			ct_kill(ck->s);
		if (ck->f.tracked && !ck->recheck)
			flow_cache_add_denied(w, t, ck, &keys[c], &v);
		deny(w, b, t, in_port, ck, v.action, v.by, l3[ck->i]);
	}
}

bool security_flood_copy_allowed(struct worker *w, const struct dp_tables *t,
				 struct rte_mbuf *m, const struct dp_attachment *to)
{
	uint16_t sg = t->ports[to->port_id].vlan_sg[to->vlan];
	struct check ck = {.from = DP_NO_SG, .to = sg};
	struct pkt_meta l3;
	struct ct_key key;
	struct ct_session *s;

	if (sg == DP_NO_SG)
		return true;
	if (!pkt_parse(m, &l3, 0) || !flow_read(m, &l3, &ck.f))
		return true; /* not IP: groups do not filter it */
	if (ck.f.tracked) {
		ct_key_make(&key, ck.f.family, ck.f.proto, pkt_meta(m)->tenant, ck.f.src, ck.f.dst,
			    ck.f.ct_sport, ck.f.ct_dport);
		ct_lookup_bulk(w->dp->sessions, w->dp->n_workers, w->index, &key, 1, &s);
		if (s != NULL && !ct_session_stale(s, t->sg_generation)) {
			count_verdict(w, t, sg, SG_ACCEPT);
			return true;
		}
	}
	ck.result[SG_TO_VM] = 0;
	if (t->acl != NULL)
		rules_classify(t, &ck, (const uint8_t[]){0}, 1, ck.f.family);
	uint32_t rule_id;
	enum sg_action action = direction_verdict(w, t, sg, SG_TO_VM, ck.result[SG_TO_VM], &rule_id);
	count_verdict(w, t, sg, action);
	return action == SG_ACCEPT;
}
