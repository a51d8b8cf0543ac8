/* RFC 7951 JSON → validated libyang data tree, with libyang's first error
 * turned into "PATH: reason". */
#define _GNU_SOURCE /* strcasestr */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "control/config_load.h"

/* Config data only: unknown nodes and config false nodes are errors. */
#define CONFIG_PARSE_OPTIONS (LYD_PARSE_STRICT | LYD_PARSE_NO_STATE)
#define CONFIG_VALIDATE_OPTIONS LYD_VALIDATE_PRESENT

#define NO_JSON_OBJECT "/: no JSON object found"

/* Copies the text between the first pair of double quotes in location into
 * path. Returns false when there is none. */
static bool quoted_path(const char *location, char *path, size_t pathlen)
{
	const char *start = strchr(location, '"');
	const char *end;

	if (!start)
		return false;
	start++;
	end = strchr(start, '"');
	if (!end || end == start)
		return false;
	snprintf(path, pathlen, "%.*s", (int)(end - start), start);
	return true;
}

/* libyang's location reads 'Data location "/mod:a/b[name='x']", line
 * number 3.', 'Schema location "/mod:a/b".' or 'Line number 1.' (see
 * NOTES.md): split it into a bare path ("/" when it has none) and a line
 * number (0 when it has none). */
static void split_location(const char *location, char *path, size_t pathlen,
			   unsigned long *line)
{
	const char *line_text;

	*line = 0;
	if (!location || !quoted_path(location, path, pathlen))
		snprintf(path, pathlen, "/");
	if (!location)
		return;
	line_text = strcasestr(location, "line number ");
	if (line_text)
		*line = strtoul(line_text + strlen("line number "), NULL, 10);
}

/* Writes msg into out with each run of whitespace that holds a newline
 * folded into one space: parse errors quote the input that follows. */
static void fold_lines(const char *msg, char *out, size_t outlen)
{
	size_t used = 0, blank;

	while (*msg && used + 1 < outlen) {
		blank = strspn(msg, " \t\r\n");
		if (blank && memchr(msg, '\n', blank)) {
			out[used++] = ' ';
			msg += blank;
		} else {
			out[used++] = *msg++;
		}
	}
	out[used] = '\0';
}

/* libyang quotes the whole regular expression when a value does not match
 * a pattern; the ones of ietf-inet-types say nothing to an operator. */
#define PATTERN_QUOTE_MAX 40

static void shorten_pattern_error(char *reason, size_t reasonlen)
{
	static const char prefix[] = "Unsatisfied pattern - ";
	static const char conform[] = " does not conform to \"";
	char *pattern;

	if (strncmp(reason, prefix, strlen(prefix)))
		return;
	pattern = strstr(reason, conform);
	if (!pattern || strlen(pattern + strlen(conform)) <= PATTERN_QUOTE_MAX)
		return;
	snprintf(pattern, reasonlen - (pattern - reason), " is not a valid value for its type.");
	memmove(reason, reason + strlen(prefix), strlen(reason + strlen(prefix)) + 1);
}

/* Formats libyang's first error as "PATH: reason". */
static void yang_error_format(const struct ly_ctx *ctx, char *err, size_t errlen)
{
	const struct ly_err_item *first = ly_err_first(ctx);
	char path[1024], reason[512];
	unsigned long line;

	if (!first || !first->msg) {
		snprintf(err, errlen, "%s", NO_JSON_OBJECT);
		return;
	}
	split_location(first->path, path, sizeof(path), &line);
	fold_lines(first->msg, reason, sizeof(reason));
	shorten_pattern_error(reason, sizeof(reason));
	if (line)
		snprintf(err, errlen, "%s: %s (line %lu)", path, reason, line);
	else
		snprintf(err, errlen, "%s: %s", path, reason);
}

/* Runs one libyang parse with every error stored and none printed, so that
 * the first one can be reported through err. ly_temp_log_options() would
 * be the thread-local way, but libyang 2.1.30 still prints under it. */
static int parse_config(struct ly_ctx *ctx, struct ly_in *in, struct lyd_node **tree,
			char *err, size_t errlen)
{
	uint32_t log_options = ly_log_options(LY_LOSTORE);
	LY_ERR ret;

	ly_err_clean(ctx, NULL);
	ret = lyd_parse_data(ctx, NULL, in, LYD_JSON, CONFIG_PARSE_OPTIONS,
			     CONFIG_VALIDATE_OPTIONS, tree);
	if (ret != LY_SUCCESS) {
		yang_error_format(ctx, err, errlen);
		lyd_free_all(*tree);
		*tree = NULL;
	}
	ly_err_clean(ctx, NULL);
	ly_log_options(log_options);
	return ret == LY_SUCCESS ? 0 : -EINVAL;
}

/* libyang maps the file: it must be a regular file with some content. */
static int check_config_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (!st.st_size) {
		snprintf(err, errlen, "%s: empty file, expected a JSON object", path);
		return -EINVAL;
	}
	return 0;
}

int config_tree_load(struct ly_ctx *ctx, const char *path, struct lyd_node **tree,
		     char *err, size_t errlen)
{
	struct ly_in *in;
	int fd, ret;

	*tree = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = check_config_file(fd, path, err, errlen);
	if (ret)
		goto out;
	if (ly_in_new_fd(fd, &in) != LY_SUCCESS) {
		snprintf(err, errlen, "%s: cannot read the file", path);
		ret = -EIO;
		goto out;
	}
	ret = parse_config(ctx, in, tree, err, errlen);
	ly_in_free(in, 0);
out:
	close(fd);
	return ret;
}

int config_tree_parse(struct ly_ctx *ctx, const char *json, struct lyd_node **tree,
		      char *err, size_t errlen)
{
	struct ly_in *in;
	int ret;

	*tree = NULL;
	/* libyang takes empty input for an empty tree, but not an empty file:
	 * reject both, "{}" is the empty configuration. */
	if (!json[strspn(json, " \t\r\n")]) {
		snprintf(err, errlen, "%s", NO_JSON_OBJECT);
		return -EINVAL;
	}
	if (ly_in_new_memory(json, &in) != LY_SUCCESS) {
		snprintf(err, errlen, "/: out of memory");
		return -ENOMEM;
	}
	ret = parse_config(ctx, in, tree, err, errlen);
	ly_in_free(in, 0);
	return ret;
}

int config_tree_validate(struct ly_ctx *ctx, struct lyd_node **tree, char *err, size_t errlen)
{
	uint32_t log_options = ly_log_options(LY_LOSTORE);
	LY_ERR ret;

	ly_err_clean(ctx, NULL);
	ret = lyd_validate_all(tree, ctx, CONFIG_VALIDATE_OPTIONS, NULL);
	if (ret != LY_SUCCESS)
		yang_error_format(ctx, err, errlen);
	ly_err_clean(ctx, NULL);
	ly_log_options(log_options);
	return ret == LY_SUCCESS ? 0 : -EINVAL;
}
