/* JSON → libyang tree → struct config: the demo config's fields, security
 * groups and connection tracking, and the error paths of configs that must
 * be rejected. */
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
	f->cfg = calloc(1, sizeof(*f->cfg));
	assert_non_null(f->cfg);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	config_free(f->cfg);
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

/* A successful load leaves arrays that the next load must not overwrite. */
static void cfg_reset(struct fixture *f)
{
	config_free(f->cfg);
	f->cfg = calloc(1, sizeof(*f->cfg));
	assert_non_null(f->cfg);
}

/* Parses json into f->cfg; returns the first failing step's result. */
static int load_json(struct fixture *f, const char *json)
{
	struct lyd_node *tree;
	int ret;

	cfg_reset(f);
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

	cfg_reset(f);
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
	const struct underlay_config *underlay;
	const struct tenant_config *red;

	assert_int_equal(load_json(f, full_config), 0);
	underlay = &f->cfg->underlay;
	red = &f->cfg->tenants[0];
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

/* A config whose only security rule, sequence 1, holds the fields given. */
#define SG_RULE(fields)                                                                  \
	"{" PORTS ", \"poolnet:tenants\": {\"tenant\": [{\"name\": \"red\", \"id\": 1,"        \
	" \"security-group\": [{\"name\": \"web\", \"rule\": [{\"sequence\": 1,"               \
	" \"direction\": \"ingress\", " fields "}]}]}]}}"
#define SG_RULE_PATH                                                                     \
	"/poolnet:tenants/tenant[name='red']/security-group[name='web']/rule[sequence='1']/"

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
	{ SG_RULE("\"source-prefix\": \"10.0.0.1/24\""),
	  SG_RULE_PATH "source-prefix: 10.0.0.1/24 has bits set after the prefix length: write "
		       "10.0.0.0/24 for the subnet or 10.0.0.1/32 for the host" },
	{ SG_RULE("\"destination-prefix\": \"2001:db8::1/64\""),
	  SG_RULE_PATH "destination-prefix: 2001:db8::1/64 has bits set after the prefix length: "
		       "write 2001:db8::/64 for the subnet or 2001:db8::1/128 for the host" },
	{ SG_RULE("\"source-prefix\": \"2001:db8::/129\""),
	  SG_RULE_PATH "source-prefix: 2001:db8::/129 is not an IPv6 prefix" },
	{ SG_RULE("\"source-prefix\": \"10.0.0.256/32\""),
	  SG_RULE_PATH "source-prefix: 10.0.0.256/32 is not an IPv4 prefix" },
	{ SG_RULE("\"source-prefix\": \"10.0.0.0\""), SG_RULE_PATH "source-prefix: " },
	{ SG_RULE("\"source-prefix\": \"10.0.0.0/8\", \"destination-prefix\": \"::/0\""),
	  SG_RULE_PATH "destination-prefix: destination-prefix is IPv6 but source-prefix is "
		       "IPv4" },
	{ SG_RULE("\"destination-port\": {\"lower\": 80}"),
	  SG_RULE_PATH "destination-port: ports need protocol tcp (6) or udp (17)" },
	{ SG_RULE("\"protocol\": 132, \"source-port\": {\"lower\": 80}"),
	  SG_RULE_PATH "source-port: ports need protocol tcp (6) or udp (17)" },
	{ SG_RULE("\"protocol\": \"udp\", \"icmp\": {\"type\": 8}"),
	  SG_RULE_PATH "icmp: icmp needs protocol icmp (1) or icmpv6 (58)" },
	{ SG_RULE("\"protocol\": \"icmp\", \"source-prefix\": \"2001:db8::/32\""),
	  SG_RULE_PATH "protocol: protocol 1 is for IPv4 but the rule's prefixes are IPv6: use "
		       "icmpv6 (58)" },
	{ SG_RULE("\"protocol\": 58, \"destination-prefix\": \"10.0.0.0/8\""),
	  SG_RULE_PATH "protocol: protocol 58 is for IPv6 but the rule's prefixes are IPv4: use "
		       "icmp (1)" },
	{ SG_RULE("\"protocol\": \"tcp\", \"destination-port\": {\"lower\": 90, "
		  "\"upper\": 89}"),
	  SG_RULE_PATH "destination-port/upper: upper is below lower" },
	{ SG_RULE("\"protocol\": \"sctp\""), SG_RULE_PATH "protocol: " },
	{ SG_RULE("\"hits\": \"3\""), SG_RULE_PATH "hits: " },
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": [{\"name\": \"red\", \"id\": 1,"
	  " \"attachment\": [{\"name\": \"r\", \"port\": \"red1\","
	  "  \"security\": {\"group\": [\"db\"]}}]}]}}",
	  "/poolnet:tenants/tenant[name='red']/attachment[name='r']/security/group" },
	{ "{" PORTS ", \"poolnet:tenants\": {\"tenant\": [{\"name\": \"red\", \"id\": 1,"
	  " \"connection-tracking\": {\"session-limit\": 0}}]}}",
	  "/poolnet:tenants/tenant[name='red']/connection-tracking/session-limit: " },
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

/* Two groups with rules out of sequence order, one attachment filtered by
 * both and one by none, and every defaulted field left out somewhere. */
static const char security_config[] =
	"{" PORTS ", \"poolnet:tenants\": {\"tenant\": ["
	" {\"name\": \"red\", \"id\": 1,"
	"  \"security-group\": ["
	"   {\"name\": \"web\", \"rule\": ["
	"    {\"sequence\": 20, \"direction\": \"ingress\", \"protocol\": \"tcp\","
	"     \"destination-port\": {\"lower\": 80}},"
	"    {\"sequence\": 10, \"direction\": \"ingress\", \"action\": \"reject\","
	"     \"protocol\": 6, \"source-prefix\": \"10.1.0.0/16\","
	"     \"destination-port\": {\"lower\": 8000, \"upper\": 8099}},"
	"    {\"sequence\": 30, \"direction\": \"egress\", \"action\": \"drop\"}]},"
	"   {\"name\": \"ping\", \"rule\": ["
	"    {\"sequence\": 5, \"direction\": \"ingress\", \"protocol\": \"icmpv6\","
	"     \"icmp\": {\"type\": 128}},"
	"    {\"sequence\": 6, \"direction\": \"ingress\", \"protocol\": 1,"
	"     \"icmp\": {\"type\": 3, \"code\": 4}},"
	"    {\"sequence\": 7, \"direction\": \"egress\", \"protocol\": \"udp\","
	"     \"destination-prefix\": \"2001:db8:a::/48\","
	"     \"source-port\": {\"lower\": 53, \"upper\": 53}}]}],"
	"  \"attachment\": ["
	"   {\"name\": \"r1\", \"port\": \"red1\", \"security\": {\"group\": [\"ping\", \"web\"],"
	"    \"ingress-default\": \"reject\", \"egress-default\": \"drop\"}},"
	"   {\"name\": \"r2\", \"port\": \"red1\", \"vlan\": 7}],"
	"  \"connection-tracking\": {\"session-limit\": 1000, \"idle-timeout\": {\"udp\": 60}}},"
	" {\"name\": \"blue\", \"id\": 2}]}}";

static void assert_prefix_equal(const uint8_t *addr, int family, const char *text)
{
	uint8_t expected[16] = { 0 };

	assert_int_equal(inet_pton(family, text, expected), 1);
	assert_memory_equal(addr, expected, sizeof(expected));
}

static void test_security_groups(void **state)
{
	struct fixture *f = *state;
	const struct security_group_config *web, *ping;
	const struct sg_rule_config *rule;
	const struct tenant_config *red, *blue;

	assert_int_equal(load_json(f, security_config), 0);
	red = &f->cfg->tenants[0];
	blue = &f->cfg->tenants[1];
	assert_int_equal(red->n_groups, 2);
	web = &red->groups[0];
	ping = &red->groups[1];
	assert_string_equal(web->name, "web");
	assert_string_equal(ping->name, "ping");

	assert_int_equal(web->n_rules, 3);
	rule = &web->rules[0];
	assert_int_equal(rule->sequence, 10);
	assert_int_equal(rule->direction, SG_DIRECTION_INGRESS);
	assert_int_equal(rule->action, SG_ACTION_REJECT);
	assert_false(rule->any_proto);
	assert_int_equal(rule->proto, IPPROTO_TCP);
	assert_int_equal(rule->family, 4);
	assert_true(rule->has_src);
	assert_int_equal(rule->src_len, 16);
	assert_prefix_equal(rule->src, AF_INET, "10.1.0.0");
	assert_false(rule->has_dst);
	assert_int_equal(rule->sport_lo, 0);
	assert_int_equal(rule->sport_hi, 65535);
	assert_int_equal(rule->dport_lo, 8000);
	assert_int_equal(rule->dport_hi, 8099);
	assert_false(rule->has_icmp_type);

	rule = &web->rules[1];
	assert_int_equal(rule->sequence, 20);
	assert_int_equal(rule->action, SG_ACTION_ACCEPT);
	assert_int_equal(rule->proto, IPPROTO_TCP);
	assert_int_equal(rule->family, 0);
	assert_false(rule->has_src);
	assert_int_equal(rule->dport_lo, 80);
	assert_int_equal(rule->dport_hi, 80);

	rule = &web->rules[2];
	assert_int_equal(rule->sequence, 30);
	assert_int_equal(rule->direction, SG_DIRECTION_EGRESS);
	assert_int_equal(rule->action, SG_ACTION_DROP);
	assert_true(rule->any_proto);
	assert_int_equal(rule->proto, 0);
	assert_int_equal(rule->family, 0);
	assert_int_equal(rule->dport_lo, 0);
	assert_int_equal(rule->dport_hi, 65535);

	assert_int_equal(ping->n_rules, 3);
	rule = &ping->rules[0];
	assert_int_equal(rule->proto, IPPROTO_ICMPV6);
	assert_int_equal(rule->family, 6);
	assert_true(rule->has_icmp_type);
	assert_int_equal(rule->icmp_type, 128);
	assert_false(rule->has_icmp_code);
	rule = &ping->rules[1];
	assert_int_equal(rule->proto, IPPROTO_ICMP);
	assert_int_equal(rule->family, 4);
	assert_int_equal(rule->icmp_type, 3);
	assert_true(rule->has_icmp_code);
	assert_int_equal(rule->icmp_code, 4);
	rule = &ping->rules[2];
	assert_int_equal(rule->proto, IPPROTO_UDP);
	assert_int_equal(rule->family, 6);
	assert_true(rule->has_dst);
	assert_int_equal(rule->dst_len, 48);
	assert_prefix_equal(rule->dst, AF_INET6, "2001:db8:a::");
	assert_int_equal(rule->sport_lo, 53);
	assert_int_equal(rule->sport_hi, 53);

	assert_int_equal(red->attachments[0].sg.n_groups, 2);
	assert_int_equal(red->attachments[0].sg.groups[0], 1);
	assert_int_equal(red->attachments[0].sg.groups[1], 0);
	assert_int_equal(red->attachments[0].sg.ingress_default, SG_ACTION_REJECT);
	assert_int_equal(red->attachments[0].sg.egress_default, SG_ACTION_DROP);
	assert_int_equal(red->attachments[1].sg.n_groups, 0);
	assert_int_equal(red->attachments[1].sg.ingress_default, SG_ACTION_DROP);
	assert_int_equal(red->attachments[1].sg.egress_default, SG_ACTION_ACCEPT);

	assert_int_equal(red->conntrack.session_limit, 1000);
	assert_int_equal(red->conntrack.tcp_established_s, 3600);
	assert_int_equal(red->conntrack.udp_s, 60);
	assert_int_equal(blue->n_groups, 0);
	assert_null(blue->groups);
	assert_int_equal(blue->conntrack.session_limit, 65536);
	assert_int_equal(blue->conntrack.tcp_established_s, 3600);
	assert_int_equal(blue->conntrack.tcp_transitory_s, 30);
	assert_int_equal(blue->conntrack.udp_s, 30);
	assert_int_equal(blue->conntrack.icmp_s, 10);
}

#define MANY_RULES 10000

/* MANY_RULES rules in descending sequence; rule i (from 1) matches
 * 10.(i / 256).(i % 256).0/24 and destination port i. */
static char *many_rules_config(void)
{
	static const char head[] = "{" PORTS ", \"poolnet:tenants\": {\"tenant\": [{\"name\": "
				   "\"red\", \"id\": 1, \"security-group\": [{\"name\": \"big\", "
				   "\"rule\": [";
	static const char tail[] = "]}]}]}}";
	size_t size = sizeof(head) + MANY_RULES * 160 + sizeof(tail);
	char *json = malloc(size);
	size_t used;
	unsigned i;

	assert_non_null(json);
	used = snprintf(json, size, "%s", head);
	for (i = MANY_RULES; i >= 1; i--) {
		used += snprintf(json + used, size - used,
				 "%s{\"sequence\": %u, \"direction\": \"ingress\", "
				 "\"protocol\": \"tcp\", \"source-prefix\": \"10.%u.%u.0/24\", "
				 "\"destination-port\": {\"lower\": %u}}",
				 i == MANY_RULES ? "" : ",", i, i / 256, i % 256, i);
		assert_true(used < size);
	}
	assert_true(used + sizeof(tail) <= size);
	memcpy(json + used, tail, sizeof(tail));
	return json;
}

static void test_many_rules(void **state)
{
	struct fixture *f = *state;
	const struct security_group_config *big;
	char *json = many_rules_config();
	uint8_t src[16] = { 10 };
	unsigned i;

	assert_int_equal(load_json(f, json), 0);
	free(json);
	big = &f->cfg->tenants[0].groups[0];
	assert_int_equal(big->n_rules, MANY_RULES);
	for (i = 0; i < MANY_RULES; i++) {
		src[1] = (i + 1) / 256;
		src[2] = (i + 1) % 256;
		assert_int_equal(big->rules[i].sequence, i + 1);
		assert_int_equal(big->rules[i].dport_lo, i + 1);
		assert_memory_equal(big->rules[i].src, src, sizeof(src));
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
		cmocka_unit_test(test_security_groups),
		cmocka_unit_test(test_many_rules),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
