/* GET and HEAD on /restconf/data: a copy of the running config, with the
 * operational state and the YANG library added, filtered by the content
 * and depth parameters (RFC 8040 §4.8.1, §4.8.2), printed as RFC 7951 JSON.
 * Defaults are reported in "explicit" mode (RFC 6243), as the running
 * config is persisted: a default nobody set is not data. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "control/restconf_internal.h"

#define DEPTH_MAX 65535

enum content_filter {
	CONTENT_ALL,
	CONTENT_CONFIG,
	CONTENT_NONCONFIG,
};

static int parse_content(const char *value, enum content_filter *content,
			 struct datastore_error *err)
{
	if (!value || strcmp(value, "all") == 0)
		*content = CONTENT_ALL;
	else if (strcmp(value, "config") == 0)
		*content = CONTENT_CONFIG;
	else if (strcmp(value, "nonconfig") == 0)
		*content = CONTENT_NONCONFIG;
	else
		return datastore_error_set(err, 400, "invalid-value", NULL,
					   "content must be config, nonconfig or all, not '%s'",
					   value);
	return 0;
}

/* depth: 1..65535 or "unbounded" (0 here). */
static int parse_depth(const char *value, unsigned int *depth, struct datastore_error *err)
{
	unsigned long n;
	char *end;

	*depth = 0;
	if (!value || strcmp(value, "unbounded") == 0)
		return 0;
	n = strtoul(value, &end, 10);
	if (*value < '0' || *value > '9' || *end || n < 1 || n > DEPTH_MAX)
		return datastore_error_set(err, 400, "invalid-value", NULL,
					   "depth must be 1..65535 or unbounded, not '%s'", value);
	*depth = n;
	return 0;
}

/* Frees every sibling from first on that keep() rejects; returns the new
 * first sibling. */
static struct lyd_node *filter_siblings(struct lyd_node *first, bool (*keep)(struct lyd_node *))
{
	struct lyd_node *node, *next, *kept = NULL;

	for (node = first; node; node = next) {
		next = node->next;
		if (keep(node))
			kept = kept ? kept : node;
		else
			lyd_free_tree(node);
	}
	return kept;
}

/* content=nonconfig: keeps config false subtrees, and the list keys and
 * containers leading to them. */
static bool holds_state(struct lyd_node *node)
{
	struct lyd_node *child, *next;
	bool state = false;

	if (node->schema->flags & LYS_CONFIG_R)
		return true;
	for (child = lyd_child(node); child; child = next) {
		next = child->next;
		if (lysc_is_key(child->schema))
			continue;
		if (holds_state(child))
			state = true;
		else
			lyd_free_tree(child);
	}
	return state;
}

/* Frees what lies deeper than depth below node (at level), list keys aside:
 * they name the entries that remain. */
static void trim_depth(struct lyd_node *node, unsigned int level, unsigned int depth)
{
	struct lyd_node *child, *next;

	for (child = lyd_child(node); child; child = next) {
		next = child->next;
		if (lysc_is_key(child->schema))
			continue;
		if (level >= depth)
			lyd_free_tree(child);
		else
			trim_depth(child, level + 1, depth);
	}
}

/* The operational view: running config + backend state + YANG library. */
static int add_state(const struct restconf_backend *backend, struct lyd_node **tree,
		     struct datastore_error *err)
{
	struct ly_ctx *ctx = backend->ds->ctx;
	struct lyd_node *library = NULL;

	if (backend->state_add && backend->state_add(backend->ctx, tree) != 0)
		return datastore_error_set(err, 500, "operation-failed", NULL,
					   "cannot read the operational state");
	if (ly_ctx_get_yanglib_data(ctx, &library, "%" PRIu16, ly_ctx_get_change_count(ctx)) !=
		    LY_SUCCESS ||
	    lyd_merge_siblings(tree, library, LYD_MERGE_DESTRUCT) != LY_SUCCESS) {
		lyd_free_all(library);
		return datastore_error_set(err, 500, "operation-failed", NULL,
					   "cannot build the YANG library");
	}
	return 0;
}

/* Builds the filtered tree; *target is the node the path names (NULL for
 * the datastore root). */
static int read_tree(const struct restconf_backend *backend, const struct restconf_target *t,
		     enum content_filter content, struct lyd_node **tree, struct lyd_node **target,
		     struct datastore_error *err)
{
	const struct datastore *ds = backend->ds;
	int ret;

	*target = NULL;
	*tree = NULL;
	if (ds->running && lyd_dup_siblings(ds->running, NULL, LYD_DUP_RECURSIVE, tree))
		return datastore_error_set(err, 500, "operation-failed", NULL, "out of memory");
	if (content != CONTENT_CONFIG) {
		ret = add_state(backend, tree, err);
		if (ret != 0)
			return ret;
	}
	if (content == CONTENT_NONCONFIG)
		*tree = filter_siblings(*tree, holds_state);
	if (!t->schema)
		return 0;
	if (!*tree || lyd_find_path(*tree, t->xpath, 0, target) != LY_SUCCESS ||
	    ((*target)->flags & LYD_DEFAULT))
		return datastore_error_set(err, 404, "data-missing", t->xpath, "no such data");
	return 0;
}

static int print_tree(struct lyd_node *tree, struct lyd_node *target, unsigned int depth,
		      char **out, struct datastore_error *err)
{
	struct lyd_node *node;
	LY_ERR ret;

	if (depth && target) {
		trim_depth(target, 1, depth);
	} else if (depth) {
		LY_LIST_FOR(tree, node)
			trim_depth(node, 1, depth);
	}
	/* libyang prints nothing for a container depth left empty. */
	if (target && target->schema->nodetype == LYS_CONTAINER && !lyd_child(target))
		ret = asprintf(out, "{\n  \"%s:%s\": {}\n}\n", target->schema->module->name,
			       target->schema->name) < 0 ? LY_EMEM : LY_SUCCESS;
	else if (target)
		ret = lyd_print_mem(out, target, LYD_JSON, 0);
	else
		ret = lyd_print_mem(out, tree, LYD_JSON, LYD_PRINT_WITHSIBLINGS);
	if (ret != LY_SUCCESS)
		return datastore_error_set(err, 500, "operation-failed", NULL,
					   "cannot print the data");
	/* An empty datastore prints nothing: RFC 7951 wants an object. */
	if (!*out || !**out) {
		free(*out);
		*out = strdup("{\n}\n");
	}
	return 0;
}

void restconf_data_read(const struct restconf_backend *backend, const struct restconf_request *req,
			const struct restconf_target *t, struct restconf_reply *reply)
{
	struct lyd_node *tree = NULL, *target;
	enum content_filter content = CONTENT_ALL;
	struct datastore_error err;
	unsigned int depth = 0;
	char *out = NULL;
	int ret;

	ret = parse_content(req->content, &content, &err);
	if (ret == 0)
		ret = parse_depth(req->depth, &depth, &err);
	if (ret == 0)
		ret = read_tree(backend, t, content, &tree, &target, &err);
	if (ret == 0)
		ret = print_tree(tree, target, depth, &out, &err);
	lyd_free_all(tree);
	if (ret != 0) {
		restconf_reply_error(reply, &err);
		return;
	}
	reply->status = 200;
	reply->body = out;
	reply->content_type = RESTCONF_MEDIA_JSON;
	restconf_reply_version(reply, backend->ds);
}
