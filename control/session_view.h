/* A tracked connection as operators see it (operational state and
 * telemetry): from its initiator's side, with the YANG name of its state. */
#pragma once

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include "dataplane/conntrack.h"

struct session_view {
	uint8_t proto;
	char src[INET6_ADDRSTRLEN]; /* the initiator's address */
	char dst[INET6_ADDRSTRLEN];
	uint16_t src_port; /* TCP or UDP port; ICMP echo: the identifier */
	uint16_t dst_port;
	bool has_dst_port; /* false for ICMP and ICMPv6 */
	/* new, syn-sent, syn-received, established, closing or closed (the
	 * enumeration of yang/poolnet.yang); NULL for a state without name. */
	const char *state;
	uint64_t idle_s; /* seconds since its last packet */
};

/* Describes s at now (TSC, of a clock ticking tsc_hz per second). */
void session_view_fill(struct session_view *v, const struct ct_session *s, uint64_t now,
		       uint64_t tsc_hz);
