/* The running datastore: the validated YANG config tree, its version (the
 * ETag), and the transaction that changes it. Control thread only.
 *
 * A commit is: YANG validation -> semantic checks (config_from_tree) ->
 * apply (compile + publish to the datapath, through ops->apply) -> persist
 * (temp file, fsync, rename) -> the candidate becomes the running tree.
 * Any failure leaves the running tree, the datapath and the file as they
 * were, and fills a struct datastore_error. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "control/config.h"

struct ly_ctx;
struct lyd_node;

/* An error in RFC 8040 terms. */
struct datastore_error {
	int status;       /* HTTP status: 400, 404, 409, 412, 413, 415, 500 */
	const char *type; /* error-type: "protocol" or "application" */
	const char *tag;  /* error-tag: "invalid-value", "data-missing", "data-exists",
			   * "operation-failed", "malformed-message", ... */
	char path[512];   /* YANG data path of the offending node, "" if none */
	char message[512];
};

/* Fills err; returns -EINVAL (status 400), -ENOENT (404), -EEXIST (409),
 * -EBUSY (412) or -EIO (500) according to status, for `return` chaining. */
int datastore_error_set(struct datastore_error *err, int status, const char *tag,
			const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

struct datastore_ops {
	/* Makes cfg the datapath's configuration. Returns 0, or a negative
	 * errno with err filled, and then nothing of cfg is applied. */
	int (*apply)(void *ctx, const struct config *cfg, struct datastore_error *err);
	/* Writes data (NUL-terminated) to the file at path durably: a
	 * temporary file, fsync, rename, fsync of the directory. NULL selects
	 * datastore_persist_file(); tests inject failures here. */
	int (*persist)(void *ctx, const char *path, const char *data);
};

struct datastore {
	struct ly_ctx *ctx;
	struct lyd_node *running;  /* config true nodes only; NULL = empty */
	struct config *cfg;        /* running as structs (owned) */
	uint64_t generation;       /* increments on every commit: the ETag */
	time_t last_modified;      /* wall clock of the last commit */
	char file[512];            /* where the running config persists; "" = nowhere */
	const struct datastore_ops *ops;
	void *ops_ctx;
};

/* Sets up ds with an empty running config. Returns 0 or -ENOMEM. */
int datastore_init(struct datastore *ds, struct ly_ctx *ctx, const char *file,
		   const struct datastore_ops *ops, void *ops_ctx);
void datastore_fini(struct datastore *ds);

/* Loads the JSON config at path as the first running config (apply and
 * persist as a commit, so a config given with --config is also saved). */
int datastore_load_file(struct datastore *ds, const char *path, struct datastore_error *err);

/* The transaction. candidate is a full config tree (it may be NULL for an
 * empty config); the datastore takes it in every case (frees it on
 * failure). */
int datastore_commit(struct datastore *ds, struct lyd_node *candidate,
		     struct datastore_error *err);

/* The ETag of the running config: "\"<generation>\"". */
void datastore_etag(const struct datastore *ds, char *buf, size_t len);

/* Durable write used when ops->persist is NULL. */
int datastore_persist_file(void *ctx, const char *path, const char *data);
