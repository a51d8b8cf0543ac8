/* poolctl get, set, apply, edit and delete: the RESTCONF data resource. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/poolctl.h"
#include "control/poolctl_value.h"

#define DATA "/restconf/data"

char *poolctl_data_target(const char *api_path, const char *query)
{
	size_t size = sizeof(DATA) + strlen(api_path) + strlen(query) + 2;
	char *target = malloc(size);

	api_path += *api_path == '/';
	if (target)
		snprintf(target, size, DATA "%s%s%s", *api_path ? "/" : "", api_path, query);
	return target;
}

static void body_print(const struct poolctl_reply *reply)
{
	fputs(reply->body, stdout);
	if (reply->len && reply->body[reply->len - 1] != '\n')
		putchar('\n');
}

int poolctl_data_get(struct poolctl *pc, const char *api_path, struct poolctl_reply *reply)
{
	char *target = poolctl_data_target(api_path, "?content=all");
	int rc;

	if (!target)
		return POOLCTL_SERVER;
	rc = poolctl_call(&pc->ep, "GET", target, NULL, 0, reply);
	free(target);
	return rc;
}

int poolctl_json_print(struct poolctl *pc, const char *api_path, bool show_etag)
{
	struct poolctl_reply reply;
	int rc = poolctl_data_get(pc, api_path, &reply);

	if (rc != POOLCTL_OK)
		return rc;
	body_print(&reply);
	if (show_etag)
		fprintf(stderr, "ETag: %s\n", *reply.etag ? reply.etag : "(none)");
	poolctl_reply_free(&reply);
	return POOLCTL_OK;
}

/* A write's outcome: nothing to print on success. */
static int data_write(struct poolctl *pc, const char *method, const char *api_path,
		      const char *body, size_t len)
{
	char *target = poolctl_data_target(api_path, "");
	struct poolctl_reply reply;
	int rc;

	if (!target)
		return POOLCTL_SERVER;
	rc = poolctl_call(&pc->ep, method, target, body, len, &reply);
	free(target);
	if (rc == POOLCTL_OK)
		poolctl_reply_free(&reply);
	return rc;
}

/* Reads FILE ("-": stdin) whole; NULL after printing why. JSON holds no
 * NUL, so reading up to one reads the file. */
static char *file_read(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	*len = 0;
	if (!f) {
		fprintf(stderr, "poolctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	n = getdelim(&buf, &cap, '\0', f);
	if (n < 0 && (ferror(f) || !buf)) {
		fprintf(stderr, "poolctl: %s: cannot read: %s\n", path, strerror(errno));
		free(buf);
		buf = NULL;
	} else {
		*len = n < 0 ? 0 : (size_t)n;
		buf[*len] = '\0';
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

/* Parses the only option get, set, apply, edit and delete know (--etag,
 * for get) and checks that `args` operands follow. */
static int operands_parse(int argc, char **argv, int args, bool *etag)
{
	static const struct option longopts[] = {
		{ "etag", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	/* '+' for the commands without options: an operand may start with '-'
	 * (a negative VALUE, FILE "-"). get's --etag may follow its PATH. */
	while ((c = getopt_long(argc, argv, etag ? "" : "+", longopts, NULL)) != -1) {
		if (c != 'e' || !etag)
			return poolctl_usage_error(argv[0], "bad option");
		*etag = true;
	}
	if (argc - optind != args)
		return poolctl_usage_error(argv[0], "%s takes %d argument%s", argv[0], args,
					   args == 1 ? "" : "s");
	return POOLCTL_OK;
}

int poolctl_get(struct poolctl *pc, int argc, char **argv)
{
	bool etag = false;
	int rc = operands_parse(argc, argv, 1, &etag);

	return rc ? rc : poolctl_json_print(pc, argv[optind], etag);
}

int poolctl_set(struct poolctl *pc, int argc, char **argv)
{
	struct ly_ctx *ctx;
	char err[1200];
	char *body;
	int rc = operands_parse(argc, argv, 2, NULL);

	if (rc)
		return rc;
	ctx = poolctl_yang(pc);
	if (!ctx)
		return POOLCTL_SERVER;
	body = poolctl_leaf_body(ctx, argv[optind], argv[optind + 1], err, sizeof(err));
	if (!body)
		return poolctl_usage_error("set", "%s", err);
	rc = data_write(pc, "PUT", argv[optind], body, strlen(body));
	free(body);
	return rc;
}

/* apply and edit: the file's config, replacing (PUT) or merged (PATCH). */
static int file_write(struct poolctl *pc, int argc, char **argv, const char *method)
{
	size_t len;
	char *body;
	int rc = operands_parse(argc, argv, 1, NULL);

	if (rc)
		return rc;
	body = file_read(argv[optind], &len);
	if (!body)
		return POOLCTL_USAGE;
	rc = data_write(pc, method, "", body, len);
	free(body);
	return rc;
}

int poolctl_apply(struct poolctl *pc, int argc, char **argv)
{
	return file_write(pc, argc, argv, "PUT");
}

int poolctl_edit(struct poolctl *pc, int argc, char **argv)
{
	return file_write(pc, argc, argv, "PATCH");
}

int poolctl_delete(struct poolctl *pc, int argc, char **argv)
{
	int rc = operands_parse(argc, argv, 1, NULL);

	return rc ? rc : data_write(pc, "DELETE", argv[optind], NULL, 0);
}
