/* Operational state as YANG data: the config false nodes of
 * yang/poolnet.yang (port and tenant statistics, MAC tables, security-group
 * rule hits and verdicts, tracked connections). */
#pragma once

struct lyd_node;

/* restconf_backend.state_add: adds the state of the running agent to
 * *tree, a copy of the running configuration. Control thread. */
int agent_state_add(void *agent, struct lyd_node **tree);
