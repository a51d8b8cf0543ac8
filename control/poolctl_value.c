/* Encoding one leaf's value as RFC 7951 JSON. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "control/poolctl_value.h"

enum json_kind { JSON_STRING, JSON_NUMBER, JSON_BOOLEAN, JSON_EMPTY };

/* The leaf's module and schema path from an api-path: segments lose their
 * "=keys" part, e.g. "poolnet:tenants/tenant=red/vni" gives module
 * "poolnet", name "vni" and "/poolnet:tenants/tenant/vni". */
struct leaf_path {
	char module[64];
	char name[128];
	char schema[1024];
};

static int leaf_path_parse(const char *api_path, struct leaf_path *p, char *err, size_t errlen)
{
	const char *seg = api_path + (*api_path == '/'), *end, *eq, *colon;
	size_t len = 0, n;

	memset(p, 0, sizeof(*p));
	colon = strchr(seg, ':');
	if (!colon || colon == seg || (size_t)(colon - seg) >= sizeof(p->module) ||
	    memchr(seg, '/', colon - seg)) {
		snprintf(err, errlen, "%s: the path must start with a module name, e.g. "
			 "poolnet:tenants/tenant=red/vni", api_path);
		return -1;
	}
	memcpy(p->module, seg, colon - seg);
	for (; *seg; seg = *end ? end + 1 : end) {
		end = seg + strcspn(seg, "/");
		eq = memchr(seg, '=', end - seg);
		n = (eq ? eq : end) - seg;
		if (!n || len + n + 2 > sizeof(p->schema) || n >= sizeof(p->name)) {
			snprintf(err, errlen, "%s: bad path", api_path);
			return -1;
		}
		p->schema[len++] = '/';
		memcpy(p->schema + len, seg, n);
		len += n;
		memcpy(p->name, seg, n);
		p->name[n] = '\0';
	}
	/* The last segment may carry the module prefix too. */
	colon = strchr(p->name, ':');
	if (colon)
		memmove(p->name, colon + 1, strlen(colon));
	return 0;
}

/* A JSON integer: -?(0|[1-9][0-9]*) */
static bool is_json_integer(const char *s)
{
	s += *s == '-';
	if (*s == '0')
		return !s[1];
	if (*s < '1' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	return !*s;
}

static enum json_kind kind_of_type(const struct lysc_type *type, const char *value)
{
	switch (type->basetype) {
	case LY_TYPE_INT8:
	case LY_TYPE_INT16:
	case LY_TYPE_INT32:
	case LY_TYPE_UINT8:
	case LY_TYPE_UINT16:
	case LY_TYPE_UINT32:
		/* RFC 7951 6.1: 64-bit integers and decimal64 are strings. */
		return is_json_integer(value) ? JSON_NUMBER : JSON_STRING;
	case LY_TYPE_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "false"))
			return JSON_BOOLEAN;
		return JSON_STRING;
	case LY_TYPE_EMPTY:
		return JSON_EMPTY;
	case LY_TYPE_LEAFREF:
		return kind_of_type(((const struct lysc_type_leafref *)type)->realtype, value);
	default:
		return JSON_STRING;
	}
}

/* The declared type decides, except for a union: the member type the value
 * matches (libyang resolves it) does. */
static enum json_kind value_kind(const struct ly_ctx *ctx, const struct lysc_node *leaf,
				 const char *value)
{
	const struct lysc_type *type = ((const struct lysc_node_leaf *)leaf)->type;
	const struct lysc_type *real = NULL;
	LY_ERR rc;

	if (type->basetype == LY_TYPE_UNION) {
		/* LY_EINCOMPLETE: valid, only a leafref target was not checked. */
		rc = lyd_value_validate(ctx, leaf, value, strlen(value), NULL, &real, NULL);
		if ((rc != LY_SUCCESS && rc != LY_EINCOMPLETE) || !real)
			return JSON_STRING;
		type = real;
	}
	return kind_of_type(type, value);
}

static void json_string_append(char *out, const char *s)
{
	out += strlen(out);
	*out++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			out += sprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			out += sprintf(out, "\\u%04x", (unsigned char)*s);
		else
			*out++ = *s;
	}
	*out++ = '"';
	*out = '\0';
}

static char *body_build(const struct leaf_path *p, bool leaf_list, enum json_kind kind,
			const char *value)
{
	/* Escaping grows a byte to at most six ("\u001f"). */
	size_t size = strlen(p->module) + strlen(p->name) + 6 * strlen(value) + 32;
	char *body = malloc(size);

	if (!body)
		return NULL;
	snprintf(body, size, "{\"%s:%s\": %s", p->module, p->name, leaf_list ? "[" : "");
	if (kind == JSON_EMPTY)
		strcat(body, "[null]");
	else if (kind == JSON_STRING)
		json_string_append(body, value);
	else
		strcat(body, value);
	strcat(body, leaf_list ? "]}" : "}");
	return body;
}

char *poolctl_leaf_body(const struct ly_ctx *ctx, const char *api_path, const char *value,
			char *err, size_t errlen)
{
	const struct lysc_node *schema;
	struct leaf_path p;

	if (leaf_path_parse(api_path, &p, err, errlen))
		return NULL;
	schema = lys_find_path(ctx, NULL, p.schema, 0);
	ly_err_clean((struct ly_ctx *)ctx, NULL);
	if (!schema)
		return body_build(&p, false, JSON_STRING, value);
	if (!(schema->nodetype & (LYS_LEAF | LYS_LEAFLIST))) {
		snprintf(err, errlen, "%s: not a leaf; set changes one leaf, apply and edit "
			 "change more", api_path);
		return NULL;
	}
	/* The member is named after the leaf's own module (an augment's may differ). */
	snprintf(p.module, sizeof(p.module), "%s", schema->module->name);
	return body_build(&p, schema->nodetype == LYS_LEAFLIST, value_kind(ctx, schema, value),
			  value);
}
