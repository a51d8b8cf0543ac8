/* JSON → libyang tree → struct config: the demo config's fields and the
 * error paths of configs that must be rejected. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libyang/libyang.h>

#include "control/config_load.h"

struct fixture {
	struct ly_ctx *ctx;
	struct config *cfg;
	char err[1024];
};

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ctx = yang_context_create(POOLNET_YANG_DIR, f->err, sizeof(f->err));
	assert_non_null(f->ctx);
	f->cfg = malloc(sizeof(*f->cfg));
	assert_non_null(f->cfg);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	free(f->cfg);
	ly_ctx_destroy(f->ctx);
	free(f);
	return 0;
}

static uint32_t ipv4(const char *text)
{
	struct in_addr addr;

	assert_int_equal(inet_pton(AF_INET, text, &addr), 1);
	return addr.s_addr;
}

static void assert_mac_equal(const struct rte_ether_addr *mac, const char *text)
{
	struct rte_ether_addr expected;

	assert_int_equal(rte_ether_unformat_addr(text, &expected), 0);
	assert_memory_equal(mac, &expected, sizeof(expected));
}

/* Parses json into f->cfg; returns the first failing step's result. */
static int load_json(struct fixture *f, const char *json)
{
	struct lyd_node *tree;
	int ret;

	f->err[0] = '\0';
	ret = config_tree_parse(f->ctx, json, &tree, f->err, sizeof(f->err));
	if (ret)
		return ret;
	ret = config_from_tree(tree, f->cfg, f->err, sizeof(f->err));
	lyd_free_all(tree);
	return ret;
}

static void test_demo_config(void **state)
{
	struct fixture *f = *state;
	const struct tenant_config *red, *blue;
	struct lyd_node *tree;

	assert_int_equal(config_tree_load(f->ctx, POOLNET_YANG_DIR "/demo.json", &tree, f->err,
					  sizeof(f->err)),
			 0);
	assert_int_equal(config_from_tree(tree, f->cfg, f->err, sizeof(f->err)), 0);
	lyd_free_all(tree);

	assert_int_equal(f->cfg->n_ports, 5);
	assert_string_equal(f->cfg->ports[0].name, "red1");
	assert_string_equal(f->cfg->ports[0].devargs, "net_tap0,iface=pn-red1");
	assert_int_equal(f->cfg->ports[0].role, PORT_ROLE_ACCESS);
	assert_int_equal(f->cfg->ports[0].mtu, 1500);
	assert_int_equal(config_port_index(f->cfg, "up0"), 4);
	assert_int_equal(f->cfg->ports[4].role, PORT_ROLE_UPLINK);
	assert_int_equal(config_port_index(f->cfg, "green1"), -1);

	assert_true(f->cfg->underlay.present);
	assert_int_equal(f->cfg->underlay.local_ip, ipv4("192.168.50.1"));
	assert_int_equal(f->cfg->underlay.prefix_len, 24);
	assert_int_equal(f->cfg->underlay.gateway, 0);
	assert_string_equal(f->cfg->underlay.uplink, "up0");
	assert_int_equal(f->cfg->underlay.udp_port, 4789);
	assert_false(f->cfg->underlay.has_mac);
	assert_int_equal(f->cfg->underlay.n_neighbours, 0);

	assert_int_equal(f->cfg->n_tenants, 2);
	red = &f->cfg->tenants[0];
	blue = &f->cfg->tenants[1];
	assert_string_equal(red->name, "red");
	assert_int_equal(red->id, 1);
	assert_int_equal(red->vni, 5001);
	assert_int_equal(red->mac_ageing_s, 300);
	assert_int_equal(red->n_attachments, 2);
	assert_string_equal(red->attachments[0].name, "red-a");
	assert_string_equal(red->attachments[0].port, "red1");
	assert_int_equal(red->attachments[0].vlan, 0);
	assert_string_equal(red->attachments[1].port, "red2");
	assert_int_equal(red->attachments[1].vlan, 100);
	assert_int_equal(red->n_vteps, 1);
	assert_int_equal(red->vteps[0], ipv4("192.168.50.2"));
	assert_int_equal(red->n_static_macs, 0);
	assert_string_equal(blue->name, "blue");
	assert_int_equal(blue->id, 2);
	assert_int_equal(blue->vni, 5002);
	assert_string_equal(blue->attachments[1].name, "blue-b");
	assert_int_equal(blue->attachments[1].vlan, 200);
}

/* Every optional field set, two uplink ports, and the same port shared
 * untagged by one tenant and tagged by another. */
static const char full_config[] =
	"{\"poolnet:ports\": {\"port\": ["
	" {\"name\": \"red1\", \"devargs\": \"net_tap0,iface=pnred1\", \"role\": \"access\","
	"  \"mtu\": 9000},"
	" {\"name\": \"up0\", \"devargs\": \"net_tap4,iface=pnup0\", \"role\": \"uplink\"},"
	" {\"name\": \"up1\", \"devargs\": \"net_tap5,iface=pnup1\", \"role\": \"uplink\"}]},"
	" \"poolnet:underlay\": {\"local-vtep\": \"10.1.0.1\", \"prefix-length\": 16,"
	"  \"gateway\": \"10.1.255.254\", \"uplink-port\": \"up1\", \"udp-port\": 8472,"
	"  \"source-mac\": \"02:00:00:00:50:01\","
	"  \"neighbour\": [{\"ip\": \"10.1.0.2\", \"mac\": \"02:00:00:00:50:02\"}]},"
	" \"poolnet:tenants\": {\"tenant\": ["
	" {\"name\": \"red\", \"id\": 1, \"vni\": 5001, \"mac-ageing-time\": 60,"
	"  \"attachment\": [{\"name\": \"red-a\", \"port\": \"red1\"}],"
	"  \"remote-vtep\": [\"10.1.0.2\", \"10.2.0.7\"],"
	"  \"static-mac\": [{\"mac\": \"02:AA:00:00:00:01\", \"attachment\": \"red-a\"},"
	"   {\"mac\": \"02:aa:00:00:00:09\", \"remote-vtep\": \"10.2.0.7\"}]},"
	" {\"name\": \"blue\", \"id\": 65535,"
	"  \"attachment\": [{\"name\": \"blue-a\", \"port\": \"red1\", \"vlan\": 4094}]}]}}";

static void test_full_config(void **state)
{
	struct fixture *f = *state;
	const struct underlay_config *underlay = &f->cfg->underlay;
	const struct tenant_config *red = &f->cfg->tenants[0];

	assert_int_equal(load_json(f, full_config), 0);
	assert_int_equal(f->cfg->ports[0].mtu, 9000);
	assert_int_equal(underlay->prefix_len, 16);
	assert_int_equal(underlay->gateway, ipv4("10.1.255.254"));
	assert_string_equal(underlay->uplink, "up1");
	assert_int_equal(underlay->udp_port, 8472);
	assert_true(underlay->has_mac);
	assert_mac_equal(&underlay->mac, "02:00:00:00:50:01");
	assert_int_equal(underlay->n_neighbours, 1);
	assert_int_equal(underlay->neighbours[0].ip, ipv4("10.1.0.2"));
	assert_mac_equal(&underlay->neighbours[0].mac, "02:00:00:00:50:02");

	assert_int_equal(red->mac_ageing_s, 60);
	assert_int_equal(red->n_vteps, 2);
	assert_int_equal(red->vteps[1], ipv4("10.2.0.7"));
	assert_int_equal(red->n_static_macs, 2);
	assert_mac_equal(&red->static_macs[0].mac, "02:aa:00:00:00:01");
	assert_int_equal(red->static_macs[0].attachment, 0);
	assert_mac_equal(&red->static_macs[1].mac, "02:aa:00:00:00:09");
	assert_int_equal(red->static_macs[1].attachment, -1);
	assert_int_equal(red->static_macs[1].vtep, ipv4("10.2.0.7"));
	assert_int_equal(f->cfg->tenants[1].id, 65535);
	assert_int_equal(f->cfg->tenants[1].vni, 0);
	assert_int_equal(f->cfg->tenants[1].attachments[0].vlan, 4094);
}

#define PORTS                                                                            \
	"\"poolnet:ports\": {\"port\": ["                                                \
	" {\"name\": \"red1\", \"devargs\": \"net_tap0\", \"role\": \"access\"},"       \
	" {\"name\": \"up0\", \"devargs\": \"net_tap4\", \"role\": \"uplink\"}]}"

struct bad_config {
	const char *json;
	const char *error; /* the start of the expected error message */
};

static const struct bad_config bad_configs[] = {
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": ["
	  " {\"name\": \"red\", \"id\": 1, \"attachment\": [{\"name\": \"r\", \"port\": \"red1\","
	  "  \"vlan\": 100}]},"
	  " {\"name\": \"blue\", \"id\": 2, \"attachment\": [{\"name\": \"b1\", \"port\": \"red1\","
	  "  \"vlan\": 100}]}]}}",
	  "/poolnet:tenants/tenant[name='blue']/attachment[name='b1']/vlan: VLAN 100 on port "
	  "red1 is already used by tenant red" },
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": ["
	  " {\"name\": \"red\", \"id\": 1, \"attachment\": [{\"name\": \"r1\", \"port\": \"red1\"},"
	  "  {\"name\": \"r2\", \"port\": \"red1\"}]}]}}",
	  "/poolnet:tenants/tenant[name='red']/attachment[name='r2']: untagged traffic on port "
	  "red1 is already used by tenant red" },
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": ["
	  " {\"name\": \"red\", \"id\": 1, \"vni\": 9, \"remote-vtep\": [\"10.0.0.2\"]}]}}",
	  "/poolnet:tenants/tenant[name='red']/remote-vtep[.='10.0.0.2']: remote VTEPs need an "
	  "underlay with an uplink port" },
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": ["
	  " {\"name\": \"red\", \"id\": 1, \"attachment\": [{\"name\": \"r\", \"port\": \"red1\","
	  "  \"vlan\": 0}]}]}}",
	  "/poolnet:tenants/tenant[name='red']/attachment[name='r']/vlan: " },
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": ["
	  " {\"name\": \"red\", \"id\": 1,"
	  "  \"attachment\": [{\"name\": \"r\", \"port\": \"up0\"}]}]}}",
	  "/poolnet:tenants/tenant[name='red']/attachment[name='r']/port: attachments need a port "
	  "of role access" },
	{ "{" PORTS ", \"poolnet:underlay\": {\"local-vtep\": \"10.0.0.1\","
	  " \"uplink-port\": \"red1\"}}",
	  "/poolnet:underlay/uplink-port: the underlay needs a port of role uplink" },
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": ["
	  " {\"name\": \"red\", \"id\": 1, \"attachment\": [{\"name\": \"r\", \"port\": \"red1\"}],"
	  "  \"static-mac\": [{\"mac\": \"ff:ff:ff:ff:ff:ff\", \"attachment\": \"r\"}]}]}}",
	  "/poolnet:tenants/tenant[name='red']/static-mac[mac='ff:ff:ff:ff:ff:ff']/mac: static MAC "
	  "ff:ff:ff:ff:ff:ff is a multicast address" },
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": [{\"name\": \"red\", \"id\": 1,"
	  " \"statistics\": {\"rx-packets\": \"1\"}}]}}",
	  "/poolnet:tenants/tenant[name='red']/statistics: " },
	{ "{\"poolnet:ports\": {\"port\": [{\"name\": \"red1\", \"devargs\": \"x\"}]}}",
	  "/poolnet:ports/port/role: " },
	{ "{\"poolnet:ports\": {\"port\": [", "/" },
	{ " \n", "/: no JSON object found" },
};

static void test_bad_configs(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++) {
		if (!load_json(f, bad_configs[i].json))
			fail_msg("bad config %zu accepted", i);
		if (strncmp(f->err, bad_configs[i].error, strlen(bad_configs[i].error)))
			fail_msg("bad config %zu: got \"%s\", expected it to start with \"%s\"", i,
				 f->err, bad_configs[i].error);
	}
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct lyd_node *tree;

	assert_int_equal(config_tree_load(f->ctx, "/nonexistent/poolnet.json", &tree, f->err,
					  sizeof(f->err)),
			 -ENOENT);
	assert_null(tree);
	assert_string_equal(f->err, "/nonexistent/poolnet.json: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_config),
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
