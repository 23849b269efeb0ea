/*
 * libFuzzer target for tips_parse() and tips_choose(): any bytes are either rejected with a
 * message naming the file, or accepted as tips whose invariants hold (ids unique and well
 * formed, known patterns and levels, text within bounds); then ten weeks of choices for a few
 * figures never give a tip twice, and everything is freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tips.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tip_figures figs[] = { { 0, 0, 0, 0, 0 }, { 0, 1, 1, 0, 0 },
		{ 1, 1, 1, 0, 1 }, { 1, 1, 1, 1, 0 }, { 1, 1, 1, 1, 1 } };
	struct tip_set s = TIP_SET_INIT;
	struct fb_error err;

	if (tips_parse("fuzz.txt", (const char *)data, size, &s, &err) < 0) {
		if (strncmp(err.msg, "fuzz.txt", 8) != 0 && strcmp(err.msg, "out of memory") != 0)
			abort();
		if (s.n != 0 || s.v != NULL)
			abort();
		return 0;
	}
	if (s.n == 0 || s.n > TIPS_MAX_TIPS)
		abort();
	for (size_t i = 0; i < s.n; i++) {
		const struct tip *t = &s.v[i];

		if (t->id == NULL || t->id[0] == '\0' || strlen(t->id) > TIPS_MAX_ID ||
		    t->text == NULL || t->text[0] == '\0' || strlen(t->text) > TIPS_MAX_TEXT ||
		    (unsigned)t->pattern >= TIP_PATTERNS || (unsigned)t->level >= TIP_LEVELS ||
		    tips_find(&s, t->id) != t)
			abort();
	}
	for (size_t f = 0; f < sizeof(figs) / sizeof(figs[0]); f++) {
		const char *given[10];
		size_t n = 0;

		for (int w = 1; w <= 10; w++) {
			const struct tip *t = tips_choose(&s, &figs[f], given, n, (int64_t)f, w, NULL);

			if (t == NULL) {
				if (n != s.n)
					abort();
				break;
			}
			for (size_t i = 0; i < n; i++)
				if (strcmp(given[i], t->id) == 0)
					abort();
			given[n++] = t->id;
		}
	}
	tips_release(&s);
	return 0;
}
