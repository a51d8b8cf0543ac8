/* RESTCONF resources: routing, discovery (RFC 8040 §3.1-3.3), the checks
 * every data request goes through (query parameters, media types,
 * preconditions) and the RFC 8040 error document. */
#define _GNU_SOURCE /* strptime, timegm, strcasestr */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libyang/libyang.h>

#include "control/restconf_internal.h"

#define DATA_PREFIX "/restconf/data"
#define ALLOW_READ_ONLY "GET, HEAD, OPTIONS"
#define ALLOW_DATA "GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE"
#define ALLOW_DATASTORE "GET, HEAD, OPTIONS, PUT, POST, PATCH"
#define YANG_LIBRARY_VERSION "2019-01-04"

static const char host_meta[] =
	"<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n"
	"  <Link rel='restconf' href='/restconf'/>\n"
	"</XRD>\n";

static const char restconf_root[] =
	"{\"ietf-restconf:restconf\":{\"data\":{},\"operations\":{},"
	"\"yang-library-version\":\"" YANG_LIBRARY_VERSION "\"}}\n";

static const char library_version[] =
	"{\"ietf-restconf:yang-library-version\":\"" YANG_LIBRARY_VERSION "\"}\n";

/* poolnet has no RPCs or actions. */
static const char operations[] = "{\"ietf-restconf:operations\":{}}\n";

/* Appends s as the inside of a JSON string. */
static void json_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
}

void restconf_reply_error(struct restconf_reply *reply, const struct datastore_error *err)
{
	size_t len;
	FILE *out;

	free(reply->body);
	reply->body = NULL;
	reply->status = err->status;
	reply->content_type = RESTCONF_MEDIA_JSON;
	out = open_memstream(&reply->body, &len);
	if (!out)
		return;
	fprintf(out, "{\"ietf-restconf:errors\":{\"error\":[{\"error-type\":\"%s\","
		     "\"error-tag\":\"%s\",",
		err->type, err->tag);
	if (err->path[0]) {
		fputs("\"error-path\":\"", out);
		json_escape(out, err->path);
		fputs("\",", out);
	}
	fputs("\"error-message\":\"", out);
	json_escape(out, err->message);
	fputs("\"}]}}\n", out);
	fclose(out);
}

/* An error of the protocol layer (media type, method, precondition). */
static void __attribute__((format(printf, 4, 5)))
protocol_error(struct restconf_reply *reply, unsigned int status, const char *tag,
	       const char *fmt, ...)
{
	struct datastore_error err;
	char msg[sizeof(err.message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	datastore_error_set(&err, status, tag, NULL, "%s", msg);
	err.type = "protocol";
	restconf_reply_error(reply, &err);
}

/* RFC 7231 IMF-fixdate, independent of the locale. */
static void http_date(time_t t, char *buf, size_t len)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void restconf_reply_version(struct restconf_reply *reply, const struct datastore *ds)
{
	datastore_etag(ds, reply->etag, sizeof(reply->etag));
	http_date(ds->last_modified, reply->last_modified, sizeof(reply->last_modified));
}

static void reply_static(struct restconf_reply *reply, const char *body, const char *type)
{
	reply->status = 200;
	reply->body = strdup(body);
	reply->content_type = type;
}

/* A resource that only reads: GET, HEAD and OPTIONS. */
static void read_only(const struct restconf_request *req, struct restconf_reply *reply,
		      const char *body, const char *type)
{
	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
		reply_static(reply, body, type);
	} else if (strcmp(req->method, "OPTIONS") == 0) {
		reply->status = 200;
		reply->allow = ALLOW_READ_ONLY;
	} else {
		protocol_error(reply, 405, "operation-not-supported", "%s is not allowed on %s",
			       req->method, req->path);
		reply->allow = ALLOW_READ_ONLY;
	}
}

/* Compares an HTTP media type, parameters (";charset=...") aside. */
static bool media_type_is(const char *value, const char *type)
{
	size_t len = strlen(type);

	value += strspn(value, " \t");
	return strncasecmp(value, type, len) == 0 && strchr("; \t", value[len]);
}

static bool json_media_type(const char *value)
{
	return media_type_is(value, RESTCONF_MEDIA_JSON) || media_type_is(value, "application/json");
}

/* poolnet speaks JSON only: an Accept that excludes it gets 406. */
static bool accepts_json(const char *accept)
{
	return !accept || strstr(accept, "json") || strstr(accept, "*/*") ||
	       strstr(accept, "application/*");
}

/* If-Match: a list of entity tags or "*" (the datastore always exists). */
static bool if_match_holds(const char *if_match, const char *etag)
{
	size_t etag_len = strlen(etag), len;
	const char *tag = if_match;

	while (*tag) {
		tag += strspn(tag, " \t,");
		len = strcspn(tag, " \t,");
		if ((len == 1 && *tag == '*') || (len == etag_len && memcmp(tag, etag, len) == 0))
			return true;
		tag += len;
	}
	return false;
}

/* If-Unmodified-Since; a date that does not parse is ignored (RFC 7232). */
static bool unmodified_since_holds(const char *value, time_t last_modified)
{
	struct tm tm = {0};
	const char *end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);

	return !end || last_modified <= timegm(&tm);
}

static bool preconditions_hold(const struct restconf_request *req, const struct datastore *ds,
			       struct restconf_reply *reply)
{
	char etag[32];

	datastore_etag(ds, etag, sizeof(etag));
	if (req->if_match && !if_match_holds(req->if_match, etag)) {
		protocol_error(reply, 412, "operation-failed",
			       "If-Match %s does not match the datastore's entity tag %s",
			       req->if_match, etag);
		return false;
	}
	if (req->if_unmodified_since &&
	    !unmodified_since_holds(req->if_unmodified_since, ds->last_modified)) {
		protocol_error(reply, 412, "operation-failed",
			       "the datastore changed after %s", req->if_unmodified_since);
		return false;
	}
	return true;
}

static bool is_method(const struct restconf_request *req, const char *method)
{
	return strcmp(req->method, method) == 0;
}

/* Checks a write before the transaction; false with reply filled. */
static bool write_allowed(const struct restconf_request *req, const struct restconf_target *t,
			  const struct datastore *ds, struct restconf_reply *reply)
{
	if (!t->schema && is_method(req, "DELETE")) {
		protocol_error(reply, 405, "operation-not-supported",
			       "the datastore cannot be deleted; PUT {} empties it");
		reply->allow = ALLOW_DATASTORE;
		return false;
	}
	if (t->schema && (t->schema->flags & LYS_CONFIG_R)) {
		protocol_error(reply, 405, "operation-not-supported",
			       "%s is operational state: it cannot be written", t->xpath);
		reply->allow = ALLOW_READ_ONLY;
		return false;
	}
	if (!is_method(req, "DELETE") && !(req->content_type && json_media_type(req->content_type))) {
		protocol_error(reply, 415, "invalid-value",
			       "the body must be %s or application/json, not %s",
			       RESTCONF_MEDIA_JSON, req->content_type ? req->content_type : "untyped");
		return false;
	}
	if (req->content || req->depth) {
		protocol_error(reply, 400, "invalid-value",
			       "content and depth apply to GET only");
		return false;
	}
	return preconditions_hold(req, ds, reply);
}

static void data_resource(const struct restconf_backend *backend,
			  const struct restconf_request *req, const char *api_path,
			  struct restconf_reply *reply)
{
	struct restconf_target t;
	struct datastore_error err;

	if (req->bad_parameter) {
		protocol_error(reply, 400, "invalid-value", "unsupported query parameter %s",
			       req->bad_parameter);
		return;
	}
	if (restconf_path_translate(backend->ds->ctx, api_path, &t, &err) != 0) {
		restconf_reply_error(reply, &err);
		return;
	}
	if (!accepts_json(req->accept)) {
		protocol_error(reply, 406, "invalid-value", "poolnet replies in %s only",
			       RESTCONF_MEDIA_JSON);
		return;
	}
	if (is_method(req, "GET") || is_method(req, "HEAD")) {
		restconf_data_read(backend, req, &t, reply);
	} else if (is_method(req, "OPTIONS")) {
		reply->status = 200;
		reply->allow = t.schema ? ALLOW_DATA : ALLOW_DATASTORE;
	} else if (is_method(req, "PUT") || is_method(req, "POST") || is_method(req, "PATCH") ||
		   is_method(req, "DELETE")) {
		if (write_allowed(req, &t, backend->ds, reply))
			restconf_data_write(backend, req, &t, reply);
	} else {
		protocol_error(reply, 405, "operation-not-supported", "%s is not allowed on %s",
			       req->method, req->path);
		reply->allow = t.schema ? ALLOW_DATA : ALLOW_DATASTORE;
	}
}

void restconf_dispatch(const struct restconf_backend *backend, const struct restconf_request *req,
		       struct restconf_reply *reply)
{
	const char *path = req->path;

	if (strcmp(path, "/.well-known/host-meta") == 0)
		read_only(req, reply, host_meta, "application/xrd+xml");
	else if (strcmp(path, "/restconf") == 0 || strcmp(path, "/restconf/") == 0)
		read_only(req, reply, restconf_root, RESTCONF_MEDIA_JSON);
	else if (strcmp(path, "/restconf/yang-library-version") == 0)
		read_only(req, reply, library_version, RESTCONF_MEDIA_JSON);
	else if (strcmp(path, "/restconf/operations") == 0)
		read_only(req, reply, operations, RESTCONF_MEDIA_JSON);
	else if (strncmp(path, DATA_PREFIX, strlen(DATA_PREFIX)) == 0 &&
		 strchr("/", path[strlen(DATA_PREFIX)]))
		data_resource(backend, req, path + strlen(DATA_PREFIX), reply);
	else
		protocol_error(reply, 404, "invalid-value", "no resource %s", path);
}

/* libyang's location reads 'Data location "/mod:a/b[name='x']", line
 * number 3.' (see NOTES.md): keep the quoted path. */
static void location_path(const char *location, char *path, size_t len)
{
	const char *start = location ? strchr(location, '"') : NULL;
	const char *end = start ? strchr(start + 1, '"') : NULL;

	if (end)
		snprintf(path, len, "%.*s", (int)(end - start - 1), start + 1);
	else
		path[0] = '\0';
}

int restconf_yang_error(const struct ly_ctx *ctx, struct datastore_error *err)
{
	const struct ly_err_item *first = ly_err_first(ctx);
	bool syntax = first && (first->vecode == LYVE_SYNTAX || first->vecode == LYVE_SYNTAX_JSON);
	char *newline;
	int ret;

	ret = datastore_error_set(err, 400, syntax ? "malformed-message" : "invalid-value", NULL,
				  "%s", first && first->msg ? first->msg : "invalid data");
	if (first)
		location_path(first->path, err->path, sizeof(err->path));
	/* JSON syntax errors quote the rest of the input after a newline. */
	newline = strchr(err->message, '\n');
	if (newline)
		*newline = '\0';
	return ret;
}
