/* Anti-spoofing on access ports: a VM may only use the addresses its
 * attachment declares (source MAC, source IP, ARP and IPv6 neighbour
 * advertisements about itself). */
#pragma once

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dataplane/drop_reason.h"
#include "dataplane/pkt_meta.h"

#define PORT_SECURITY_MAX 8 /* addresses of each kind */

struct dp_port_security {
	uint8_t n_macs; /* 0: any source MAC */
	uint8_t n_ipv4;
	uint8_t n_ipv6; /* no IP of either family declared: any source IP */
	struct rte_ether_addr macs[PORT_SECURITY_MAX];
	uint32_t ipv4[PORT_SECURITY_MAX]; /* network order */
	uint8_t ipv6[PORT_SECURITY_MAX][16];
};

/* DROP_REASON_MAX when m (parsed into meta) may enter, else why not. */
enum drop_reason port_security_check(const struct dp_port_security *sec,
				     const struct rte_mbuf *m, const struct pkt_meta *meta);
