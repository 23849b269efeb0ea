/*
 * libFuzzer target for trim_reply(): any bytes must give 0, an output no longer than the input
 * plus one newline per line, and a NUL-terminated buffer; the description must be built too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "trim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Compiled once for the whole run, as the daemon does; reachable until exit. */
static struct trim_rules *rules;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	struct trim_info info = TRIM_INFO_INIT;

	if (rules == NULL && (rules = trim_rules_new()) == NULL)
		abort();
	if (trim_reply(rules, (const char *)data, size, &out, &info) < 0)
		abort();
	if (out.data[out.len] != '\0' || out.len > 2 * size + 1)
		abort();
	if (info.lines_removed > info.lines_in)
		abort();
	trim_info_release(&info);
	buf_release(&out);
	return 0;
}
