/* Loading the configuration: RFC 7951 JSON → libyang tree (validated against
 * yang/poolnet*.yang) → struct config (with the semantic checks YANG cannot
 * express). Every error message starts with the YANG data path of the
 * offending node, e.g. "/poolnet:tenants/tenant[name='red']/vni: ...". */
#pragma once

#include <stddef.h>

#include "control/config.h"

struct ly_ctx;
struct lyd_node;

/* Creates a libyang context holding poolnet's modules, searched in yang_dir.
 * Returns NULL and fills err on failure. */
struct ly_ctx *yang_context_create(const char *yang_dir, char *err, size_t errlen);

/* Parses the JSON file at path (config data only, strict: unknown nodes are
 * errors) and validates it. On success *tree owns the data tree (free with
 * lyd_free_all) and 0 is returned; on failure a negative errno, *tree is
 * NULL and err holds "PATH: reason" (or "FILE: reason" for I/O errors). */
int config_tree_load(struct ly_ctx *ctx, const char *path, struct lyd_node **tree,
		     char *err, size_t errlen);

/* Same as config_tree_load, from a JSON string in memory. */
int config_tree_parse(struct ly_ctx *ctx, const char *json, struct lyd_node **tree,
		      char *err, size_t errlen);

/* Validates a tree built or edited in memory (defaults are added to it).
 * State nodes are kept out by the parsers (LYD_PARSE_NO_STATE), not here:
 * validation itself adds empty config-false containers.
 * Returns 0, or -EINVAL with err set to "PATH: reason". */
int config_tree_validate(struct ly_ctx *ctx, struct lyd_node **tree, char *err, size_t errlen);

/* Translates a validated tree into cfg and runs the semantic checks
 * (duplicate port+VLAN across tenants, uplink present when a tenant has
 * remote VTEPs, port roles, ...). Returns 0, or -EINVAL with err set to
 * "PATH: reason". cfg is fully overwritten either way. */
int config_from_tree(const struct lyd_node *tree, struct config *cfg, char *err,
		     size_t errlen);
