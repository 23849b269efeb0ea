/*
 * libFuzzer target for fields_parse() and fields_to_json(): any bytes must parse, give valid
 * UTF-8 strings (jansson refuses anything else, so the JSON must always be built), and free.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fields f;
	json_t *j;
	char *s;

	if (fields_parse((const char *)data, size, &f) < 0)
		abort();
	j = fields_to_json(&f);
	if (j == NULL)
		abort();
	s = json_dumps(j, JSON_COMPACT);
	if (s == NULL)
		abort();
	free(s);
	json_decref(j);
	fields_release(&f);
	return 0;
}
