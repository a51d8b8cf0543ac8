/* Reading poolnetd's data with libyang: GET a subtree (config and state)
 * and pick values out of it. */
#pragma once

#include <stdint.h>

#include "control/poolctl.h"

struct lyd_node;

/* GETs /restconf/data/API_PATH?content=all (API_PATH "" = the whole
 * datastore) and parses the reply into *tree (free with lyd_free_all).
 * Returns an enum poolctl_exit; on failure *tree is NULL. */
int poolctl_tree_get(struct poolctl *pc, const char *api_path, struct lyd_node **tree);

/* The first top-level node called name in tree, or NULL. */
struct lyd_node *poolctl_tree_top(struct lyd_node *tree, const char *name);

/* The next child of parent called name after prev (NULL: the first). */
struct lyd_node *poolctl_child_next(const struct lyd_node *parent, const struct lyd_node *prev,
				    const char *name);

#define POOLCTL_FOR_EACH_CHILD(parent, name, node)                                       \
	for ((node) = poolctl_child_next((parent), NULL, (name)); (node);                 \
	     (node) = poolctl_child_next((parent), (node), (name)))

/* The value of the descendant at relative path ("vni", "statistics/drops")
 * in canonical form, or NULL when absent. */
const char *poolctl_value(const struct lyd_node *node, const char *path);

/* The value at path as a number; 0 when absent. */
uint64_t poolctl_counter(const struct lyd_node *node, const char *path);

/* Sum of the packets of the drop list under statistics. */
uint64_t poolctl_drops_total(const struct lyd_node *statistics);
