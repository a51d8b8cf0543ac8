/* poolctl watch counters: packet rates per port and per tenant, from the
 * difference of consecutive GETs of the datastore. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "control/poolctl_table.h"
#include "control/poolctl_tree.h"

#define RATE_COLUMNS 4
#define DROPS_TOTAL NULL /* a tenant's drops: the sum of its drop list */

struct watch_options {
	double interval_s;
	long count; /* refreshes to print; 0 = until interrupted */
};

struct sample {
	struct lyd_node *tree;
	struct timespec at;
};

/* One rate table: a list of the datastore and the counters it shows. */
struct rate_table {
	const char *container, *list;
	const char *header[RATE_COLUMNS + 2]; /* name, rates, NULL */
	const char *counter[RATE_COLUMNS];    /* paths under statistics */
	int counters;
};

static const struct rate_table port_rates = {
	"ports", "port",
	{ "PORT", ">RX pps", ">TX pps", ">DROP pps", NULL },
	{ "rx-packets", "tx-packets", "drops" }, 3,
};

static const struct rate_table tenant_rates = {
	"tenants", "tenant",
	{ "TENANT", ">RX pps", ">TX pps", ">FLOODED pps", ">DROP pps", NULL },
	{ "rx-packets", "tx-packets", "flooded-packets", DROPS_TOTAL }, 4,
};

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static int sample_take(struct poolctl *pc, struct sample *s)
{
	int rc = poolctl_tree_get(pc, "", &s->tree);

	clock_gettime(CLOCK_MONOTONIC, &s->at);
	return rc;
}

static uint64_t entry_counter(const struct lyd_node *entry, const char *counter)
{
	const struct lyd_node *stats = poolctl_child_next(entry, NULL, "statistics");

	if (counter == DROPS_TOTAL)
		return poolctl_drops_total(stats);
	return poolctl_counter(stats, counter);
}

/* The entry of prev's list with the same name as entry, or NULL. */
static const struct lyd_node *entry_before(const struct rate_table *rt,
					   const struct lyd_node *prev_list_parent,
					   const char *name)
{
	struct lyd_node *e;

	POOLCTL_FOR_EACH_CHILD(prev_list_parent, rt->list, e) {
		if (!strcmp(poolctl_value(e, "name"), name))
			return e;
	}
	return NULL;
}

static void rate_row_add(struct poolctl_table *t, const struct rate_table *rt,
			 const struct lyd_node *now, const struct lyd_node *before, double dt)
{
	char cells[RATE_COLUMNS][32];
	const char *row[RATE_COLUMNS + 1];
	uint64_t a, b;
	int i;

	row[0] = poolctl_value(now, "name");
	for (i = 0; i < rt->counters; i++) {
		b = entry_counter(now, rt->counter[i]);
		a = before ? entry_counter(before, rt->counter[i]) : b;
		/* A counter that went back was reset (restart): count from 0. */
		snprintf(cells[i], sizeof(cells[i]), "%.1f", (double)(b >= a ? b - a : b) / dt);
		row[i + 1] = cells[i];
	}
	poolctl_table_add(t, row);
}

static void rates_print(const struct rate_table *rt, const struct sample *prev,
			const struct sample *cur)
{
	struct lyd_node *now = poolctl_tree_top(cur->tree, rt->container);
	struct lyd_node *before = poolctl_tree_top(prev->tree, rt->container);
	double dt = fmax(seconds_between(&prev->at, &cur->at), 1e-3);
	struct poolctl_table t;
	struct lyd_node *e;

	poolctl_table_init(&t, rt->header);
	POOLCTL_FOR_EACH_CHILD(now, rt->list, e)
		rate_row_add(&t, rt, e, entry_before(rt, before, poolctl_value(e, "name")), dt);
	poolctl_table_print(&t);
	poolctl_table_free(&t);
}

static void refresh_print(const struct sample *prev, const struct sample *cur, bool tty)
{
	if (tty)
		fputs("\033[H\033[2J", stdout); /* home, clear: a screen that refreshes */
	printf("poolnetd packet rates over %.1f s\n\n", seconds_between(&prev->at, &cur->at));
	rates_print(&port_rates, prev, cur);
	putchar('\n');
	rates_print(&tenant_rates, prev, cur);
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int watch_options_parse(int argc, char **argv, struct watch_options *o)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	o->interval_s = 1.0;
	o->count = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'i') {
			o->interval_s = strtod(optarg, &end);
			if (*end || !(o->interval_s >= 0.05 && o->interval_s <= 3600))
				return poolctl_usage_error("watch",
							   "--interval: seconds, 0.05 to 3600");
		} else if (c == 'c') {
			o->count = strtol(optarg, &end, 10);
			if (*end || o->count < 1)
				return poolctl_usage_error("watch", "--count: a number above 0");
		} else {
			return poolctl_usage_error("watch", "bad option");
		}
	}
	if (argc - optind != 1 || strcmp(argv[optind], "counters"))
		return poolctl_usage_error("watch", "watch what? counters");
	return POOLCTL_OK;
}

int poolctl_watch(struct poolctl *pc, int argc, char **argv)
{
	struct sample prev, cur;
	struct watch_options o;
	bool tty = isatty(STDOUT_FILENO);
	long shown;
	int rc = watch_options_parse(argc, argv, &o);

	if (rc != POOLCTL_OK)
		return rc;
	rc = sample_take(pc, &prev);
	for (shown = 0; rc == POOLCTL_OK && (!o.count || shown < o.count); shown++) {
		sleep_s(o.interval_s);
		rc = sample_take(pc, &cur);
		if (rc != POOLCTL_OK)
			break;
		refresh_print(&prev, &cur, tty);
		lyd_free_all(prev.tree);
		prev = cur;
	}
	lyd_free_all(prev.tree);
	return rc;
}
