/* RESTCONF (RFC 8040) over HTTP/1.1 (libmicrohttpd), served from the
 * control thread's libev loop on a unix socket and optionally on TCP. */
#pragma once

#include <stddef.h>

#include <ev.h>

#include "control/datastore.h"

#define RESTCONF_UNIX_PATH "/run/poolnet/poolnetd.sock"
#define RESTCONF_MAX_BODY (1024 * 1024) /* bytes; larger requests get 413 */

struct restconf_options {
	const char *unix_path;   /* socket path (created mode 0660); NULL = default */
	const char *tcp_address; /* "ADDR:PORT" to also listen on TCP; NULL = off */
	size_t max_body;         /* bytes; 0 = RESTCONF_MAX_BODY */
};

struct restconf_backend {
	struct datastore *ds;
	/* Adds the operational state (config false nodes: counters, MAC
	 * tables) to *tree, a copy of the running config the server owns. */
	int (*state_add)(void *ctx, struct lyd_node **tree);
	void *ctx;
};

struct restconf_server;

/* Starts serving; returns NULL with err filled ("cannot bind ...: reason"). */
struct restconf_server *restconf_server_start(struct ev_loop *loop, const struct restconf_options *o,
					      const struct restconf_backend *backend, char *err,
					      size_t errlen);

/* Stops serving and removes the unix socket. */
void restconf_server_stop(struct restconf_server *s);
