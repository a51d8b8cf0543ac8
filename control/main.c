/* poolnetd: the switch. The main lcore runs the control agent (a libev
 * loop); every other lcore runs a datapath worker. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ev.h>
#include <libyang/libyang.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "control/agent.h"
#include "control/agent_state.h"
#include "control/arp_resolver.h"
#include "control/config_load.h"
#include "control/mac_learning.h"
#include "control/ports.h"
#include "control/restconf.h"
#include "control/table_compile.h"
#include "control/telemetry.h"
#include "dataplane/parse.h"

#define RING_SIZE 4096
#define SESSIONS_PER_WORKER (1u << 17) /* connection-tracking sessions */
#define POLL_INTERVAL_S 0.001  /* learn and punt rings */
#define HOUSEKEEPING_S 1.0     /* MAC ageing, ARP retries */
#define STATE_DIR_DEFAULT "/var/lib/poolnet"
#define RUNNING_FILE "running.json"

struct options {
	const char *config;
	const char *state_dir;
	bool check;
	unsigned workers;
	bool no_huge;
	const char *file_prefix;
	const char *lcores;
	unsigned idle_sleep_us;
	struct restconf_options restconf;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: poolnetd [--config FILE] [options]\n"
		"  --config FILE        start with this configuration (RFC 7951 JSON,\n"
		"                       yang/poolnet.yang); without it, the one saved\n"
		"                       in the state directory, or an empty one\n"
		"  --check              validate --config FILE and exit\n"
		"  --state-dir DIR      where the running configuration is saved\n"
		"                       (default " STATE_DIR_DEFAULT ")\n"
		"  --workers N          datapath workers (default 1)\n"
		"  --no-huge            use anonymous memory instead of hugepages\n"
		"  --file-prefix NAME   DPDK runtime prefix (default poolnet); telemetry\n"
		"                       socket: /var/run/dpdk/NAME/dpdk_telemetry.v2\n"
		"  --lcores MAP         EAL lcore map (default: main floats, worker i on cpu i)\n"
		"  --idle-sleep-us N    sleep of an idle worker (default 100, 0 = busy poll)\n"
		"  --restconf-socket P  RESTCONF unix socket (default " RESTCONF_UNIX_PATH ")\n"
		"  --restconf-tcp A:P   also serve RESTCONF on TCP address A, port P\n");
}

static int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'C'},
		{"state-dir", required_argument, NULL, 's'},
		{"workers", required_argument, NULL, 'w'},
		{"no-huge", no_argument, NULL, 'H'},
		{"file-prefix", required_argument, NULL, 'p'},
		{"lcores", required_argument, NULL, 'l'},
		{"idle-sleep-us", required_argument, NULL, 'i'},
		{"restconf-socket", required_argument, NULL, 'r'},
		{"restconf-tcp", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	char *end;
	int c;

	*o = (struct options){.workers = 1, .file_prefix = "poolnet", .idle_sleep_us = 100,
			      .state_dir = STATE_DIR_DEFAULT};
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'C': o->check = true; break;
		case 's': o->state_dir = optarg; break;
		case 'H': o->no_huge = true; break;
		case 'p': o->file_prefix = optarg; break;
		case 'l': o->lcores = optarg; break;
		case 'r': o->restconf.unix_path = optarg; break;
		case 't': o->restconf.tcp_address = optarg; break;
		case 'w':
			o->workers = strtoul(optarg, &end, 10);
			if (*end != '\0' || o->workers < 1 || o->workers > WORKER_MAX) {
				fprintf(stderr, "poolnetd: --workers must be 1..%u\n", WORKER_MAX);
				return -1;
			}
			break;
		case 'i':
			o->idle_sleep_us = strtoul(optarg, &end, 10);
			if (*end != '\0') {
				fprintf(stderr, "poolnetd: --idle-sleep-us takes microseconds\n");
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if ((o->check && o->config == NULL) || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* Validates the file before anything starts: a bad one ends poolnetd with
 * the path of the offending node. */
static int config_check(const char *path)
{
	char err[1024];
	struct lyd_node *tree = NULL;
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct ly_ctx *ctx = yang_context_create(POOLNET_YANG_DIR, err, sizeof(err));
	int ret = -EINVAL;

	if (ctx != NULL && cfg != NULL)
		ret = config_tree_load(ctx, path, &tree, err, sizeof(err));
	if (ret == 0)
		ret = config_from_tree(tree, cfg, err, sizeof(err));
	if (ret != 0)
		fprintf(stderr, "poolnetd: config error: %s\n", err);
	lyd_free_all(tree);
	ly_ctx_destroy(ctx);
	config_free(cfg);
	return ret;
}

static int eal_start(const struct options *o)
{
	char lcores[256], prefix[128];
	char *argv[16];
	int argc = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n;

	if (o->lcores != NULL) {
		snprintf(lcores, sizeof(lcores), "--lcores=%s", o->lcores);
	} else {
		/* The control thread floats; worker i is pinned to cpu i (mod cpus). */
		n = snprintf(lcores, sizeof(lcores), "--lcores=0@(0-%ld)", cpus - 1);
		for (unsigned w = 1; w <= o->workers && n < (int)sizeof(lcores); w++)
			n += snprintf(lcores + n, sizeof(lcores) - n, ",%u@%ld", w, w % cpus);
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", o->file_prefix);
	argv[argc++] = "poolnetd";
	argv[argc++] = lcores;
	argv[argc++] = prefix;
	argv[argc++] = "--no-pci";
	argv[argc++] = "--log-level=*:notice";
	/* Lets rte_acl use its AVX-512 32-lane classifier where the CPU has it:
	 * 12-25% fewer cycles per key than the default 256-bit limit allows. */
	argv[argc++] = "--force-max-simd-bitwidth=512";
	if (o->no_huge) {
		argv[argc++] = "--no-huge";
		argv[argc++] = "-m";
		argv[argc++] = "1024";
	}
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "poolnetd: cannot start DPDK: %s%s\n", rte_strerror(rte_errno),
			o->no_huge ? "" : " (no hugepages? try --no-huge)");
		return -1;
	}
	if (rte_lcore_count() != o->workers + 1) {
		fprintf(stderr, "poolnetd: %u workers need %u lcores, --lcores gives %u\n",
			o->workers, o->workers + 1, rte_lcore_count());
		return -1;
	}
	return 0;
}

static int dataplane_init(struct agent *a, const struct options *o)
{
	struct dataplane *dp = &a->dp;
	unsigned n_mbufs = 8192 + a->cfg->n_ports * o->workers * (PORT_RX_DESC + PORT_TX_DESC) +
			   o->workers * RTE_MAX_ETHPORTS * WORKER_BURST * 2 + 2 * RING_SIZE;
	size_t rcu_size = rte_rcu_qsbr_get_memsize(o->workers);

	dp->tsc_hz = rte_get_tsc_hz();
	dp->idle_sleep_us = o->idle_sleep_us;
	dp->pool = rte_pktmbuf_pool_create("mbufs", n_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	dp->learn_ring = rte_ring_create_elem("learn", sizeof(struct learn_event), RING_SIZE,
					      SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->punt_ring = rte_ring_create("punt", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->control_tx_ring = rte_ring_create("control_tx", RING_SIZE, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
	dp->rcu = rte_zmalloc("rcu", rcu_size, RTE_CACHE_LINE_SIZE);
	if (dp->pool == NULL || dp->learn_ring == NULL || dp->punt_ring == NULL ||
	    dp->control_tx_ring == NULL || dp->rcu == NULL ||
	    rte_rcu_qsbr_init(dp->rcu, o->workers) != 0) {
		fprintf(stderr, "poolnetd: out of DPDK memory for buffers and rings: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	dp->macs = mac_table_create("macs", MAC_TABLE_CAPACITY, dp->rcu);
	if (dp->macs == NULL) {
		fprintf(stderr, "poolnetd: cannot create the MAC table: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	dp->n_workers = o->workers;
	for (unsigned w = 0; w < o->workers; w++) {
		char name[16];

		snprintf(name, sizeof(name), "sessions%u", w % DP_MAX_WORKERS);
		dp->sessions[w] = ct_table_create(name, SESSIONS_PER_WORKER, dp->rcu, SOCKET_ID_ANY);
		if (dp->sessions[w] == NULL) {
			fprintf(stderr, "poolnetd: cannot create the session tables: %s\n",
				rte_strerror(rte_errno));
			return -1;
		}
	}
	return pkt_meta_register();
}

static int workers_create(struct agent *a)
{
	for (unsigned w = 0; w < a->n_workers; w++) {
		a->workers[w] = rte_zmalloc_socket("worker", sizeof(struct worker), RTE_CACHE_LINE_SIZE,
						   SOCKET_ID_ANY);
		if (a->workers[w] == NULL)
			return -ENOMEM;
		a->workers[w]->dp = &a->dp;
		a->workers[w]->index = w;
	}
	return 0;
}

static int workers_launch(struct agent *a)
{
	unsigned lcore, w = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		a->workers[w]->lcore_id = lcore;
		if (rte_eal_remote_launch(worker_main, a->workers[w], lcore) != 0)
			return -1;
		w++;
	}
	return 0;
}

static void on_signal(struct ev_loop *loop, ev_signal *w __rte_unused, int revents __rte_unused)
{
	ev_break(loop, EVBREAK_ALL);
}

/* Learn events and punted frames from the workers. */
static void on_poll(struct ev_loop *loop, ev_timer *timer __rte_unused, int revents __rte_unused)
{
	struct agent *a = ev_userdata(loop);
	struct rte_mbuf *pkts[WORKER_BURST];
	unsigned n;

	pthread_mutex_lock(&a->lock);
	mac_learning_drain(a, rte_rdtsc());
	n = rte_ring_sc_dequeue_burst(a->dp.punt_ring, (void **)pkts, WORKER_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		if (punt_reason_of(pkts[i]) == PUNT_ARP)
			arp_input(a, pkts[i]);
		else
			arp_hold(a, pkts[i], punt_vtep_of(pkts[i]));
	}
	pthread_mutex_unlock(&a->lock);
}

static void on_housekeeping(struct ev_loop *loop, ev_timer *timer __rte_unused,
			    int revents __rte_unused)
{
	struct agent *a = ev_userdata(loop);
	uint64_t now = rte_rdtsc();

	pthread_mutex_lock(&a->lock);
	mac_learning_age(a, now);
	arp_resolver_poll(a, now);
	pthread_mutex_unlock(&a->lock);
}

static int agent_run(struct agent *a, const struct options *o)
{
	const struct restconf_backend backend = {&a->ds, agent_state_add, a};
	struct restconf_server *server;
	ev_signal sigint, sigterm;
	ev_timer poll, housekeeping;
	char err[256];

	a->loop = ev_default_loop(EVFLAG_AUTO);
	ev_set_userdata(a->loop, a);
	server = restconf_server_start(a->loop, &o->restconf, &backend, err, sizeof(err));
	if (server == NULL) {
		fprintf(stderr, "poolnetd: %s\n", err);
		return 1;
	}
	ev_signal_init(&sigint, on_signal, SIGINT);
	ev_signal_init(&sigterm, on_signal, SIGTERM);
	ev_timer_init(&poll, on_poll, POLL_INTERVAL_S, POLL_INTERVAL_S);
	ev_timer_init(&housekeeping, on_housekeeping, 0, HOUSEKEEPING_S);
	ev_signal_start(a->loop, &sigint);
	ev_signal_start(a->loop, &sigterm);
	ev_timer_start(a->loop, &poll);
	ev_timer_start(a->loop, &housekeeping);
	printf("poolnetd: ready (%u workers, %u ports, %u tenants)\n", a->n_workers,
	       a->cfg->n_ports, a->cfg->n_tenants);
	fflush(stdout);
	ev_run(a->loop, 0);
	restconf_server_stop(server);
	return 0;
}

/* The first running configuration: --config, else the saved one, else
 * an empty one. Applied and saved like any commit. */
static int datastore_start(struct agent *a, const struct options *o, struct ly_ctx *ctx)
{
	static const struct datastore_ops ops = {.apply = agent_apply};
	struct datastore_error err = {0};
	char file[512];
	const char *load;
	int ret;

	if (mkdir(o->state_dir, 0750) != 0 && errno != EEXIST) {
		fprintf(stderr, "poolnetd: cannot create the state directory %s: %s\n", o->state_dir,
			strerror(errno));
		return -errno;
	}
	snprintf(file, sizeof(file), "%s/%s", o->state_dir, RUNNING_FILE);
	if (datastore_init(&a->ds, ctx, file, &ops, a) != 0)
		return -ENOMEM;
	load = o->config ? o->config : access(file, R_OK) == 0 ? file : NULL;
	ret = load ? datastore_load_file(&a->ds, load, &err) : datastore_commit(&a->ds, NULL, &err);
	if (ret != 0)
		fprintf(stderr, "poolnetd: cannot apply %s: %s%s%s\n", load ? load : "the empty config",
			err.path, err.path[0] ? ": " : "", err.message);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct config empty_config;
	static struct agent agent = {.lock = PTHREAD_MUTEX_INITIALIZER, .cfg = &empty_config};
	struct agent *a = &agent;
	struct ly_ctx *ctx = NULL;
	struct options o;
	char err[512] = "";
	int ret = 1;

	if (options_parse(argc, argv, &o) != 0)
		return 2;
	if (o.config != NULL && config_check(o.config) != 0)
		return 1;
	if (o.check) {
		printf("config OK\n");
		return 0;
	}
	a->n_workers = o.workers;
	if (eal_start(&o) != 0)
		return 1;
	ctx = yang_context_create(POOLNET_YANG_DIR, err, sizeof(err));
	if (ctx == NULL) {
		fprintf(stderr, "poolnetd: cannot load the YANG modules: %s\n", err);
		goto out;
	}
	if (dataplane_init(a, &o) != 0 || workers_create(a) != 0)
		goto out;
	if (datastore_start(a, &o, ctx) != 0)
		goto stop_ports;
	if (telemetry_register(a) != 0) {
		fprintf(stderr, "poolnetd: cannot register the telemetry commands\n");
		goto stop_ports;
	}
	if (workers_launch(a) != 0) {
		fprintf(stderr, "poolnetd: cannot launch the workers\n");
		a->dp.stop = true;
		goto stop_workers;
	}
	ret = agent_run(a, &o);
	a->dp.stop = true;
stop_workers:
	rte_eal_mp_wait_lcore();
stop_ports:
	for (unsigned i = 0; i < a->cfg->n_ports; i++)
		port_stop(a->port_ids[i]);
out:
	datastore_fini(&a->ds);
	ly_ctx_destroy(ctx);
	rte_eal_cleanup();
	return ret;
}
