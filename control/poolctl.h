/* What poolctl's commands share: where poolnetd is, the YANG context that
 * reads its replies, and the commands' entry points. */
#pragma once

#include <stdbool.h>

#include "control/poolctl_http.h"

struct ly_ctx;

struct poolctl {
	struct poolctl_endpoint ep;
	struct ly_ctx *yang; /* poolnet's modules; created on first use */
};

/* The YANG context, created from POOLNET_YANG_DIR (or $POOLNET_YANG_DIR)
 * on first use; NULL after printing why it could not be. */
struct ly_ctx *poolctl_yang(struct poolctl *pc);

/* "/restconf/data/API_PATH" followed by query ("" or "?..."); API_PATH ""
 * is the datastore, a leading '/' is optional. Free the result; NULL when
 * out of memory. */
char *poolctl_data_target(const char *api_path, const char *query);

/* GETs /restconf/data/API_PATH?content=all (config and state) into
 * *reply (free with poolctl_reply_free on success). Returns an enum
 * poolctl_exit. */
int poolctl_data_get(struct poolctl *pc, const char *api_path, struct poolctl_reply *reply);

/* GETs API_PATH (config and state) and prints the JSON as received, and
 * with show_etag the reply's ETag on stderr. Returns an enum poolctl_exit. */
int poolctl_json_print(struct poolctl *pc, const char *api_path, bool show_etag);

/* Commands: argv[0] is the command's name; return an enum poolctl_exit. */
int poolctl_show(struct poolctl *pc, int argc, char **argv);
int poolctl_watch(struct poolctl *pc, int argc, char **argv);
int poolctl_get(struct poolctl *pc, int argc, char **argv);
int poolctl_set(struct poolctl *pc, int argc, char **argv);
int poolctl_apply(struct poolctl *pc, int argc, char **argv);
int poolctl_edit(struct poolctl *pc, int argc, char **argv);
int poolctl_delete(struct poolctl *pc, int argc, char **argv);

/* Prints "poolctl: MESSAGE" and the command's usage line to stderr;
 * returns POOLCTL_USAGE. */
int poolctl_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
