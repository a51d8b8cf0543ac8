/* What crosses between the RESTCONF server's parts: the transport
 * (restconf_server.c: sockets, libmicrohttpd, libev) hands a complete
 * request to the resource layer (restconf_dispatch.c, restconf_read.c,
 * restconf_write.c) and sends back the reply it fills. The resource layer
 * knows nothing of HTTP libraries. Control thread only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "control/datastore.h"
#include "control/restconf.h"

#define RESTCONF_MEDIA_JSON "application/yang-data+json"
#define RESTCONF_XPATH_MAX 4096

struct lysc_node;
struct lyd_node;
struct ly_ctx;

/* One complete HTTP request. Strings are NULL when the header or query
 * parameter is absent. */
struct restconf_request {
	const char *method;
	const char *path;          /* URL path, still percent-encoded */
	const char *content;       /* "content" query parameter, decoded */
	const char *depth;         /* "depth" query parameter, decoded */
	const char *bad_parameter; /* first query parameter poolnet does not support */
	const char *content_type;
	const char *accept;
	const char *if_match;
	const char *if_unmodified_since;
	const char *body; /* NUL-terminated; "" when there is none */
	size_t body_len;
};

/* The reply the resource layer fills; the transport frees body and
 * location. */
struct restconf_reply {
	unsigned int status;
	char *body;               /* NULL: no body */
	const char *content_type; /* of body */
	const char *allow;        /* Allow header (405, OPTIONS) or NULL */
	char *location;           /* Location header (201 of POST) or NULL */
	char etag[32];            /* "" when none */
	char last_modified[40];   /* "" when none */
};

/* A RESTCONF api-path translated to what libyang works with. */
struct restconf_target {
	char xpath[RESTCONF_XPATH_MAX]; /* "" for the datastore root */
	size_t parent_len;              /* xpath[0..parent_len) is the parent's path */
	const struct lysc_node *schema; /* NULL for the datastore root */
};

/* Translates api-path (the part after "/restconf/data", "" or starting
 * with '/', percent-encoded) into t. Returns 0, or a negative errno with
 * err filled (400 invalid-value; the message names the bad segment). */
int restconf_path_translate(const struct ly_ctx *ctx, const char *api_path,
			    struct restconf_target *t, struct datastore_error *err);

/* Writes the api-path of node ("poolnet:tenants/tenant=red", keys
 * percent-encoded) into buf. Returns 0 or -ENOSPC. */
int restconf_path_of(const struct lyd_node *node, char *buf, size_t len);

/* Percent-decodes src[0..len) into dst (dstlen bytes with the NUL).
 * Returns 0, or -EINVAL for a bad escape, an escaped NUL or no room. */
int restconf_percent_decode(const char *src, size_t len, char *dst, size_t dstlen);

/* Handles one request: fills reply (never fails; errors are replies). */
void restconf_dispatch(const struct restconf_backend *backend, const struct restconf_request *req,
		       struct restconf_reply *reply);

/* GET and HEAD on /restconf/data[/path]. */
void restconf_data_read(const struct restconf_backend *backend, const struct restconf_request *req,
			const struct restconf_target *t, struct restconf_reply *reply);

/* PUT, POST, PATCH and DELETE on /restconf/data[/path]: one transaction. */
void restconf_data_write(const struct restconf_backend *backend, const struct restconf_request *req,
			 const struct restconf_target *t, struct restconf_reply *reply);

/* Makes reply the RFC 8040 error document of err. */
void restconf_reply_error(struct restconf_reply *reply, const struct datastore_error *err);

/* Sets reply's ETag and Last-Modified to the running datastore's. */
void restconf_reply_version(struct restconf_reply *reply, const struct datastore *ds);

/* Turns libyang's first stored error into err: status 400, tag
 * malformed-message for JSON syntax errors and invalid-value otherwise,
 * path stripped of libyang's "Data location" wording. */
int restconf_yang_error(const struct ly_ctx *ctx, struct datastore_error *err);
