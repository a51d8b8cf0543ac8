/* RESTCONF api-path ↔ libyang path translation (control/restconf_path.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libyang/libyang.h>

#include "control/config_load.h"
#include "control/restconf_internal.h"

static struct ly_ctx *ctx;

static int setup(void **state)
{
	char err[256];

	(void)state;
	ctx = yang_context_create(POOLNET_YANG_DIR, err, sizeof(err));
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ly_ctx_destroy(ctx);
	return 0;
}

/* Translates api_path and checks the XPath, or the error status. */
static void expect_xpath(const char *api_path, const char *xpath)
{
	struct restconf_target t;
	struct datastore_error err = {0};

	assert_int_equal(restconf_path_translate(ctx, api_path, &t, &err), 0);
	assert_string_equal(t.xpath, xpath);
}

static void expect_error(const char *api_path, const char *message_part)
{
	struct restconf_target t;
	struct datastore_error err = {0};

	assert_int_equal(restconf_path_translate(ctx, api_path, &t, &err), -EINVAL);
	assert_int_equal(err.status, 400);
	assert_string_equal(err.tag, "invalid-value");
	if (!strstr(err.message, message_part))
		fail_msg("'%s': '%s' does not mention '%s'", api_path, err.message, message_part);
}

static void test_datastore_root(void **state)
{
	struct restconf_target t;
	struct datastore_error err;

	(void)state;
	assert_int_equal(restconf_path_translate(ctx, "", &t, &err), 0);
	assert_null(t.schema);
	assert_string_equal(t.xpath, "");
	assert_int_equal(restconf_path_translate(ctx, "/", &t, &err), 0);
	assert_null(t.schema);
}

static void test_nested_list_leaf(void **state)
{
	struct restconf_target t;
	struct datastore_error err;
	static const char parent[] = "/poolnet:tenants/tenant[name='red']/attachment[name='red-a']";

	(void)state;
	assert_int_equal(restconf_path_translate(
				 ctx, "/poolnet:tenants/tenant=red/attachment=red-a/vlan", &t, &err),
			 0);
	assert_string_equal(t.xpath, "/poolnet:tenants/tenant[name='red']"
				     "/attachment[name='red-a']/vlan");
	assert_int_equal(t.parent_len, strlen(parent));
	assert_non_null(t.schema);
	assert_string_equal(t.schema->name, "vlan");
}

static void test_top_level_and_module_prefix(void **state)
{
	(void)state;
	expect_xpath("/poolnet:ports", "/poolnet:ports");
	expect_xpath("/poolnet:ports/port=up0/mtu", "/poolnet:ports/port[name='up0']/mtu");
	/* A prefix naming the parent's own module is allowed, not repeated. */
	expect_xpath("/poolnet:tenants/poolnet:tenant=red", "/poolnet:tenants/tenant[name='red']");
	expect_xpath("/ietf-yang-library:yang-library/module-set=complete",
		     "/ietf-yang-library:yang-library/module-set[name='complete']");
}

static void test_leaf_list_instance(void **state)
{
	(void)state;
	expect_xpath("/poolnet:tenants/tenant=red/remote-vtep=192.168.50.2",
		     "/poolnet:tenants/tenant[name='red']/remote-vtep[.='192.168.50.2']");
}

static void test_choice_is_transparent(void **state)
{
	(void)state;
	expect_xpath("/poolnet:tenants/tenant=red/static-mac=02:00:00:00:00:01/attachment",
		     "/poolnet:tenants/tenant[name='red']"
		     "/static-mac[mac='02:00:00:00:00:01']/attachment");
}

static void test_percent_decoding(void **state)
{
	(void)state;
	expect_xpath("/poolnet:tenants/tenant=r%65d", "/poolnet:tenants/tenant[name='red']");
	/* Encoded '/' and ',' stay inside the key. */
	expect_xpath("/poolnet:tenants/tenant=a%2Fb%2Cc", "/poolnet:tenants/tenant[name='a/b,c']");
	expect_xpath("/poolnet:tenants/tenant=it%27s", "/poolnet:tenants/tenant[name=\"it's\"]");
	expect_xpath("/poolnet:tenants/tenant=", "/poolnet:tenants/tenant[name='']");
}

static void test_bad_paths(void **state)
{
	(void)state;
	expect_error("/tenants", "needs its module");
	expect_error("/nosuch:tenants", "unknown module");
	expect_error("/poolnet:nosuch", "no top-level node");
	expect_error("/poolnet:tenants/nosuch", "no child node");
	expect_error("/poolnet:tenants/tenant", "needs its keys");
	expect_error("/poolnet:tenants/tenant=red,blue", "fewer keys");
	expect_error("/poolnet:tenants/tenant=red/remote-vtep", "needs its value");
	expect_error("/poolnet:tenants/tenant=red/remote-vtep=1.1.1.1,2.2.2.2", "one value");
	expect_error("/poolnet:tenants=red", "takes no value");
	expect_error("/poolnet:tenants/tenant=r%zz", "percent-encoding");
	expect_error("/poolnet:tenants/tenant=r%00", "percent-encoding");
	expect_error("/poolnet:tenants/tenant=r%4", "percent-encoding");
	expect_error("/poolnet:tenants/", "bad path segment");
	expect_error("/poolnet:tenants//tenant=red", "bad path segment");
	expect_error("/poolnet:tenants/tenant=red/vni/more", "no child node");
	expect_error("/poolnet:tenants/tenant=a%27b%22c", "both kinds of quote");
}

/* The api-path of a data node, keys percent-encoded (':' included). */
static void expect_path_of(const char *xpath, const char *api_path)
{
	struct lyd_node *tree = NULL, *node = NULL;
	char path[256];

	assert_int_equal(lyd_new_path2(NULL, ctx, xpath, NULL, 0, 0, 0, &tree, &node), LY_SUCCESS);
	assert_int_equal(restconf_path_of(node, path, sizeof(path)), 0);
	assert_string_equal(path, api_path);
	assert_int_equal(restconf_path_of(node, path, 10), -ENOSPC);
	lyd_free_all(tree);
}

static void test_path_of_node(void **state)
{
	(void)state;
	expect_path_of("/poolnet:tenants/tenant[name='red']/remote-vtep[.='10.0.0.1']",
		       "poolnet:tenants/tenant=red/remote-vtep=10.0.0.1");
	expect_path_of("/poolnet:tenants/tenant[name='a.b']/static-mac[mac='02:00:00:00:00:01']",
		       "poolnet:tenants/tenant=a.b/static-mac=02%3A00%3A00%3A00%3A00%3A01");
	expect_path_of("/poolnet:ports/port[name='up0']/statistics", "poolnet:ports/port=up0/statistics");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datastore_root),
		cmocka_unit_test(test_nested_list_leaf),
		cmocka_unit_test(test_top_level_and_module_prefix),
		cmocka_unit_test(test_leaf_list_instance),
		cmocka_unit_test(test_choice_is_transparent),
		cmocka_unit_test(test_percent_decoding),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_path_of_node),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
