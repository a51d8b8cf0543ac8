/* Header parsing: Ethernet, up to two 802.1Q/802.1ad tags, IPv4, IPv6,
 * UDP/TCP/ICMP, and VXLAN on the configured UDP port. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/pkt_meta.h"

/* Parses m into *meta. vxlan_port is the VXLAN UDP destination port in
 * network order, or 0 to leave UDP payloads alone (access ports). Only the
 * first segment is parsed. Returns false when a header is truncated or
 * inconsistent: the caller drops the packet as malformed. */
bool pkt_parse(const struct rte_mbuf *m, struct pkt_meta *meta, uint16_t vxlan_port);
