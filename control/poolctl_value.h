/* Encoding one leaf's value as the RFC 7951 JSON body of a PUT. */
#pragma once

struct ly_ctx;

/* Returns the body that sets the leaf or leaf-list entry at api_path
 * ("poolnet:tenants/tenant=red/vni") to value, e.g.
 * {"poolnet:vni": 5001}: a number, boolean or string as the leaf's YANG
 * type says (a value the type rejects goes as a string, for poolnetd to
 * refuse with the reason). A path poolctl's modules do not know is sent
 * as a string for poolnetd to refuse too. Free the result; NULL when out
 * of memory or when api_path names no leaf (err then says why). */
char *poolctl_leaf_body(const struct ly_ctx *ctx, const char *api_path, const char *value,
			char *err, size_t errlen);
