/* poolctl show tenants|ports|macs|counters: the daemon's config and state
 * as aligned tables (or the RFC 7951 JSON as received). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libyang/libyang.h>

#include "control/poolctl_table.h"
#include "control/poolctl_tree.h"

#define CELL 512
#define NUM 24

struct show_options {
	bool json;
	bool names; /* names only, one a line: for the bash completion */
};

static void u64_cell(char *cell, uint64_t value)
{
	snprintf(cell, NUM, "%" PRIu64, value);
}

/* Appends "sep item" to list (a CELL-byte buffer), "item" when empty; a
 * list too long for the cell ends in "...". */
static void list_append(char *list, const char *sep, const char *item)
{
	size_t len = strlen(list);

	if (snprintf(list + len, CELL - len, "%s%s", len ? sep : "", item) >= (int)(CELL - len))
		strcpy(list + CELL - 4, "...");
}

/* "reason=packets,..." for the non-zero drop reasons of statistics. */
static void drop_reasons_cell(const struct lyd_node *statistics, char *cell)
{
	struct lyd_node *drop;
	char item[CELL];
	uint64_t n;

	cell[0] = '\0';
	POOLCTL_FOR_EACH_CHILD(statistics, "drop", drop) {
		n = poolctl_counter(drop, "packets");
		if (!n)
			continue;
		snprintf(item, sizeof(item), "%s=%" PRIu64, poolctl_value(drop, "reason"), n);
		list_append(cell, ",", item);
	}
}

/* "red-a@red1,red-b@red2.100": each attachment at its port and VLAN. */
static void attachments_cell(const struct lyd_node *tenant, char *cell)
{
	const char *vlan;
	struct lyd_node *a;
	char item[CELL];

	cell[0] = '\0';
	POOLCTL_FOR_EACH_CHILD(tenant, "attachment", a) {
		vlan = poolctl_value(a, "vlan");
		snprintf(item, sizeof(item), "%s@%s%s%s", poolctl_value(a, "name"),
			 poolctl_value(a, "port"), vlan ? "." : "", vlan ? vlan : "");
		list_append(cell, ",", item);
	}
}

static void vteps_cell(const struct lyd_node *tenant, char *cell)
{
	struct lyd_node *v;

	cell[0] = '\0';
	POOLCTL_FOR_EACH_CHILD(tenant, "remote-vtep", v)
		list_append(cell, ",", lyd_get_value(v));
}

static void names_print(const struct lyd_node *container, const char *list)
{
	struct lyd_node *entry;

	POOLCTL_FOR_EACH_CHILD(container, list, entry)
		printf("%s\n", poolctl_value(entry, "name"));
}

static void tenants_print(const struct lyd_node *tenants)
{
	static const char *const header[] = {
		"NAME", ">ID", ">VNI", "ATTACHMENTS", "REMOTE-VTEPS",
		">RX", ">TX", ">FLOODED", ">DROPS", NULL,
	};
	char att[CELL], vteps[CELL], rx[NUM], tx[NUM], flooded[NUM], drops[NUM];
	struct poolctl_table t;
	struct lyd_node *tenant, *stats;

	poolctl_table_init(&t, header);
	POOLCTL_FOR_EACH_CHILD(tenants, "tenant", tenant) {
		stats = poolctl_child_next(tenant, NULL, "statistics");
		attachments_cell(tenant, att);
		vteps_cell(tenant, vteps);
		u64_cell(rx, poolctl_counter(stats, "rx-packets"));
		u64_cell(tx, poolctl_counter(stats, "tx-packets"));
		u64_cell(flooded, poolctl_counter(stats, "flooded-packets"));
		u64_cell(drops, poolctl_drops_total(stats));
		poolctl_table_add(&t, (const char *const[]){
			poolctl_value(tenant, "name"), poolctl_value(tenant, "id"),
			poolctl_value(tenant, "vni"), *att ? att : NULL, *vteps ? vteps : NULL,
			rx, tx, flooded, drops });
	}
	poolctl_table_print(&t);
	poolctl_table_free(&t);
}

static void ports_print(const struct lyd_node *ports)
{
	static const char *const header[] = {
		"NAME", "ROLE", "DEVARGS", ">MTU", ">RX", ">TX", ">DROPS", NULL,
	};
	char rx[NUM], tx[NUM], drops[NUM];
	struct poolctl_table t;
	struct lyd_node *port;

	poolctl_table_init(&t, header);
	POOLCTL_FOR_EACH_CHILD(ports, "port", port) {
		u64_cell(rx, poolctl_counter(port, "statistics/rx-packets"));
		u64_cell(tx, poolctl_counter(port, "statistics/tx-packets"));
		u64_cell(drops, poolctl_counter(port, "statistics/drops"));
		poolctl_table_add(&t, (const char *const[]){
			poolctl_value(port, "name"), poolctl_value(port, "role"),
			poolctl_value(port, "devargs"), poolctl_value(port, "mtu"),
			rx, tx, drops });
	}
	poolctl_table_print(&t);
	poolctl_table_free(&t);
}

static void mac_rows_add(struct poolctl_table *t, const struct lyd_node *tenant)
{
	const char *name = poolctl_value(tenant, "name"), *vtep, *att, *is_static;
	struct lyd_node *table = poolctl_child_next(tenant, NULL, "mac-table"), *e;
	char where[CELL];

	POOLCTL_FOR_EACH_CHILD(table, "entry", e) {
		att = poolctl_value(e, "attachment");
		vtep = poolctl_value(e, "remote-vtep");
		snprintf(where, sizeof(where), "%s%s", att ? att : vtep ? "vtep " : "-",
			 att ? "" : vtep ? vtep : "");
		is_static = poolctl_value(e, "static");
		poolctl_table_add(t, (const char *const[]){
			name, poolctl_value(e, "mac"), where,
			is_static && !strcmp(is_static, "true") ? "yes" : "no",
			poolctl_value(e, "age") });
	}
}

/* MAC tables of every tenant, or of the one called only. */
static int macs_print(const struct lyd_node *tenants, const char *only)
{
	static const char *const header[] = { "TENANT", "MAC", "WHERE", "STATIC", ">AGE", NULL };
	struct poolctl_table t;
	struct lyd_node *tenant;
	bool found = false;

	poolctl_table_init(&t, header);
	POOLCTL_FOR_EACH_CHILD(tenants, "tenant", tenant) {
		if (only && strcmp(poolctl_value(tenant, "name"), only))
			continue;
		found = true;
		mac_rows_add(&t, tenant);
	}
	if (only && !found) {
		fprintf(stderr, "poolctl: /poolnet:tenants/tenant[name='%s']: no such tenant\n",
			only);
		poolctl_table_free(&t);
		return POOLCTL_REFUSED;
	}
	poolctl_table_print(&t);
	poolctl_table_free(&t);
	return POOLCTL_OK;
}

static void port_counters_print(const struct lyd_node *ports)
{
	static const char *const header[] = {
		"PORT", ">RX", ">TX", ">DROPS", "DROP-REASONS", NULL,
	};
	char rx[NUM], tx[NUM], drops[NUM], reasons[CELL];
	struct lyd_node *port, *stats;
	struct poolctl_table t;

	poolctl_table_init(&t, header);
	POOLCTL_FOR_EACH_CHILD(ports, "port", port) {
		stats = poolctl_child_next(port, NULL, "statistics");
		u64_cell(rx, poolctl_counter(stats, "rx-packets"));
		u64_cell(tx, poolctl_counter(stats, "tx-packets"));
		u64_cell(drops, poolctl_counter(stats, "drops"));
		drop_reasons_cell(stats, reasons);
		poolctl_table_add(&t, (const char *const[]){
			poolctl_value(port, "name"), rx, tx, drops, *reasons ? reasons : NULL });
	}
	poolctl_table_print(&t);
	poolctl_table_free(&t);
}

static void tenant_counters_print(const struct lyd_node *tenants)
{
	static const char *const header[] = {
		"TENANT", ">RX", ">TX", ">FLOODED", ">DROPS", "DROP-REASONS", NULL,
	};
	char rx[NUM], tx[NUM], flooded[NUM], drops[NUM], reasons[CELL];
	struct lyd_node *tenant, *stats;
	struct poolctl_table t;

	poolctl_table_init(&t, header);
	POOLCTL_FOR_EACH_CHILD(tenants, "tenant", tenant) {
		stats = poolctl_child_next(tenant, NULL, "statistics");
		u64_cell(rx, poolctl_counter(stats, "rx-packets"));
		u64_cell(tx, poolctl_counter(stats, "tx-packets"));
		u64_cell(flooded, poolctl_counter(stats, "flooded-packets"));
		u64_cell(drops, poolctl_drops_total(stats));
		drop_reasons_cell(stats, reasons);
		poolctl_table_add(&t, (const char *const[]){
			poolctl_value(tenant, "name"), rx, tx, flooded, drops,
			*reasons ? reasons : NULL });
	}
	poolctl_table_print(&t);
	poolctl_table_free(&t);
}

/* What each show target GETs, and how it prints the tree. */
static int show_print(const char *what, const char *tenant, const struct show_options *o,
		      struct lyd_node *tree)
{
	struct lyd_node *tenants = poolctl_tree_top(tree, "tenants");
	struct lyd_node *ports = poolctl_tree_top(tree, "ports");

	if (!strcmp(what, "tenants") && o->names)
		names_print(tenants, "tenant");
	else if (!strcmp(what, "ports") && o->names)
		names_print(ports, "port");
	else if (!strcmp(what, "tenants"))
		tenants_print(tenants);
	else if (!strcmp(what, "ports"))
		ports_print(ports);
	else if (!strcmp(what, "macs"))
		return macs_print(tenants, tenant);
	else {
		port_counters_print(ports);
		putchar('\n');
		tenant_counters_print(tenants);
	}
	return POOLCTL_OK;
}

static int show_options_parse(int argc, char **argv, struct show_options *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "names", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0; /* GNU getopt: start over on this argv */
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'j')
			o->json = true;
		else if (c == 'n')
			o->names = true;
		else
			return -1;
	}
	return 0;
}

/* The api-path a show target reads: counters need ports and tenants at
 * one instant (watch computes rates from them), so they read the
 * datastore. A tenant's name goes percent-encoded (RFC 8040 3.5.3). */
static void show_api_path(const char *what, const char *tenant, char *path, size_t len)
{
	static const char unreserved[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789-._~";
	size_t n;

	if (!strcmp(what, "ports"))
		snprintf(path, len, "poolnet:ports");
	else if (!strcmp(what, "counters"))
		snprintf(path, len, "%s", "");
	else
		snprintf(path, len, "poolnet:tenants%s", tenant ? "/tenant=" : "");
	n = strlen(path);
	for (; tenant && *tenant && n + 4 < len; tenant++)
		n += snprintf(path + n, len - n, strchr(unreserved, *tenant) ? "%c" : "%%%02X",
			      (unsigned char)*tenant);
}

static bool show_target_valid(const char *what, int args, const struct show_options *o)
{
	bool names_ok = !strcmp(what, "tenants") || !strcmp(what, "ports");

	if (o->names && !names_ok)
		return false;
	if (!strcmp(what, "macs"))
		return args <= 2;
	return args == 1 && (names_ok || !strcmp(what, "counters"));
}

int poolctl_show(struct poolctl *pc, int argc, char **argv)
{
	const char *what, *tenant;
	struct show_options o;
	struct lyd_node *tree;
	char api_path[1024];
	int args, rc;

	if (show_options_parse(argc, argv, &o))
		return poolctl_usage_error("show", "bad option");
	args = argc - optind;
	what = args ? argv[optind] : "";
	if (!args || !show_target_valid(what, args, &o))
		return poolctl_usage_error("show", "show what? tenants, ports, macs or counters");
	tenant = args == 2 ? argv[optind + 1] : NULL;
	if (o.json) {
		show_api_path(what, tenant, api_path, sizeof(api_path));
		return poolctl_json_print(pc, api_path, false);
	}
	/* Tables filter by tenant themselves: one GET, one parse. */
	show_api_path(what, NULL, api_path, sizeof(api_path));
	rc = poolctl_tree_get(pc, api_path, &tree);
	if (rc != POOLCTL_OK)
		return rc;
	rc = show_print(what, tenant, &o, tree);
	lyd_free_all(tree);
	return rc;
}
