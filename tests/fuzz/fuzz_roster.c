/*
 * libFuzzer target for roster_parse() (the CSV member import): any bytes must parse without a
 * crash; every row it accepts has a name and an address, a language that is nl or en, and a
 * line number inside the file; problems are counted as they are written.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct roster r;
	size_t lines = 1;

	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n' || data[i] == '\r')
			lines++;
	memset(&r, 0, sizeof(r));
	if (roster_parse((const char *)data, size, "fuzz.csv", &r) < 0)
		abort();
	if ((r.nproblems == 0) != (r.problems.len == 0))
		abort();
	for (size_t i = 0; i < r.nrows; i++) {
		const struct roster_row *row = &r.rows[i];

		if (row->name == NULL || row->address == NULL || row->line < 2 || row->line > lines)
			abort();
		if (row->language != NULL && strcmp(row->language, "nl") != 0 &&
		    strcmp(row->language, "en") != 0)
			abort();
	}
	roster_release(&r);
	return 0;
}
