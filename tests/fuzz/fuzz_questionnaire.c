/*
 * libFuzzer target for questionnaire_parse(): any bytes are either rejected with a message
 * naming the file or accepted as a questionnaire whose invariants hold (a title, 1..max
 * questions in increasing number order, each with text), and everything is freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "questionnaire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct questionnaire q = QUESTIONNAIRE_INIT;
	struct fb_error err;

	if (questionnaire_parse("fuzz.txt", (const char *)data, size, &q, &err) < 0) {
		if (strncmp(err.msg, "fuzz.txt", 8) != 0 && strcmp(err.msg, "out of memory") != 0)
			abort();
		if (q.n != 0 || q.title != NULL)
			abort();
		return 0;
	}
	if (q.title == NULL || q.n == 0 || q.n > QUESTIONNAIRE_MAX_QUESTIONS)
		abort();
	for (size_t i = 0; i < q.n; i++) {
		if (q.q[i].text == NULL || q.q[i].text[0] == '\0' ||
		    strlen(q.q[i].text) > QUESTIONNAIRE_MAX_TEXT ||
		    q.q[i].number < 1 || q.q[i].number > QUESTIONNAIRE_MAX_NUMBER ||
		    (i > 0 && q.q[i].number <= q.q[i - 1].number))
			abort();
	}
	questionnaire_release(&q);
	return 0;
}
