/* Shared set-up for the unit tests: EAL without hugepages or PCI, the
 * packet metadata dynfield, one mbuf pool, and frames built from bytes. */
#pragma once

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

/* Starts EAL once per process. file_prefix must differ between test
 * binaries so meson can run them in parallel. Returns 0 or -1. */
int eal_fixture_init(const char *file_prefix);

/* The pool created by eal_fixture_init(). */
struct rte_mempool *eal_fixture_pool(void);

/* An mbuf holding a copy of len bytes, with the default headroom. */
struct rte_mbuf *mbuf_from_bytes(const void *bytes, uint16_t len);

/* A QSBR variable for one reader thread (id 0), for the tables that free
 * through RCU; NULL when out of memory. Free it with rte_free(). */
struct rte_rcu_qsbr *eal_fixture_rcu(void);

/* Stops EAL; call once at the end of main(). */
void eal_fixture_fini(void);
