/* Aligned text tables for poolctl's show and watch commands. */
#pragma once

#include <stdbool.h>

#define POOLCTL_TABLE_COLS 12

struct poolctl_table {
	int cols;
	bool numeric[POOLCTL_TABLE_COLS]; /* right-aligned column */
	char **cells;                     /* rows * cols strings, row 0 = header */
	int rows;
};

/* Starts a table; header is a NULL-terminated list of column titles, a
 * title starting with '>' is a right-aligned (numeric) column. */
void poolctl_table_init(struct poolctl_table *t, const char *const *header);

/* Appends a row of cols cells (copied; NULL prints as "-"). Returns 0 or
 * -ENOMEM. */
int poolctl_table_add(struct poolctl_table *t, const char *const *cells);

/* Prints the table to stdout, columns padded to their widest cell. */
void poolctl_table_print(const struct poolctl_table *t);

void poolctl_table_free(struct poolctl_table *t);
