/* RFC 8040 error replies. poolctl has no ietf-restconf module, so libyang
 * parses the document into opaque nodes, which keep names and values. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libyang/libyang.h>

#include "control/poolctl_error.h"

static bool opaq_named(const struct lyd_node *node, const char *name)
{
	return !node->schema && !strcmp(((const struct lyd_node_opaq *)node)->name.name, name);
}

/* The value of the opaque child called name, or NULL. */
static const char *opaq_child_value(const struct lyd_node *parent, const char *name)
{
	const struct lyd_node *child;

	LY_LIST_FOR(lyd_child(parent), child) {
		if (opaq_named(child, name))
			return ((const struct lyd_node_opaq *)child)->value;
	}
	return NULL;
}

static int error_print(long status, const struct lyd_node *error)
{
	const char *path = opaq_child_value(error, "error-path");
	const char *message = opaq_child_value(error, "error-message");
	const char *tag = opaq_child_value(error, "error-tag");

	if (!message && !tag)
		return 0;
	fprintf(stderr, "poolctl: %s%s%s (HTTP %ld %s)\n", path && *path ? path : "",
		path && *path ? ": " : "", message ? message : "error", status,
		tag ? tag : "");
	return 1;
}

/* Prints every "error" under the "errors" container; returns how many. */
static int errors_print(long status, const struct lyd_node *tree)
{
	const struct lyd_node *errors, *error;
	int printed = 0;

	LY_LIST_FOR(tree, errors) {
		if (!opaq_named(errors, "errors"))
			continue;
		LY_LIST_FOR(lyd_child(errors), error)
			printed += error_print(status, error);
	}
	return printed;
}

void poolctl_errors_print(long status, const char *body)
{
	struct lyd_node *tree = NULL;
	struct ly_ctx *ctx = NULL;
	int printed = 0;

	if (body && *body && !ly_ctx_new(NULL, LY_CTX_NO_YANGLIBRARY, &ctx) &&
	    !lyd_parse_data_mem(ctx, body, LYD_JSON, LYD_PARSE_ONLY | LYD_PARSE_OPAQ, 0, &tree))
		printed = errors_print(status, tree);
	if (!printed)
		fprintf(stderr, "poolctl: the server replied HTTP %ld without an RFC 8040 error\n",
			status);
	lyd_free_all(tree);
	ly_ctx_destroy(ctx);
}
