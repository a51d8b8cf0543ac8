/* Aligned text tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/poolctl_table.h"

void poolctl_table_init(struct poolctl_table *t, const char *const *header)
{
	const char *titles[POOLCTL_TABLE_COLS];

	memset(t, 0, sizeof(*t));
	while (t->cols < POOLCTL_TABLE_COLS && header[t->cols]) {
		titles[t->cols] = header[t->cols];
		if (titles[t->cols][0] == '>') {
			t->numeric[t->cols] = true;
			titles[t->cols]++;
		}
		t->cols++;
	}
	/* Without room for a header row, poolctl_table_print prints nothing. */
	poolctl_table_add(t, titles);
}

int poolctl_table_add(struct poolctl_table *t, const char *const *cells)
{
	char **grown = realloc(t->cells, sizeof(*grown) * (t->rows + 1) * t->cols);
	char **row;
	int c;

	if (!grown)
		return -ENOMEM;
	t->cells = grown;
	row = t->cells + t->rows * t->cols;
	for (c = 0; c < t->cols; c++)
		row[c] = strdup(cells[c] ? cells[c] : "-");
	t->rows++;
	return 0;
}

static void column_widths(const struct poolctl_table *t, int *width)
{
	const char *cell;
	int r, c, len;

	for (c = 0; c < t->cols; c++) {
		width[c] = 0;
		for (r = 0; r < t->rows; r++) {
			cell = t->cells[r * t->cols + c];
			len = cell ? (int)strlen(cell) : 0;
			if (len > width[c])
				width[c] = len;
		}
	}
}

void poolctl_table_print(const struct poolctl_table *t)
{
	int width[POOLCTL_TABLE_COLS];
	const char *cell;
	int r, c;

	column_widths(t, width);
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->cols; c++) {
			cell = t->cells[r * t->cols + c] ? t->cells[r * t->cols + c] : "?";
			if (c == t->cols - 1 && !t->numeric[c])
				printf("%s", cell); /* no trailing blanks */
			else
				printf("%*s%s", t->numeric[c] ? width[c] : -width[c], cell,
				       c == t->cols - 1 ? "" : "  ");
		}
		putchar('\n');
	}
}

void poolctl_table_free(struct poolctl_table *t)
{
	int i;

	for (i = 0; i < t->rows * t->cols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
