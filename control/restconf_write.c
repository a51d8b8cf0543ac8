/* PUT, POST, PATCH and DELETE on /restconf/data (RFC 8040 §4.4-4.7). Each is
 * one transaction: a copy of the running tree is edited and handed to
 * datastore_commit(), which validates, applies and persists it or leaves
 * everything as it was. The running tree itself is never touched here.
 *
 * A body is parsed as a fragment: a scratch tree holding the ancestors of
 * the node it describes (keys only), with the body's nodes under them. The
 * edit is then a merge of that fragment into the copy. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "control/restconf_internal.h"

/* Config only, strict; validation is the commit's. */
#define BODY_PARSE_OPTIONS (LYD_PARSE_ONLY | LYD_PARSE_STRICT | LYD_PARSE_NO_STATE)

enum write_method {
	WRITE_PUT,
	WRITE_POST,
	WRITE_PATCH,
	WRITE_DELETE,
};

struct write_op {
	enum write_method method;
	struct ly_ctx *ctx;
	const struct restconf_target *t;
	struct lyd_node *candidate; /* the edited copy of the running tree */
	struct lyd_node *fragment;  /* the parsed body with its ancestors */
	bool created;               /* the target did not exist before */
	char location[RESTCONF_XPATH_MAX];
};

static enum write_method write_method(const char *method)
{
	if (strcmp(method, "PUT") == 0)
		return WRITE_PUT;
	if (strcmp(method, "POST") == 0)
		return WRITE_POST;
	if (strcmp(method, "PATCH") == 0)
		return WRITE_PATCH;
	return WRITE_DELETE;
}

/* The node at xpath in tree, or NULL. A default nobody set does not count
 * as existing (explicit mode, as GET reports). */
static struct lyd_node *find_explicit(struct lyd_node *tree, const char *xpath)
{
	struct lyd_node *node = NULL;

	if (!tree || lyd_find_path(tree, xpath, 0, &node) != LY_SUCCESS)
		return NULL;
	return node->flags & LYD_DEFAULT ? NULL : node;
}

/* The nodes the body created under parent (the fragment's top level when
 * parent is NULL): its children other than the keys lyd_new_path() put
 * there. Returns how many there are and the first in *node. */
static unsigned int body_nodes(struct lyd_node *fragment, struct lyd_node *parent,
			       struct lyd_node **node)
{
	struct lyd_node *child = parent ? lyd_child(parent) : fragment;
	unsigned int count = 0;

	*node = NULL;
	for (; child; child = child->next) {
		if (parent && lysc_is_key(child->schema))
			continue;
		*node = *node ? *node : child;
		count++;
	}
	return count;
}

/* libyang names the offending node of a body parsed under a parent by
 * its path from the root, without the parent's keys
 * ("/poolnet:tenants/tenant/vni"): keep the part below the parent and put
 * the parent's data path in front ("/poolnet:tenants/tenant[name='red']/vni"). */
static void error_path_under(struct datastore_error *err, const struct lyd_node *parent,
			     const char *parent_xpath)
{
	char path[sizeof(err->path)];
	const char *rest = err->path;
	const struct lyd_node *n;

	if (rest[0] != '/')
		return;
	for (n = parent; n != NULL && rest != NULL; n = lyd_parent(n))
		rest = strchr(rest + 1, '/');
	/* Not below the parent, or too long a path: libyang's path stays. */
	if (rest == NULL)
		return;
	if (snprintf(path, sizeof(path), "%s%s", parent_xpath, rest) < (int)sizeof(path))
		memcpy(err->path, path, sizeof(path));
}

/* Parses the body under the node at parent_xpath ("" = top level). */
static int parse_body(struct write_op *op, const char *body, const char *parent_xpath,
		      struct lyd_node **parent, struct datastore_error *err)
{
	struct lyd_node *parsed = NULL;
	struct ly_in *in = NULL;
	LY_ERR ret;

	*parent = NULL;
	if (parent_xpath[0] &&
	    lyd_new_path2(NULL, op->ctx, parent_xpath, NULL, 0, 0, 0, &op->fragment, parent))
		return restconf_yang_error(op->ctx, err);
	if (ly_in_new_memory(body, &in) != LY_SUCCESS)
		return datastore_error_set(err, 500, "operation-failed", NULL, "out of memory");
	ret = lyd_parse_data(op->ctx, *parent, in, LYD_JSON, BODY_PARSE_OPTIONS, 0, &parsed);
	ly_in_free(in, 0);
	if (ret != LY_SUCCESS) {
		lyd_free_all(parsed);
		restconf_yang_error(op->ctx, err);
		if (*parent)
			error_path_under(err, *parent, parent_xpath);
		return -EINVAL;
	}
	if (!*parent)
		op->fragment = parsed;
	return 0;
}

/* PUT and PATCH: the body is the target itself, under the target's parent;
 * for a list entry or leaf-list value, with the key the URI gives. */
static int parse_target_body(struct write_op *op, const char *body, struct datastore_error *err)
{
	const struct restconf_target *t = op->t;
	char parent_xpath[RESTCONF_XPATH_MAX];
	struct lyd_node *parent, *node;
	unsigned int count;
	int ret;

	snprintf(parent_xpath, sizeof(parent_xpath), "%.*s", (int)t->parent_len, t->xpath);
	ret = parse_body(op, body, parent_xpath, &parent, err);
	if (ret != 0)
		return ret;
	count = body_nodes(op->fragment, parent, &node);
	if (count != 1 || node->schema != t->schema)
		return datastore_error_set(err, 400, "invalid-value", t->xpath,
					   "the body must hold exactly one %s:%s",
					   t->schema->module->name, t->schema->name);
	if (lyd_find_path(op->fragment, t->xpath, 0, &node) != LY_SUCCESS)
		return datastore_error_set(err, 400, "invalid-value", t->xpath,
					   "the key in the body differs from the URI's");
	return 0;
}

/* POST: the body is one new child of the target. */
static int parse_child_body(struct write_op *op, const char *body, struct lyd_node **child,
			    struct datastore_error *err)
{
	const struct restconf_target *t = op->t;
	struct lyd_node *parent;
	int ret;

	ret = parse_body(op, body, t->xpath, &parent, err);
	if (ret != 0)
		return ret;
	if (body_nodes(op->fragment, parent, child) != 1)
		return datastore_error_set(err, 400, "invalid-value", t->xpath,
					   "the body must hold exactly one new resource");
	return 0;
}

static int copy_running(struct write_op *op, const struct datastore *ds,
			struct datastore_error *err)
{
	op->candidate = NULL;
	if (ds->running && lyd_dup_siblings(ds->running, NULL, LYD_DUP_RECURSIVE, &op->candidate))
		return datastore_error_set(err, 500, "operation-failed", NULL, "out of memory");
	return 0;
}

/* Merges the fragment (consumed) into the candidate. */
static int merge_fragment(struct write_op *op, struct datastore_error *err)
{
	LY_ERR ret = lyd_merge_siblings(&op->candidate, op->fragment, LYD_MERGE_DESTRUCT);

	op->fragment = NULL;
	if (ret != LY_SUCCESS)
		return restconf_yang_error(op->ctx, err);
	return 0;
}

/* Unlinks and frees node, which may be the candidate's first sibling. */
static void candidate_remove(struct write_op *op, struct lyd_node *node)
{
	if (node == op->candidate)
		op->candidate = op->candidate->next;
	lyd_free_tree(node);
}

static int edit_put(struct write_op *op, const struct datastore *ds, const char *body,
		    struct datastore_error *err)
{
	struct lyd_node *old;
	int ret;

	/* PUT /restconf/data: the body is the whole new configuration. */
	if (!op->t->schema) {
		ret = parse_body(op, body, "", &old, err);
		return ret ? ret : merge_fragment(op, err);
	}
	ret = parse_target_body(op, body, err);
	if (ret == 0)
		ret = copy_running(op, ds, err);
	if (ret != 0)
		return ret;
	old = find_explicit(op->candidate, op->t->xpath);
	op->created = !old;
	if (old)
		candidate_remove(op, old);
	return merge_fragment(op, err);
}

static int edit_patch(struct write_op *op, const struct datastore *ds, const char *body,
		      struct datastore_error *err)
{
	const struct restconf_target *t = op->t;
	struct lyd_node *unused;
	int ret;

	/* PATCH never creates its target (RFC 8040 §4.6.1); a container
	 * without presence exists whenever its parent does. */
	if (t->schema && !lysc_is_np_cont(t->schema) && !find_explicit(ds->running, t->xpath))
		return datastore_error_set(err, 404, "data-missing", t->xpath, "no such data");
	ret = t->schema ? parse_target_body(op, body, err) : parse_body(op, body, "", &unused, err);
	if (ret == 0)
		ret = copy_running(op, ds, err);
	return ret ? ret : merge_fragment(op, err);
}

static int edit_post(struct write_op *op, const struct datastore *ds, const char *body,
		     struct datastore_error *err)
{
	const struct restconf_target *t = op->t;
	struct lyd_node *child;
	char *child_xpath;
	bool exists;
	int ret;

	if (t->schema && !lysc_is_np_cont(t->schema) && !find_explicit(ds->running, t->xpath))
		return datastore_error_set(err, 404, "data-missing", t->xpath, "no such data");
	ret = parse_child_body(op, body, &child, err);
	if (ret != 0)
		return ret;
	child_xpath = lyd_path(child, LYD_PATH_STD, NULL, 0);
	if (!child_xpath)
		return datastore_error_set(err, 500, "operation-failed", NULL, "out of memory");
	exists = find_explicit(ds->running, child_xpath) != NULL;
	ret = exists ? datastore_error_set(err, 409, "data-exists", child_xpath,
					   "the resource exists already") : 0;
	free(child_xpath);
	if (ret == 0 && restconf_path_of(child, op->location, sizeof(op->location)) != 0)
		ret = datastore_error_set(err, 400, "invalid-value", NULL, "the path is too long");
	if (ret == 0)
		ret = copy_running(op, ds, err);
	op->created = true;
	return ret ? ret : merge_fragment(op, err);
}

static int edit_delete(struct write_op *op, const struct datastore *ds,
		       struct datastore_error *err)
{
	struct lyd_node *node;
	int ret;

	if (lysc_is_key(op->t->schema))
		return datastore_error_set(err, 400, "invalid-value", op->t->xpath,
					   "a list key is deleted with its entry");
	ret = copy_running(op, ds, err);
	if (ret != 0)
		return ret;
	node = find_explicit(op->candidate, op->t->xpath);
	if (!node)
		return datastore_error_set(err, 404, "data-missing", op->t->xpath, "no such data");
	candidate_remove(op, node);
	return 0;
}

static int edit(struct write_op *op, const struct datastore *ds, const char *body,
		struct datastore_error *err)
{
	if (op->t->schema && lysc_is_key(op->t->schema) && op->method != WRITE_DELETE)
		return datastore_error_set(err, 400, "invalid-value", op->t->xpath,
					   "a list key cannot change: write its entry");
	if (op->method != WRITE_DELETE && body[0] == '\0')
		return datastore_error_set(err, 400, "malformed-message", NULL,
					   "the request needs a JSON body");
	switch (op->method) {
	case WRITE_PUT: return edit_put(op, ds, body, err);
	case WRITE_POST: return edit_post(op, ds, body, err);
	case WRITE_PATCH: return edit_patch(op, ds, body, err);
	default: return edit_delete(op, ds, err);
	}
}

/* A delete that leaves a reference dangling fails validation on a leafref:
 * the node is in use (RFC 8040's 409 in-use) rather than invalid. */
static void delete_in_use(struct datastore_error *err)
{
	if (err->status == 400 && strstr(err->message, "leafref")) {
		err->status = 409;
		err->tag = "in-use";
	}
}

void restconf_data_write(const struct restconf_backend *backend, const struct restconf_request *req,
			 const struct restconf_target *t, struct restconf_reply *reply)
{
	struct datastore *ds = backend->ds;
	struct write_op op = {
		.method = write_method(req->method),
		.ctx = ds->ctx,
		.t = t,
	};
	struct datastore_error err;
	uint32_t log_options = ly_log_options(LY_LOSTORE);
	int ret;

	ly_err_clean(ds->ctx, NULL);
	ret = edit(&op, ds, req->body, &err);
	lyd_free_all(op.fragment);
	ly_err_clean(ds->ctx, NULL);
	ly_log_options(log_options);
	if (ret == 0) {
		ret = datastore_commit(ds, op.candidate, &err);
		if (ret != 0 && op.method == WRITE_DELETE)
			delete_in_use(&err);
	} else {
		lyd_free_all(op.candidate);
	}
	if (ret != 0) {
		restconf_reply_error(reply, &err);
		return;
	}
	reply->status = op.created ? 201 : 204;
	if (op.method == WRITE_POST && asprintf(&reply->location, "/restconf/data/%s",
						   op.location) < 0)
		reply->location = NULL;
	restconf_reply_version(reply, ds);
}
