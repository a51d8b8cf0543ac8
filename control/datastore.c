#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "control/config_load.h"
#include "control/datastore.h"

int datastore_error_set(struct datastore_error *err, int status, const char *tag,
			const char *path, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	err->type = status == 400 && strcmp(tag, "malformed-message") == 0 ? "protocol" : "application";
	err->tag = tag;
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	switch (status) {
	case 404: return -ENOENT;
	case 409: return -EEXIST;
	case 412: return -EBUSY;
	case 500: return -EIO;
	default: return -EINVAL;
	}
}

/* The config loader reports "PATH: reason": split it into the error's fields. */
static int semantic_error(struct datastore_error *err, const char *msg)
{
	const char *sep = msg[0] == '/' ? strstr(msg, ": ") : NULL;
	int ret;

	if (sep == NULL)
		return datastore_error_set(err, 400, "invalid-value", NULL, "%s", msg);
	ret = datastore_error_set(err, 400, "invalid-value", NULL, "%s", sep + 2);
	snprintf(err->path, sizeof(err->path), "%.*s", (int)(sep - msg), msg);
	return ret;
}

int datastore_persist_file(void *ctx, const char *path, const char *data)
{
	char tmp[600], dir[600];
	size_t len = strlen(data);
	int fd, ret = 0;

	(void)ctx;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) != 0)
		ret = errno ? -errno : -EIO;
	if (close(fd) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) != 0)
		ret = -errno;
	if (ret != 0) {
		unlink(tmp);
		return ret;
	}
	/* The rename itself is durable only once the directory is synced. */
	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

int datastore_init(struct datastore *ds, struct ly_ctx *ctx, const char *file,
		   const struct datastore_ops *ops, void *ops_ctx)
{
	memset(ds, 0, sizeof(*ds));
	ds->ctx = ctx;
	ds->ops = ops;
	ds->ops_ctx = ops_ctx;
	snprintf(ds->file, sizeof(ds->file), "%s", file ? file : "");
	ds->cfg = calloc(1, sizeof(*ds->cfg));
	if (ds->cfg == NULL)
		return -ENOMEM;
	ds->last_modified = time(NULL);
	return 0;
}

void datastore_fini(struct datastore *ds)
{
	lyd_free_all(ds->running);
	config_free(ds->cfg);
	ds->running = NULL;
	ds->cfg = NULL;
}

static int persist(struct datastore *ds, const struct lyd_node *tree, struct datastore_error *err)
{
	char *json = NULL;
	int ret;

	if (ds->file[0] == '\0')
		return 0;
	if (lyd_print_mem(&json, tree, LYD_JSON, LYD_PRINT_WITHSIBLINGS) != LY_SUCCESS)
		return datastore_error_set(err, 500, "operation-failed", NULL,
					   "cannot print the configuration");
	ret = (ds->ops->persist ? ds->ops->persist : datastore_persist_file)(
		ds->ops_ctx, ds->file, json ? json : "{}\n");
	free(json);
	if (ret != 0)
		return datastore_error_set(err, 500, "operation-failed", NULL,
					   "cannot save the configuration to %s: %s", ds->file,
					   strerror(-ret));
	return 0;
}

int datastore_commit(struct datastore *ds, struct lyd_node *candidate, struct datastore_error *err)
{
	char msg[1024];
	struct config *cfg = calloc(1, sizeof(*cfg));
	int ret;

	if (cfg == NULL) {
		lyd_free_all(candidate);
		return datastore_error_set(err, 500, "resource-denied", NULL, "out of memory");
	}
	ret = config_tree_validate(ds->ctx, &candidate, msg, sizeof(msg));
	if (ret == 0) {
		ret = config_from_tree(candidate, cfg, msg, sizeof(msg));
		if (ret != 0)
			ret = semantic_error(err, msg);
	} else {
		ret = semantic_error(err, msg);
	}
	if (ret == 0)
		ret = ds->ops->apply(ds->ops_ctx, cfg, err);
	if (ret == 0) {
		ret = persist(ds, candidate, err);
		/* Put the datapath back: the file and the running tree stay old. */
		if (ret != 0 && ds->ops->apply(ds->ops_ctx, ds->cfg, &(struct datastore_error){0}) != 0)
			fprintf(stderr, "poolnetd: cannot restore the datapath after a failed save\n");
	}
	if (ret != 0) {
		lyd_free_all(candidate);
		config_free(cfg);
		return ret;
	}
	lyd_free_all(ds->running);
	config_free(ds->cfg);
	ds->running = candidate;
	ds->cfg = cfg;
	ds->generation++;
	ds->last_modified = time(NULL);
	return 0;
}

int datastore_load_file(struct datastore *ds, const char *path, struct datastore_error *err)
{
	char msg[1024];
	struct lyd_node *tree = NULL;

	if (config_tree_load(ds->ctx, path, &tree, msg, sizeof(msg)) != 0)
		return semantic_error(err, msg);
	return datastore_commit(ds, tree, err);
}

void datastore_etag(const struct datastore *ds, char *buf, size_t len)
{
	snprintf(buf, len, "\"%llu\"", (unsigned long long)ds->generation);
}
