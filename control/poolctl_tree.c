/* Reading poolnetd's data with libyang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "control/poolctl_tree.h"

/* Not strict: a poolctl older than the daemon still shows what it knows
 * and skips the nodes it has no schema for. State data is allowed. */
#define REPLY_PARSE_OPTIONS LYD_PARSE_ONLY

static int reply_parse(struct ly_ctx *ctx, const struct poolctl_reply *reply,
		       struct lyd_node **tree)
{
	const struct ly_err_item *e;

	if (!lyd_parse_data_mem(ctx, reply->body, LYD_JSON, REPLY_PARSE_OPTIONS, 0, tree))
		return POOLCTL_OK;
	e = ly_err_last(ctx);
	fprintf(stderr, "poolctl: cannot read poolnetd's reply: %s\n",
		e && e->msg ? e->msg : "not RFC 7951 JSON of poolnet's modules");
	ly_err_clean(ctx, NULL);
	*tree = NULL;
	return POOLCTL_SERVER;
}

int poolctl_tree_get(struct poolctl *pc, const char *api_path, struct lyd_node **tree)
{
	struct ly_ctx *ctx = poolctl_yang(pc);
	struct poolctl_reply reply;
	int rc;

	*tree = NULL;
	if (!ctx)
		return POOLCTL_SERVER;
	rc = poolctl_data_get(pc, api_path, &reply);
	if (rc != POOLCTL_OK)
		return rc;
	rc = reply_parse(ctx, &reply, tree);
	poolctl_reply_free(&reply);
	if (rc != POOLCTL_OK)
		return rc;
	/* Servers omit defaults (RFC 8040 with-defaults "explicit"); the
	 * tables show them, e.g. a port's MTU. */
	if (lyd_new_implicit_all(tree, ctx, LYD_IMPLICIT_NO_STATE, NULL)) {
		lyd_free_all(*tree);
		*tree = NULL;
		return POOLCTL_SERVER;
	}
	return POOLCTL_OK;
}

struct lyd_node *poolctl_tree_top(struct lyd_node *tree, const char *name)
{
	struct lyd_node *node;

	LY_LIST_FOR(tree, node) {
		if (node->schema && !strcmp(node->schema->name, name))
			return node;
	}
	return NULL;
}

struct lyd_node *poolctl_child_next(const struct lyd_node *parent, const struct lyd_node *prev,
				    const char *name)
{
	struct lyd_node *node = prev ? prev->next : lyd_child(parent);

	for (; node; node = node->next) {
		if (node->schema && !strcmp(node->schema->name, name))
			return node;
	}
	return NULL;
}

const char *poolctl_value(const struct lyd_node *node, const char *path)
{
	struct lyd_node *found;

	if (!node || lyd_find_path(node, path, 0, &found))
		return NULL;
	return lyd_get_value(found);
}

uint64_t poolctl_counter(const struct lyd_node *node, const char *path)
{
	const char *value = poolctl_value(node, path);

	return value ? strtoull(value, NULL, 10) : 0;
}

uint64_t poolctl_drops_total(const struct lyd_node *statistics)
{
	struct lyd_node *drop;
	uint64_t total = 0;

	POOLCTL_FOR_EACH_CHILD(statistics, "drop", drop)
		total += poolctl_counter(drop, "packets");
	return total;
}
