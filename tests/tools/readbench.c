/*
 * readbench — the C side of tests/bench/bench_reading.py: streams a spool of raw replies through
 * the reading pipeline exactly as the daemon does per message (message_parse →
 * classify_message, then trim_reply → fields_parse for a reply or new mail, as flow/apply.c
 * does; everything freed before the next), until COUNT messages are done, going round the spool
 * as often as needed.
 *
 * usage: readbench SPOOL COUNT [CHECKPOINT...]
 *
 * The spool is a sequence of records: a 4-byte big-endian length, then that many bytes of one
 * raw message. One record is in memory at a time, so the peak RSS is what reading needs.
 * Prints key=value lines: messages, bytes, seconds (wall), cpu_seconds, the correctness guard
 * bkc (messages whose trimmed text gave at least one of the confirmation, critique and
 * suggestion fields), the kinds, parse_failed, the mean wall-clock microseconds per message of
 * each stage (us.<function>), and at every CHECKPOINT (a message count) the peak RSS so far as
 * rss_kib@N. Exits 1 when the spool cannot be read or is empty.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "buf.h"
#include "classify.h"
#include "fberror.h"
#include "fields.h"
#include "message.h"
#include "trim.h"
#include "banned.h"

/* A record larger than this is a broken spool, not a message. */
#define SPOOL_MAX_RECORD ((size_t)64 << 20)
#define MAX_CHECKPOINTS 16

struct counts {
	unsigned long long messages, bytes, bkc, parse_failed, failed;
	unsigned long long kinds[CLASSIFY_UNKNOWN + 1];
	double stage[4]; /* seconds in message_parse, trim_reply, classify_message, fields_parse */
};

/* classify's bounce tables, compiled once in main (a tool: one global is fine) */
static struct classify_rules *crules;

static const char *const STAGE[] = { "message_parse", "trim_reply", "classify_message",
    "fields_parse" };

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Read the next record into b, going back to the start at the end of the file.
 * 0 on success, -1 on a read error or a spool without records. */
static int
next_record(FILE *f, struct buf *b)
{
	unsigned char hdr[4];
	size_t len;

	for (int tries = 0; tries < 2; tries++) {
		if (fread(hdr, 1, 4, f) == 4)
			break;
		if (ferror(f) || tries == 1)
			return -1;
		rewind(f);
	}
	len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (len > SPOOL_MAX_RECORD)
		return -1;
	buf_reset(b);
	if (buf_grow(b, len) < 0 || fread(b->data, 1, len, f) != len)
		return -1;
	b->len = len;
	b->data[len] = '\0';
	return 0;
}

/* One message through the pipeline, as the daemon's receive pass does it. */
static void
read_one(const struct trim_rules *rules, const char *raw, size_t len, struct counts *c)
{
	struct fb_error err = { { 0 } };
	double t[5];
	struct fb_message *msg;
	struct buf text = BUF_INIT;
	struct trim_info trim = TRIM_INFO_INIT;
	struct classify_result cls;
	struct fields f;
	int rc;

	c->messages++;
	c->bytes += len;
	memset(&cls, 0, sizeof(cls));
	memset(&f, 0, sizeof(f));
	t[0] = now();
	msg = message_parse(raw, len, MESSAGE_DEFAULT_MAX_SIZE, &err);
	t[1] = now();
	c->stage[0] += t[1] - t[0];
	if (msg == NULL) {
		c->parse_failed++;
		c->kinds[CLASSIFY_UNKNOWN]++;
		return;
	}
	struct trim_context who = { msg->from.name, msg->from.addr, NULL };

	/* the daemon's order (flow/apply.c): classify, then read the text and its fields only of
	 * what a person wrote (a reply or new mail); a bounce, auto-reply or calendar answer is
	 * acted on by its kind */
	rc = classify_message_with(crules, msg, &cls, &err);
	t[2] = now();
	if (rc == 0 && (cls.kind == CLASSIFY_REPLY || cls.kind == CLASSIFY_NEW))
		rc = trim_reply_from(rules, &who, msg->text, msg->text_len, &text, &trim);
	t[3] = now();
	if (rc == 0 && (cls.kind == CLASSIFY_REPLY || cls.kind == CLASSIFY_NEW))
		rc = fields_parse_with(trim_rules_signature(rules), text.data, text.len, &f);
	t[4] = now();
	c->stage[2] += t[2] - t[1]; /* classify */
	c->stage[1] += t[3] - t[2]; /* trim */
	c->stage[3] += t[4] - t[3]; /* fields */
	if (rc < 0) {
		c->failed++;
	} else {
		c->kinds[cls.kind]++;
		if (f.confirmation.text != NULL || f.critique.text != NULL ||
		    f.suggestion.text != NULL)
			c->bkc++;
	}
	fields_release(&f);
	classify_result_release(&cls);
	trim_info_release(&trim);
	buf_release(&text);
	message_free(msg);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long
peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss; /* KiB on Linux */
}

static int
parse_count(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *out > 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	unsigned long long count, cps[MAX_CHECKPOINTS];
	size_t ncps = 0, next_cp = 0;
	struct counts c;
	struct trim_rules *rules;
	struct buf rec = BUF_INIT;
	struct timespec t0;
	double cpu0;
	FILE *f;

	if (argc < 3 || parse_count(argv[2], &count) < 0) {
		fprintf(stderr, "usage: readbench SPOOL COUNT [CHECKPOINT...]\n");
		return 2;
	}
	for (int i = 3; i < argc && ncps < MAX_CHECKPOINTS; i++) {
		if (parse_count(argv[i], &cps[ncps]) < 0 ||
		    (ncps > 0 && cps[ncps] <= cps[ncps - 1])) {
			fprintf(stderr, "readbench: checkpoints are increasing message counts\n");
			return 2;
		}
		ncps++;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "readbench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(&c, 0, sizeof(c));
	/* trim's patterns and classify's bounce tables are compiled before the clock starts, as
	 * the daemon does at its start */
	if ((rules = trim_rules_new()) == NULL || (crules = classify_rules_new(NULL)) == NULL) {
		fputs("readbench: out of memory\n", stderr);
		fclose(f);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cpu0 = cpu_seconds();
	while (c.messages < count) {
		if (next_record(f, &rec) < 0) {
			fprintf(stderr, "readbench: %s: unreadable or empty spool after %llu "
			    "messages\n", argv[1], c.messages);
			fclose(f);
			buf_release(&rec);
			trim_rules_free(rules);
			classify_rules_free(crules);
			return 1;
		}
		read_one(rules, rec.data, rec.len, &c);
		if (next_cp < ncps && c.messages == cps[next_cp]) {
			printf("rss_kib@%llu=%ld\n", cps[next_cp], peak_rss_kib());
			next_cp++;
		}
	}
	printf("messages=%llu\nbytes=%llu\nseconds=%.6f\ncpu_seconds=%.6f\nbkc=%llu\n"
	    "parse_failed=%llu\nfailed=%llu\n", c.messages, c.bytes, seconds_since(&t0),
	    cpu_seconds() - cpu0, c.bkc, c.parse_failed, c.failed);
	for (int i = 0; i < 4; i++)
		printf("us.%s=%.1f\n", STAGE[i], c.stage[i] * 1e6 / (double)c.messages);
	for (int k = 0; k <= CLASSIFY_UNKNOWN; k++)
		printf("kind.%s=%llu\n", classify_kind_name((enum classify_kind)k), c.kinds[k]);
	printf("rss_kib=%ld\n", peak_rss_kib());
	fclose(f);
	buf_release(&rec);
	trim_rules_free(rules);
	classify_rules_free(crules);
	return 0;
}
