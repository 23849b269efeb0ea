/*
 * libFuzzer target for mask_apply(): the input's first lines (up to the first empty line, at
 * most 64) are the names, the rest is the text. Any bytes must give 0, a NUL-terminated output
 * no longer than the text with every byte a mask, and no name of six or more plain letters
 * left standing as a word between spaces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
plain_letters(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return n >= 6;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char mask[] = "[naam]";
	char *names[64];
	size_t n = 0, i = 0;
	struct buf out = BUF_INIT, word = BUF_INIT;
	struct mask_list *l;

	while (i < size && n < 64) {
		size_t e = i;

		while (e < size && data[e] != '\n')
			e++;
		if (e == i) {
			i = e + 1;
			break;
		}
		names[n] = strndup((const char *)data + i, e - i);
		if (names[n] == NULL)
			abort();
		n++;
		i = e + 1;
	}
	if (i > size)
		i = size;
	l = mask_list_new((const char *const *)names, n);
	if (l == NULL)
		abort();
	if (mask_apply(l, (const char *)data + i, size - i, mask, &out) < 0)
		abort();
	if (out.data[out.len] != '\0' || out.len > (size - i) * (sizeof(mask) - 1) + sizeof(mask))
		abort();
	for (size_t k = 0; k < n; k++) {
		if (!plain_letters(names[k]))
			continue;
		buf_reset(&word);
		if (buf_addf(&word, " %s ", names[k]) < 0)
			abort();
		for (size_t at = 0; at + word.len <= out.len; at++)
			if (memcmp(out.data + at, word.data, word.len) == 0)
				abort();
	}
	mask_list_free(l);
	for (size_t k = 0; k < n; k++)
		free(names[k]);
	buf_release(&out);
	buf_release(&word);
	return 0;
}
