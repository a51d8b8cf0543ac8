/* The libyang context holding poolnet's YANG modules. */
#include <stdio.h>

#include <libyang/libyang.h>

#include "control/config_load.h"

/* Modules poolnetd implements, found in yang_dir. ietf-inet-types and
 * ietf-yang-types are built into every libyang context. */
static const char *const poolnet_modules[] = {
	"poolnet",
};

static int load_poolnet_modules(struct ly_ctx *ctx, const char *yang_dir, char *err,
				size_t errlen)
{
	const struct ly_err_item *first;
	size_t i;

	for (i = 0; i < sizeof(poolnet_modules) / sizeof(poolnet_modules[0]); i++) {
		if (ly_ctx_load_module(ctx, poolnet_modules[i], NULL, NULL))
			continue;
		first = ly_err_first(ctx);
		snprintf(err, errlen, "%s: cannot load YANG module %s: %s", yang_dir,
			 poolnet_modules[i], first && first->msg ? first->msg : "not found");
		return -1;
	}
	return 0;
}

struct ly_ctx *yang_context_create(const char *yang_dir, char *err, size_t errlen)
{
	/* Errors reach the operator through err, not libyang's stderr logger. */
	uint32_t log_options = ly_log_options(LY_LOSTORE);
	struct ly_ctx *ctx;

	if (ly_ctx_new(yang_dir, LY_CTX_DISABLE_SEARCHDIR_CWD, &ctx) != LY_SUCCESS) {
		snprintf(err, errlen, "%s: cannot create a YANG context", yang_dir);
		ctx = NULL;
	} else if (load_poolnet_modules(ctx, yang_dir, err, errlen)) {
		ly_ctx_destroy(ctx);
		ctx = NULL;
	} else {
		ly_err_clean(ctx, NULL);
	}
	ly_log_options(log_options);
	return ctx;
}
