/* The RESTCONF transport: libmicrohttpd does HTTP/1.1, the caller's libev
 * loop drives it. Each listening socket (the unix socket, optionally TCP)
 * gets one MHD daemon in external-select mode with epoll: an ev_io watches
 * MHD's epoll fd, an ev_timer follows MHD_get_timeout(), and MHD_run()
 * does the work on the control thread, so no MHD thread ever runs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "control/restconf_internal.h"

#define LISTEN_BACKLOG 64
/* A hostile client can hold at most this many connections, each for at
 * most this long without progress. */
#define CONNECTION_LIMIT 64
#define CONNECTION_IDLE_TIMEOUT_S 10
#define QUERY_VALUE_MAX 32

struct restconf_listener {
	struct restconf_server *server;
	struct MHD_Daemon *daemon;
	ev_io io;       /* MHD's epoll fd */
	ev_timer timer; /* MHD's next timeout */
};

struct restconf_server {
	struct ev_loop *loop;
	struct restconf_backend backend;
	size_t max_body; /* bytes */
	char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct restconf_listener listeners[2];
	unsigned int n_listeners;
};

/* What one request accumulates across MHD's calls of the handler. */
struct request_state {
	char *body; /* NUL-terminated */
	size_t body_len;
	bool too_big;
	char content[QUERY_VALUE_MAX];
	char depth[QUERY_VALUE_MAX];
	char bad_parameter[QUERY_VALUE_MAX];
	bool has_content, has_depth;
};

/* --- requests ------------------------------------------------------------- */

/* RESTCONF splits an api-path on '/' and ',' before decoding keys (which
 * may hold an encoded '/'), so MHD must leave the URL as it came. */
static size_t keep_escaped(void *cls, struct MHD_Connection *conn, char *uri)
{
	(void)cls;
	(void)conn;
	return strlen(uri);
}

static void query_value(const char *raw, char *dst, bool *present)
{
	*present = true;
	if (!raw || restconf_percent_decode(raw, strlen(raw), dst, QUERY_VALUE_MAX) != 0)
		snprintf(dst, QUERY_VALUE_MAX, "%s", "?");
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct request_state *rs = cls;

	(void)kind;
	if (strcmp(key, "content") == 0)
		query_value(value, rs->content, &rs->has_content);
	else if (strcmp(key, "depth") == 0)
		query_value(value, rs->depth, &rs->has_depth);
	else if (!rs->bad_parameter[0])
		snprintf(rs->bad_parameter, sizeof(rs->bad_parameter), "%s", key);
	return MHD_YES;
}

static void body_append(struct request_state *rs, const char *data, size_t len, size_t max)
{
	char *body;

	if (rs->too_big || rs->body_len + len > max) {
		rs->too_big = true;
		return;
	}
	body = realloc(rs->body, rs->body_len + len + 1);
	if (!body) {
		rs->too_big = true;
		return;
	}
	memcpy(body + rs->body_len, data, len);
	rs->body_len += len;
	body[rs->body_len] = '\0';
	rs->body = body;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static void add_header(struct MHD_Response *response, const char *name, const char *value)
{
	if (value && value[0])
		MHD_add_response_header(response, name, value);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct restconf_reply *reply)
{
	size_t len = reply->body ? strlen(reply->body) : 0;
	struct MHD_Response *response;
	enum MHD_Result ret;

	response = MHD_create_response_from_buffer(len, reply->body, MHD_RESPMEM_MUST_FREE);
	if (!response) {
		free(reply->body);
		free(reply->location);
		return MHD_NO;
	}
	add_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply->body ? reply->content_type : NULL);
	add_header(response, MHD_HTTP_HEADER_ETAG, reply->etag);
	add_header(response, MHD_HTTP_HEADER_LAST_MODIFIED, reply->last_modified);
	add_header(response, MHD_HTTP_HEADER_LOCATION, reply->location);
	add_header(response, MHD_HTTP_HEADER_ALLOW, reply->allow);
	free(reply->location);
	ret = MHD_queue_response(conn, reply->status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result send_too_big(struct MHD_Connection *conn, const struct restconf_server *s)
{
	struct restconf_reply reply = {0};
	struct datastore_error err;

	datastore_error_set(&err, 413, "too-big", NULL, "the body exceeds %zu bytes", s->max_body);
	err.type = "transport";
	restconf_reply_error(&reply, &err);
	return send_reply(conn, &reply);
}

/* A Content-Length beyond the bound is refused before the body is read. */
static bool declared_too_big(struct MHD_Connection *conn, size_t max)
{
	const char *length = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return length && strtoull(length, NULL, 10) > max;
}

static enum MHD_Result answer(struct restconf_server *s, struct MHD_Connection *conn,
			      const char *url, const char *method, struct request_state *rs)
{
	struct restconf_reply reply = {0};
	struct restconf_request req = {
		.method = method,
		.path = url,
		.content_type = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE),
		.accept = header(conn, MHD_HTTP_HEADER_ACCEPT),
		.if_match = header(conn, MHD_HTTP_HEADER_IF_MATCH),
		.if_unmodified_since = header(conn, MHD_HTTP_HEADER_IF_UNMODIFIED_SINCE),
		.body = rs->body ? rs->body : "",
		.body_len = rs->body_len,
	};

	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_query, rs);
	req.content = rs->has_content ? rs->content : NULL;
	req.depth = rs->has_depth ? rs->depth : NULL;
	req.bad_parameter = rs->bad_parameter[0] ? rs->bad_parameter : NULL;
	restconf_dispatch(&s->backend, &req, &reply);
	return send_reply(conn, &reply);
}

/* MHD calls this once when the headers are in, once per piece of body, and
 * once more when the body is complete: then the request is answered. */
static enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct restconf_server *s = cls;
	struct request_state *rs = *con_cls;

	(void)version;
	if (!rs) {
		rs = calloc(1, sizeof(*rs));
		if (!rs)
			return MHD_NO;
		*con_cls = rs;
		return declared_too_big(conn, s->max_body) ? send_too_big(conn, s) : MHD_YES;
	}
	if (*upload_data_size) {
		body_append(rs, upload_data, *upload_data_size, s->max_body);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return rs->too_big ? send_too_big(conn, s) : answer(s, conn, url, method, rs);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode code)
{
	struct request_state *rs = *con_cls;

	(void)cls;
	(void)conn;
	(void)code;
	if (rs) {
		free(rs->body);
		free(rs);
		*con_cls = NULL;
	}
}

/* --- libev ---------------------------------------------------------------- */

static void listener_arm_timer(struct restconf_listener *l)
{
	MHD_UNSIGNED_LONG_LONG timeout_ms;

	ev_timer_stop(l->server->loop, &l->timer);
	if (MHD_get_timeout(l->daemon, &timeout_ms) != MHD_YES)
		return;
	ev_timer_set(&l->timer, timeout_ms / 1000.0, 0.);
	ev_timer_start(l->server->loop, &l->timer);
}

static void listener_run(struct restconf_listener *l)
{
	MHD_run(l->daemon);
	listener_arm_timer(l);
}

static void on_epoll_ready(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	listener_run(w->data);
}

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	listener_run(w->data);
}

/* --- sockets -------------------------------------------------------------- */

/* mkdir -p of the directory that will hold path. */
static int make_parent_dirs(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
		*slash = '/';
	}
	return 0;
}

static bool socket_answers(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool answers = fd >= 0 && connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;

	if (fd >= 0)
		close(fd);
	return answers;
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, ret;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "cannot bind %s: path too long", path);
		return -1;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	ret = make_parent_dirs(path);
	/* A socket left by a daemon that died would make bind() fail; one that
	 * still answers belongs to a running daemon and is left alone. */
	if (ret == 0 && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		if (socket_answers(&addr)) {
			snprintf(err, errlen, "cannot bind %s: another daemon serves it", path);
			return -1;
		}
		unlink(path);
	}
	fd = ret == 0 ? socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    chmod(path, 0660) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		snprintf(err, errlen, "cannot bind %s: %s", path, strerror(ret ? -ret : errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* "ADDR:PORT", "[ADDR6]:PORT". */
static int listen_tcp(const char *address, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	char host[256];
	const char *colon = strrchr(address, ':');
	struct addrinfo *ai;
	int fd, one = 1, ret;

	if (!colon || colon == address) {
		snprintf(err, errlen, "cannot bind %s: not ADDR:PORT", address);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - address), address);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	ret = getaddrinfo(host, colon + 1, &hints, &ai);
	if (ret != 0) {
		snprintf(err, errlen, "cannot bind %s: %s", address, gai_strerror(ret));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		snprintf(err, errlen, "cannot bind %s: %s", address, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* --- daemons -------------------------------------------------------------- */

static int listener_start(struct restconf_server *s, int fd, const char *name, char *err,
			  size_t errlen)
{
	struct restconf_listener *l = &s->listeners[s->n_listeners];
	const union MHD_DaemonInfo *info;

	l->server = s;
	l->daemon = MHD_start_daemon(
		MHD_USE_EPOLL, 0, NULL, NULL, handle_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTION_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_IDLE_TIMEOUT_S,
		MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL, MHD_OPTION_UNESCAPE_CALLBACK,
		keep_escaped, NULL, MHD_OPTION_END);
	info = l->daemon ? MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!info) {
		snprintf(err, errlen, "cannot serve %s: libmicrohttpd did not start", name);
		if (l->daemon)
			MHD_stop_daemon(l->daemon);
		else
			close(fd);
		return -1;
	}
	ev_io_init(&l->io, on_epoll_ready, info->epoll_fd, EV_READ);
	l->io.data = l;
	ev_init(&l->timer, on_timeout);
	l->timer.data = l;
	ev_io_start(s->loop, &l->io);
	s->n_listeners++;
	/* Accepting is the epoll fd's business; the timer starts with work. */
	listener_arm_timer(l);
	return 0;
}

struct restconf_server *restconf_server_start(struct ev_loop *loop, const struct restconf_options *o,
					      const struct restconf_backend *backend, char *err,
					      size_t errlen)
{
	struct restconf_server *s = calloc(1, sizeof(*s));
	const char *path = o->unix_path ? o->unix_path : RESTCONF_UNIX_PATH;
	int fd;

	if (!s) {
		snprintf(err, errlen, "cannot start RESTCONF: out of memory");
		return NULL;
	}
	s->loop = loop;
	s->backend = *backend;
	s->max_body = o->max_body ? o->max_body : RESTCONF_MAX_BODY;
	fd = listen_unix(path, err, errlen);
	if (fd < 0 || listener_start(s, fd, path, err, errlen) != 0) {
		free(s);
		return NULL;
	}
	snprintf(s->unix_path, sizeof(s->unix_path), "%s", path);
	if (o->tcp_address) {
		fd = listen_tcp(o->tcp_address, err, errlen);
		if (fd < 0 || listener_start(s, fd, o->tcp_address, err, errlen) != 0) {
			restconf_server_stop(s);
			return NULL;
		}
	}
	return s;
}

void restconf_server_stop(struct restconf_server *s)
{
	struct restconf_listener *l;
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->n_listeners; i++) {
		l = &s->listeners[i];
		ev_io_stop(s->loop, &l->io);
		ev_timer_stop(s->loop, &l->timer);
		/* Closes the listening socket too. */
		MHD_stop_daemon(l->daemon);
	}
	unlink(s->unix_path);
	free(s);
}
