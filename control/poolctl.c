/* poolctl: the operator's CLI. It talks RESTCONF (RFC 8040, JSON per
 * RFC 7951) to poolnetd over its unix socket, or TCP, and reads the
 * replies with libyang and poolnet's YANG modules. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libyang/libyang.h>

#include "control/config_load.h"
#include "control/poolctl.h"

#define DEFAULT_SOCKET "/run/poolnet/poolnetd.sock"

struct command {
	const char *name;
	int (*run)(struct poolctl *pc, int argc, char **argv);
	const char *usage; /* after "poolctl NAME " */
	const char *help;
};

static const struct command commands[] = {
	{ "show", poolctl_show, "tenants|ports|macs [TENANT]|counters [--json]",
	  "Shows poolnetd's configuration and state as tables:\n"
	  "  tenants   name, id, VNI, attachments (NAME@PORT[.VLAN]), remote VTEPs,\n"
	  "            received, sent, flooded and dropped packets\n"
	  "  ports     name, role, devargs, MTU, received, sent and dropped packets\n"
	  "  macs      MAC table entries (of one tenant with TENANT): where each MAC\n"
	  "            is (attachment or VTEP), whether it is static, its age in s\n"
	  "  counters  packet counters per port and per tenant, with the drop\n"
	  "            reasons that counted packets\n"
	  "--json prints the RFC 7951 JSON as poolnetd sent it.\n"
	  "--names (tenants, ports) prints the names alone, one a line." },
	{ "get", poolctl_get, "PATH [--etag]",
	  "Prints the JSON of the data at PATH, a RESTCONF api-path such as\n"
	  "poolnet:tenants/tenant=red/vni (keys percent-encoded), config and state.\n"
	  "--etag also prints the datastore's ETag on stderr, for --if-match." },
	{ "set", poolctl_set, "PATH VALUE",
	  "Sets the leaf at PATH to VALUE (PUT), e.g.\n"
	  "  poolctl set poolnet:tenants/tenant=red/vni 5001\n"
	  "VALUE is sent as a JSON number, boolean or string as the leaf's YANG\n"
	  "type says." },
	{ "apply", poolctl_apply, "FILE",
	  "Replaces the whole configuration with FILE's (RFC 7951 JSON; - is\n"
	  "stdin): PUT /restconf/data." },
	{ "edit", poolctl_edit, "FILE",
	  "Merges FILE's configuration (RFC 7951 JSON; - is stdin) into the running\n"
	  "one: PATCH /restconf/data." },
	{ "delete", poolctl_delete, "PATH",
	  "Deletes the configuration at PATH (a RESTCONF api-path), e.g.\n"
	  "  poolctl delete poolnet:tenants/tenant=blue" },
	{ "watch", poolctl_watch, "counters [--interval S] [--count N]",
	  "Refreshes packet rates (packets per second) per port and per tenant,\n"
	  "computed from consecutive reads of the counters every S seconds\n"
	  "(default 1); stops after N refreshes, or at Ctrl-C." },
	{ "help", NULL, "[COMMAND]", "Prints the help of poolctl or of COMMAND." },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	}
	return NULL;
}

static void tool_help(FILE *out)
{
	size_t i;

	fprintf(out, "usage: poolctl [--socket PATH | --tcp HOST:PORT] [--if-match ETAG] "
		     "COMMAND ...\n"
		     "\n"
		     "poolnetd's operator CLI (RESTCONF over poolnetd's socket).\n"
		     "\n"
		     "commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-7s %s\n", commands[i].name, commands[i].usage);
	fprintf(out, "\n"
		     "options:\n"
		     "  --socket PATH     poolnetd's unix socket (default $POOLNET_SOCKET, else\n"
		     "                    " DEFAULT_SOCKET ")\n"
		     "  --tcp HOST:PORT   use poolnetd's TCP listener instead\n"
		     "  --if-match ETAG   writes happen only if the datastore's ETag is still\n"
		     "                    ETAG (see get --etag); else HTTP 412\n"
		     "  -h, --help        this help; `poolctl help COMMAND` for a command's\n"
		     "\n"
		     "exit codes: 0 ok, 1 refused by poolnetd (HTTP 4xx), 2 usage error,\n"
		     "3 poolnetd unreachable, 4 server error (HTTP 5xx) or unusable reply.\n");
}

static void command_help(const struct command *c, FILE *out)
{
	fprintf(out, "usage: poolctl %s %s\n\n%s\n", c->name, c->usage, c->help);
}

int poolctl_usage_error(const char *command, const char *fmt, ...)
{
	const struct command *c = command ? command_find(command) : NULL;
	va_list ap;

	fputs("poolctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "usage: poolctl %s %s\n", c->name, c->usage);
	else
		fputs("usage: poolctl [OPTIONS] COMMAND ...; poolctl --help lists them\n", stderr);
	return POOLCTL_USAGE;
}

struct ly_ctx *poolctl_yang(struct poolctl *pc)
{
	const char *dir = getenv("POOLNET_YANG_DIR");
	char err[512];

	if (!pc->yang) {
		pc->yang = yang_context_create(dir ? dir : POOLNET_YANG_DIR, err, sizeof(err));
		if (!pc->yang)
			fprintf(stderr, "poolctl: %s (POOLNET_YANG_DIR selects the modules)\n",
				err);
	}
	return pc->yang;
}

static int help_run(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		tool_help(stdout);
		return POOLCTL_OK;
	}
	c = command_find(argv[1]);
	if (!c)
		return poolctl_usage_error(NULL, "no command called '%s'", argv[1]);
	command_help(c, stdout);
	return POOLCTL_OK;
}

/* `poolctl COMMAND ... --help`: operands before "--" only. */
static bool help_asked(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

/* Global options, up to the command's name; returns the index of the
 * command's name, or -1 after a usage error (0 for --help). */
static int global_options_parse(int argc, char **argv, struct poolctl *pc)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "tcp", required_argument, NULL, 't' },
		{ "if-match", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* '+': stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (c == 's')
			pc->ep.unix_path = optarg;
		else if (c == 't')
			pc->ep.tcp = optarg;
		else if (c == 'm')
			pc->ep.if_match = optarg;
		else if (c == 'h')
			return 0;
		else
			return -1;
	}
	return optind;
}

static int command_run(struct poolctl *pc, int argc, char **argv)
{
	const struct command *c = command_find(argv[0]);

	if (!c)
		return poolctl_usage_error(NULL, "no command called '%s'", argv[0]);
	if (!c->run)
		return help_run(argc, argv);
	if (help_asked(argc, argv)) {
		command_help(c, stdout);
		return POOLCTL_OK;
	}
	return c->run(pc, argc, argv);
}

int main(int argc, char **argv)
{
	struct poolctl pc = { 0 };
	int first, rc;

	pc.ep.unix_path = getenv("POOLNET_SOCKET");
	if (!pc.ep.unix_path || !*pc.ep.unix_path)
		pc.ep.unix_path = DEFAULT_SOCKET;
	first = global_options_parse(argc, argv, &pc);
	if (first == 0) {
		tool_help(stdout);
		return POOLCTL_OK;
	}
	if (first < 0)
		return poolctl_usage_error(NULL, "bad option");
	if (first >= argc)
		return poolctl_usage_error(NULL, "no command given");
	/* Errors reach the operator as poolctl's lines, not libyang's log. */
	ly_log_options(LY_LOSTORE);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = command_run(&pc, argc - first, argv + first);
	ly_ctx_destroy(pc.yang);
	curl_global_cleanup();
	return rc;
}
