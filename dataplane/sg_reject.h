/* The answer to a packet that a security group rule rejects: a TCP reset
 * for TCP, an ICMP or ICMPv6 destination unreachable for anything else,
 * built in place of the rejected packet. */
#pragma once

#include <stdbool.h>

#include <rte_mbuf.h>

#include "dataplane/pkt_meta.h"

#define SG_REJECT_TTL 64            /* TTL or hop limit of every answer */
#define SG_REJECT_ICMP4_IP_MAX 576  /* bytes of IP packet (RFC 1812 4.3.2.3) */
#define SG_REJECT_ICMP6_IP_MAX 1280 /* bytes of IPv6 packet (RFC 4443 2.4 c) */

/* Turns m, an Ethernet frame (its tags kept as they are) parsed by
 * pkt_parse() into meta, into the answer to its sender: MAC and IP
 * addresses swapped, TTL SG_REJECT_TTL, DF set on IPv4, every checksum
 * valid, and then
 * - TCP: the reset a closed port sends (RFC 9293 3.10.7.1): seq = the
 *   segment's ack when it has ACK, else RST|ACK acknowledging the
 *   segment's sequence space; no options, window 0;
 * - UDP: ICMP 3/3 or ICMPv6 1/4 (port unreachable);
 * - any other protocol: ICMP 3/13 or ICMPv6 1/1 (administratively
 *   prohibited);
 * the ICMP answers quote the rejected IP packet, truncated to keep the
 * answer within SG_REJECT_ICMP4_IP_MAX or SG_REJECT_ICMP6_IP_MAX bytes.
 *
 * Returns true when m holds the answer, to be sent back where it came
 * from. Returns false, leaving m unchanged, when no answer may be sent: a
 * TCP reset, an ICMP or ICMPv6 error, a non-first fragment, a sender or
 * destination that is not one unicast host (multicast or broadcast MAC or
 * IP, unspecified address), a protocol other than IPv4 and IPv6; or when
 * m cannot be rewritten: more than one segment, data shared with another
 * mbuf, no tailroom for a longer answer. */
bool sg_reject_build(struct rte_mbuf *m, const struct pkt_meta *meta);
