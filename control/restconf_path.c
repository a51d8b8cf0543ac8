/* RESTCONF api-path (RFC 8040 §3.5.3) ↔ libyang paths:
 *   poolnet:tenants/tenant=red/attachment=red-a/vlan
 *   /poolnet:tenants/tenant[name='red']/attachment[name='red-a']/vlan
 * Keys come from the schema, so a path naming a node poolnet does not have
 * is refused before any data is looked at. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libyang/libyang.h>

#include "control/restconf_internal.h"

#define IDENTIFIER_MAX 128 /* "module:name" of one segment */
#define KEY_VALUE_MAX 1024

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int restconf_percent_decode(const char *src, size_t len, char *dst, size_t dstlen)
{
	size_t i, used = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (used + 1 >= dstlen)
			return -EINVAL;
		if (src[i] != '%') {
			dst[used++] = src[i];
			continue;
		}
		if (i + 2 >= len)
			return -EINVAL;
		hi = hex_value(src[i + 1]);
		lo = hex_value(src[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -EINVAL;
		dst[used++] = (char)(hi << 4 | lo);
		i += 2;
	}
	dst[used] = '\0';
	return 0;
}

/* Appends printf output to t->xpath; -ENOSPC when it does not fit. */
static int __attribute__((format(printf, 3, 4)))
xpath_append(struct restconf_target *t, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->xpath + *used, sizeof(t->xpath) - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(t->xpath) - *used)
		return -ENOSPC;
	*used += n;
	return 0;
}

/* A path poolnet's schema does not have is the client's mistake: 400. */
static int __attribute__((format(printf, 2, 3)))
path_error(struct datastore_error *err, const char *fmt, ...)
{
	char msg[sizeof(err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	datastore_error_set(err, 400, "invalid-value", NULL, "%s", msg);
	err->type = "protocol";
	return -EINVAL;
}

/* Appends "[name='value']" (or "[.='value']" for a leaf-list, name ".")
 * with the quote that value does not contain. */
static int append_predicate(struct restconf_target *t, size_t *used, const char *name,
			    const char *raw, size_t rawlen, struct datastore_error *err)
{
	char value[KEY_VALUE_MAX];
	char quote = '\'';

	if (restconf_percent_decode(raw, rawlen, value, sizeof(value)) != 0)
		return path_error(err, "bad percent-encoding in the value of %s", name);
	if (strchr(value, '\'')) {
		if (strchr(value, '"'))
			return path_error(err, "the value of %s holds both kinds of quote",
					  name);
		quote = '"';
	}
	if (xpath_append(t, used, "[%s=%c%s%c]", name, quote, value, quote) != 0)
		return path_error(err, "the path is too long");
	return 0;
}

/* Appends the predicates of a list entry or leaf-list instance from the
 * segment's values (raw: comma-separated, still percent-encoded). */
static int append_values(struct restconf_target *t, size_t *used, const struct lysc_node *node,
			 const char *raw, size_t rawlen, struct datastore_error *err)
{
	const struct lysc_node *key = lysc_node_child(node);
	const char *end = raw + rawlen, *comma;
	int ret;

	if (node->nodetype == LYS_LEAFLIST)
		return memchr(raw, ',', rawlen) ?
			       path_error(err, "leaf-list %s takes one value", node->name) :
			       append_predicate(t, used, ".", raw, rawlen, err);
	for (; key && lysc_is_key(key); key = key->next) {
		if (raw > end)
			return path_error(err, "list %s needs a value for key %s", node->name,
					  key->name);
		comma = memchr(raw, ',', end - raw);
		ret = append_predicate(t, used, key->name, raw, (comma ? comma : end) - raw, err);
		if (ret != 0)
			return ret;
		raw = comma ? comma + 1 : end + 1;
	}
	if (raw <= end)
		return path_error(err, "list %s has fewer keys than the path gives",
				  node->name);
	return 0;
}

static const struct lysc_node *schema_child(const struct lysc_node *parent,
					    const struct lys_module *mod, const char *name)
{
	const struct lysc_node *node = NULL;

	while ((node = lys_getnext(node, parent, parent ? NULL : mod->compiled, 0)))
		if (node->module == mod && strcmp(node->name, name) == 0)
			return node;
	return NULL;
}

/* Finds the schema node of one segment ("[module:]name") under *parent. */
static int resolve_name(const struct ly_ctx *ctx, const char *raw, size_t rawlen,
			const struct lysc_node **parent, struct datastore_error *err)
{
	char ident[IDENTIFIER_MAX];
	const struct lys_module *mod;
	const struct lysc_node *node;
	char *colon, *name = ident;

	if (rawlen == 0 || restconf_percent_decode(raw, rawlen, ident, sizeof(ident)) != 0)
		return path_error(err, "bad path segment '%.*s'", (int)rawlen, raw);
	colon = strchr(ident, ':');
	if (colon) {
		*colon = '\0';
		name = colon + 1;
		mod = ly_ctx_get_module_implemented(ctx, ident);
		if (!mod)
			return path_error(err, "unknown module '%s'", ident);
	} else if (*parent) {
		mod = (*parent)->module;
	} else {
		return path_error(err, "the first node needs its module: 'poolnet:%s'",
				  ident);
	}
	node = schema_child(*parent, mod, name);
	if (!node)
		return *parent ? path_error(err, "%s has no child node '%s'", (*parent)->name, name) :
				 path_error(err, "module %s has no top-level node '%s'", mod->name,
					    name);
	*parent = node;
	return 0;
}

/* Translates one segment, "[module:]name[=value[,value]...]". */
static int translate_segment(const struct ly_ctx *ctx, const char *seg, size_t seglen,
			     const struct lysc_node **node, struct restconf_target *t, size_t *used,
			     struct datastore_error *err)
{
	const char *eq = memchr(seg, '=', seglen);
	const struct lysc_node *parent = *node;
	bool qualify;
	int ret;

	ret = resolve_name(ctx, seg, eq ? (size_t)(eq - seg) : seglen, node, err);
	if (ret != 0)
		return ret;
	qualify = !parent || parent->module != (*node)->module;
	if (xpath_append(t, used, "/%s%s%s", qualify ? (*node)->module->name : "",
			 qualify ? ":" : "", (*node)->name) != 0)
		return path_error(err, "the path is too long");
	if ((*node)->nodetype & (LYS_LIST | LYS_LEAFLIST)) {
		if (!eq)
			return path_error(err, "%s needs its %s: name=value", (*node)->name,
					  (*node)->nodetype == LYS_LIST ? "keys" : "value");
		return append_values(t, used, *node, eq + 1, seg + seglen - eq - 1, err);
	}
	if (eq)
		return path_error(err, "%s is not a list or leaf-list: it takes no value",
				  (*node)->name);
	return 0;
}

int restconf_path_translate(const struct ly_ctx *ctx, const char *api_path,
			    struct restconf_target *t, struct datastore_error *err)
{
	const char *seg = api_path, *slash;
	const struct lysc_node *node = NULL;
	size_t used = 0, seglen;
	int ret;

	t->xpath[0] = '\0';
	t->parent_len = 0;
	t->schema = NULL;
	if (seg[0] == '\0' || strcmp(seg, "/") == 0)
		return 0;
	if (seg[0] != '/')
		return path_error(err, "a data path starts with '/'");
	for (seg++; seg; seg = slash ? slash + 1 : NULL) {
		slash = strchr(seg, '/');
		seglen = slash ? (size_t)(slash - seg) : strlen(seg);
		t->parent_len = used;
		ret = translate_segment(ctx, seg, seglen, &node, t, &used, err);
		if (ret != 0)
			return ret;
	}
	t->schema = node;
	return 0;
}

/* Appends src percent-encoded: everything but RFC 3986's unreserved
 * characters, so that ',', '/' and '=' in a key never split it. */
static int append_encoded(char *buf, size_t len, size_t *used, const char *src)
{
	static const char unreserved[] = "-._~";
	int n;

	for (; *src; src++) {
		if ((*src >= 'a' && *src <= 'z') || (*src >= 'A' && *src <= 'Z') ||
		    (*src >= '0' && *src <= '9') || strchr(unreserved, *src))
			n = snprintf(buf + *used, len - *used, "%c", *src);
		else
			n = snprintf(buf + *used, len - *used, "%%%02X", (unsigned char)*src);
		if ((size_t)n >= len - *used)
			return -ENOSPC;
		*used += n;
	}
	return 0;
}

static int append_segment(const struct lyd_node *node, char *buf, size_t len, size_t *used)
{
	const struct lyd_node *parent = lyd_parent(node), *key;
	bool qualify = !parent || parent->schema->module != node->schema->module;
	char sep = '=';
	int n;

	n = snprintf(buf + *used, len - *used, "%s%s%s%s", parent ? "/" : "",
		     qualify ? node->schema->module->name : "", qualify ? ":" : "",
		     node->schema->name);
	if (n < 0 || (size_t)n >= len - *used)
		return -ENOSPC;
	*used += n;
	if (node->schema->nodetype == LYS_LEAFLIST) {
		if (snprintf(buf + *used, len - *used, "=") != 1)
			return -ENOSPC;
		(*used)++;
		return append_encoded(buf, len, used, lyd_get_value(node));
	}
	if (node->schema->nodetype != LYS_LIST)
		return 0;
	for (key = lyd_child(node); key && lysc_is_key(key->schema); key = key->next) {
		if (snprintf(buf + *used, len - *used, "%c", sep) != 1)
			return -ENOSPC;
		(*used)++;
		sep = ',';
		if (append_encoded(buf, len, used, lyd_get_value(key)) != 0)
			return -ENOSPC;
	}
	return 0;
}

static int path_of(const struct lyd_node *node, char *buf, size_t len, size_t *used)
{
	int ret = 0;

	if (lyd_parent(node))
		ret = path_of(lyd_parent(node), buf, len, used);
	return ret ? ret : append_segment(node, buf, len, used);
}

int restconf_path_of(const struct lyd_node *node, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	return path_of(node, buf, len, &used);
}
