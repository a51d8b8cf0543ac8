/* Per-packet metadata, kept in an mbuf dynamic field: written by parse,
 * then read and completed by the later pipeline stages. */
#pragma once

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

struct pkt_meta {
	uint16_t l3_off;    /* bytes from the frame start to the L3 header */
	uint16_t l4_off;    /* bytes to the L4 header; 0 when absent */
	uint16_t ethertype; /* network order, the one after the tags */
	uint16_t vlan;      /* VID of the outer tag; 0 if untagged/priority */
	uint8_t n_tags;     /* 802.1Q/802.1ad tags seen (parse stops at 2) */
	uint8_t l4_proto;   /* IPPROTO_* of the L4 header; 0 when absent */
	uint16_t inner_off; /* VXLAN: bytes to the inner Ethernet header */
	uint32_t vni;       /* VXLAN network identifier, host order */
	uint16_t tenant;    /* tenant slot, once classified */
	uint16_t vtep;      /* VXLAN: index of the source VTEP in the tables */
};

extern int pkt_meta_offset;

/* Registers the dynamic field; call once after rte_eal_init. */
int pkt_meta_register(void);

static inline struct pkt_meta *pkt_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, pkt_meta_offset, struct pkt_meta *);
}
