/* poolctl's RESTCONF transport: one HTTP request to poolnetd (libcurl, over
 * the unix socket or TCP) and the mapping of its outcome to poolctl's exit
 * codes and error lines. */
#pragma once

#include <stddef.h>

#define POOLCTL_MEDIA_JSON "application/yang-data+json"

/* poolctl's exit codes. */
enum poolctl_exit {
	POOLCTL_OK = 0,
	POOLCTL_REFUSED = 1,     /* the server refused the request (4xx) */
	POOLCTL_USAGE = 2,       /* bad command line or unreadable input file */
	POOLCTL_UNREACHABLE = 3, /* no connection to poolnetd */
	POOLCTL_SERVER = 4,      /* server error (5xx) or a reply poolctl cannot use */
};

/* Where poolnetd listens: tcp ("HOST:PORT") when set, else unix_path. */
struct poolctl_endpoint {
	const char *unix_path;
	const char *tcp;
	const char *if_match; /* ETag sent as If-Match on writes; NULL = none */
};

struct poolctl_reply {
	long status; /* HTTP status */
	char *body;  /* NUL-terminated (owned; "" when empty) */
	size_t len;  /* bytes in body */
	char etag[80]; /* ETag header, quotes included; "" if none */
};

/* Sends method to target ("/restconf/data/...", already percent-encoded)
 * with body (NULL = none, sent as application/yang-data+json). Returns
 * POOLCTL_OK when an HTTP reply arrived (whatever its status; free it with
 * poolctl_reply_free), or POOLCTL_UNREACHABLE after printing which socket
 * could not be reached. */
int poolctl_request(const struct poolctl_endpoint *ep, const char *method, const char *target,
		    const char *body, size_t body_len, struct poolctl_reply *reply);

void poolctl_reply_free(struct poolctl_reply *reply);

/* Maps a reply's status to an exit code; for an error status prints one
 * line per RFC 8040 error: "poolctl: PATH: MESSAGE (HTTP 400 TAG)". */
int poolctl_reply_check(const struct poolctl_reply *reply);

/* Sends the request and checks the reply: poolctl_request followed by
 * poolctl_reply_check. On POOLCTL_OK the caller owns *reply; otherwise
 * it has been freed. */
int poolctl_call(const struct poolctl_endpoint *ep, const char *method, const char *target,
		 const char *body, size_t body_len, struct poolctl_reply *reply);
