#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/pkt_meta.h"
#include "eal_fixture.h"

#define FIXTURE_POOL_SIZE 1023 /* a power of two minus one suits the ring */

static struct rte_mempool *pool;

int eal_fixture_init(const char *file_prefix)
{
	char prefix_arg[64];
	char *argv[] = {
		"unit_test", "--no-huge", "--no-pci", "-m", "256", prefix_arg,
		"--log-level=*:error",
	};

	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", file_prefix);
	if (rte_eal_init(RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if (pkt_meta_register() != 0) {
		fprintf(stderr, "pkt_meta_register: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	/* No per-lcore cache, so rte_mempool_avail_count() is exact for leak checks. */
	pool = rte_pktmbuf_pool_create("unit_pool", FIXTURE_POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

struct rte_mempool *eal_fixture_pool(void)
{
	return pool;
}

struct rte_mbuf *mbuf_from_bytes(const void *bytes, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, bytes, len);
	return m;
}

void eal_fixture_fini(void)
{
	rte_mempool_free(pool);
	pool = NULL;
	rte_eal_cleanup();
}

struct rte_rcu_qsbr *eal_fixture_rcu(void)
{
	struct rte_rcu_qsbr *rcu =
		rte_zmalloc("unit_rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);

	if (rcu != NULL && rte_rcu_qsbr_init(rcu, 1) != 0) {
		rte_free(rcu);
		return NULL;
	}
	return rcu;
}
