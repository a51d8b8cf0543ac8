/* RFC 8040 error replies, as poolctl reports them to the operator. */
#pragma once

/* Prints one line per error of body (an "ietf-restconf:errors" document):
 * "poolctl: PATH: MESSAGE (HTTP STATUS TAG)"; a body that is no such
 * document is reported with the status alone. */
void poolctl_errors_print(long status, const char *body);
