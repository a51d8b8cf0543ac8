/* The configuration transaction: every failure (YANG validation, semantic
 * check, apply, persist) leaves the running tree, the applied config, the
 * saved file and the ETag exactly as they were; a success changes all four. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libyang/libyang.h>

#include "control/config_load.h"
#include "control/datastore.h"

#define DEMO_CONFIG POOLNET_YANG_DIR "/demo.json"

/* A stand-in for the agent: records what was applied, fails on request. */
struct fake_agent {
	unsigned applied;           /* successful apply calls */
	unsigned last_n_tenants;    /* of the config applied last */
	uint32_t last_first_vni;
	bool fail_apply;            /* the next apply of a new config fails */
	bool fail_persist;
	unsigned persists;
};

static int fake_apply(void *ctx, const struct config *cfg, struct datastore_error *err)
{
	struct fake_agent *f = ctx;

	if (f->fail_apply) {
		f->fail_apply = false;
		return datastore_error_set(err, 500, "operation-failed", NULL, "compile failed");
	}
	f->applied++;
	f->last_n_tenants = cfg->n_tenants;
	f->last_first_vni = cfg->n_tenants ? cfg->tenants[0].vni : 0;
	return 0;
}

static int fake_persist(void *ctx, const char *path, const char *data)
{
	struct fake_agent *f = ctx;

	if (f->fail_persist)
		return -ENOSPC;
	f->persists++;
	return datastore_persist_file(NULL, path, data);
}

static const struct datastore_ops fake_ops = {.apply = fake_apply, .persist = fake_persist};

struct fixture {
	struct ly_ctx *ctx;
	struct datastore ds;
	struct fake_agent agent;
	char dir[64];
	char file[128];
};

static char *running_json(const struct datastore *ds)
{
	char *json = NULL;

	lyd_print_mem(&json, ds->running, LYD_JSON, LYD_PRINT_WITHSIBLINGS);
	return json ? json : strdup("");
}

static char *file_contents(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_true(fread(buf, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	return buf;
}

static unsigned n_dirs; /* made by setup() */

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct datastore_error err = {0};
	char msg[512];

	assert_non_null(fx);
	fx->ctx = yang_context_create(POOLNET_YANG_DIR, msg, sizeof(msg));
	assert_non_null(fx->ctx);
	/* A new directory per test: this process's id and a counter. */
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/pn-datastore-%d-%u", (int)getpid(), ++n_dirs);
	assert_int_equal(mkdir(fx->dir, 0700), 0);
	snprintf(fx->file, sizeof(fx->file), "%s/running.json", fx->dir);
	assert_int_equal(datastore_init(&fx->ds, fx->ctx, fx->file, &fake_ops, &fx->agent), 0);
	assert_int_equal(datastore_load_file(&fx->ds, DEMO_CONFIG, &err), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	datastore_fini(&fx->ds);
	ly_ctx_destroy(fx->ctx);
	unlink(fx->file);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* A candidate: the running tree with one leaf changed. */
static struct lyd_node *candidate_with(struct fixture *fx, const char *path, const char *value)
{
	struct lyd_node *copy = NULL;

	assert_int_equal(lyd_dup_siblings(fx->ds.running, NULL, LYD_DUP_RECURSIVE, &copy), LY_SUCCESS);
	assert_int_equal(lyd_new_path(copy, NULL, path, value, LYD_NEW_PATH_UPDATE, NULL), LY_SUCCESS);
	return copy;
}

/* Everything observable before a failing commit, compared after it. */
struct snapshot {
	char *tree;
	char *file;
	char etag[32];
	unsigned applied;
	const struct config *cfg;
};

static void snapshot_take(struct fixture *fx, struct snapshot *s)
{
	s->tree = running_json(&fx->ds);
	s->file = file_contents(fx->file);
	datastore_etag(&fx->ds, s->etag, sizeof(s->etag));
	s->applied = fx->agent.applied;
	s->cfg = fx->ds.cfg;
}

static void snapshot_assert_unchanged(struct fixture *fx, struct snapshot *s)
{
	char etag[32];
	char *tree = running_json(&fx->ds);
	char *file = file_contents(fx->file);

	datastore_etag(&fx->ds, etag, sizeof(etag));
	assert_string_equal(tree, s->tree);
	assert_string_equal(file, s->file);
	assert_string_equal(etag, s->etag);
	assert_ptr_equal(fx->ds.cfg, s->cfg);
	assert_int_equal(fx->ds.cfg->tenants[0].vni, 5001);
	free(tree);
	free(file);
	free(s->tree);
	free(s->file);
}

static void test_load_applies_and_persists(void **state)
{
	struct fixture *fx = *state;
	char *file = file_contents(fx->file);

	assert_int_equal(fx->agent.applied, 1);
	assert_int_equal(fx->agent.last_n_tenants, 2);
	assert_int_equal(fx->ds.generation, 1);
	assert_non_null(strstr(file, "\"name\": \"red\""));
	free(file);
}

static void test_merge_commit_changes_everything(void **state)
{
	struct fixture *fx = *state;
	struct datastore_error err = {0};
	char before[32], after[32];
	char *file;

	datastore_etag(&fx->ds, before, sizeof(before));
	assert_int_equal(datastore_commit(&fx->ds,
					  candidate_with(fx, "/poolnet:tenants/tenant[name='red']/vni", "7001"),
					  &err), 0);
	datastore_etag(&fx->ds, after, sizeof(after));
	assert_string_not_equal(before, after);
	assert_int_equal(fx->agent.last_first_vni, 7001);
	assert_int_equal(fx->ds.cfg->tenants[0].vni, 7001);
	file = file_contents(fx->file);
	assert_non_null(strstr(file, "7001"));
	free(file);
}

static void test_yang_failure_leaves_all_untouched(void **state)
{
	struct fixture *fx = *state;
	struct datastore_error err = {0};
	struct snapshot s;

	snapshot_take(fx, &s);
	/* The same VNI twice: YANG's `unique` refuses it. */
	assert_int_equal(datastore_commit(&fx->ds,
					  candidate_with(fx, "/poolnet:tenants/tenant[name='blue']/vni", "5001"),
					  &err), -EINVAL);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.tag, "invalid-value");
	assert_non_null(strstr(err.path, "/poolnet:tenants/tenant"));
	assert_int_equal(fx->agent.applied, s.applied);
	snapshot_assert_unchanged(fx, &s);
}

static void test_semantic_failure_leaves_all_untouched(void **state)
{
	struct fixture *fx = *state;
	struct datastore_error err = {0};
	struct snapshot s;

	snapshot_take(fx, &s);
	/* blue-b onto red-b's port and VLAN: valid YANG, refused by the checks. */
	struct lyd_node *c = candidate_with(
		fx, "/poolnet:tenants/tenant[name='blue']/attachment[name='blue-b']/port", "red2");
	assert_int_equal(lyd_new_path(c, NULL,
				      "/poolnet:tenants/tenant[name='blue']/attachment[name='blue-b']/vlan",
				      "100", LYD_NEW_PATH_UPDATE, NULL), LY_SUCCESS);
	assert_int_equal(datastore_commit(&fx->ds, c, &err), -EINVAL);
	assert_int_equal(err.status, 400);
	assert_non_null(strstr(err.path, "attachment"));
	assert_non_null(strstr(err.message, "already used"));
	assert_int_equal(fx->agent.applied, s.applied);
	snapshot_assert_unchanged(fx, &s);
}

static void test_apply_failure_leaves_all_untouched(void **state)
{
	struct fixture *fx = *state;
	struct datastore_error err = {0};
	struct snapshot s;

	snapshot_take(fx, &s);
	fx->agent.fail_apply = true;
	assert_int_equal(datastore_commit(&fx->ds,
					  candidate_with(fx, "/poolnet:tenants/tenant[name='red']/vni", "7002"),
					  &err), -EIO);
	assert_int_equal(err.status, 500);
	assert_string_equal(err.message, "compile failed");
	snapshot_assert_unchanged(fx, &s);
}

static void test_persist_failure_restores_the_datapath(void **state)
{
	struct fixture *fx = *state;
	struct datastore_error err = {0};
	struct snapshot s;

	snapshot_take(fx, &s);
	fx->agent.fail_persist = true;
	assert_int_equal(datastore_commit(&fx->ds,
					  candidate_with(fx, "/poolnet:tenants/tenant[name='red']/vni", "7003"),
					  &err), -EIO);
	fx->agent.fail_persist = false;
	assert_int_equal(err.status, 500);
	assert_non_null(strstr(err.message, "cannot save"));
	/* The new config was applied, then the running one applied again. */
	assert_int_equal(fx->agent.applied, s.applied + 2);
	assert_int_equal(fx->agent.last_first_vni, 5001);
	s.applied = fx->agent.applied;
	snapshot_assert_unchanged(fx, &s);
}

static void test_empty_candidate_is_the_empty_config(void **state)
{
	struct fixture *fx = *state;
	struct datastore_error err = {0};

	assert_int_equal(datastore_commit(&fx->ds, NULL, &err), 0);
	assert_int_equal(fx->agent.last_n_tenants, 0);
	assert_int_equal(fx->ds.cfg->n_ports, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_applies_and_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_commit_changes_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yang_failure_leaves_all_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_semantic_failure_leaves_all_untouched, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_apply_failure_leaves_all_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persist_failure_restores_the_datapath, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_candidate_is_the_empty_config, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
