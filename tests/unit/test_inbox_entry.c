/*
 * Unit tests of inbox_entry: what the inbox keeps of a received message, decided before the
 * store (the store only stores these values). One test per row: how much is kept, whether the
 * message counts as too large, the envelope read from the header, and which messages share a
 * dedupe key (the same mail by another route does; another sender or body does not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "inbox_entry.h"
#include "testlib.h"

#define MAIL(received, from, mid, body) \
	"Received: " received "\nFrom: " from "\nSubject: Week 3\n" mid "\n\n" body

static const char BASE[] = MAIL("by a", "Ann <ann@example.org>", "Message-ID: <m1@x>", "Hello\n");

struct entry_case {
	const char *name;
	const char *raw;
	size_t size;                /* 0: strlen(raw) */
	size_t max_size;
	const char *message_id, *from, *subject;
	int too_big;
	int same_key_as_base;       /* 1 same dedupe key as BASE, 0 another, -1 no key */
	int same_hash_as_base;
};

static const struct entry_case cases[] = {
	{ "plain_message_is_kept_whole_with_its_envelope", BASE, 0, 1 << 20,
	    "m1@x", "ann@example.org", "Week 3", 0, 1, 1 },
	{ "another_route_has_the_same_key_not_the_same_hash",
	    MAIL("by b", "Ann <ann@example.org>", "Message-ID: <m1@x>", "Hello\n"), 0, 1 << 20,
	    "m1@x", "ann@example.org", "Week 3", 0, 1, 0 },
	{ "sender_case_does_not_change_the_key",
	    MAIL("by a", "Ann <ANN@Example.org>", "Message-ID: <m1@x>", "Hello\n"), 0, 1 << 20,
	    "m1@x", "ANN@Example.org", "Week 3", 0, 1, 0 },
	{ "stranger_reusing_the_message_id_has_another_key",
	    MAIL("by a", "Eve <eve@example.org>", "Message-ID: <m1@x>", "Hello\n"), 0, 1 << 20,
	    "m1@x", "eve@example.org", "Week 3", 0, 0, 0 },
	{ "another_body_has_another_key",
	    MAIL("by a", "Ann <ann@example.org>", "Message-ID: <m1@x>", "Bye\n"), 0, 1 << 20,
	    "m1@x", "ann@example.org", "Week 3", 0, 0, 0 },
	{ "no_message_id_no_key",
	    MAIL("by a", "Ann <ann@example.org>", "X-No: id", "Hello\n"), 0, 1 << 20,
	    "", "ann@example.org", "Week 3", 0, -1, 0 },
	{ "larger_than_the_limit_is_too_big", BASE, 0, 10,
	    "m1@x", "ann@example.org", "Week 3", 1, 1, 1 },
	{ "only_the_head_read_hashes_with_its_size", BASE, 5000, 1 << 20,
	    "m1@x", "ann@example.org", "Week 3", 0, 1, 0 },
};

static void
base_entry(struct inbox_entry *e)
{
	assert_int_equal(inbox_entry_read(e, BASE, strlen(BASE), 0, 1 << 20), 0);
}

static void
run_case(void **state)
{
	const struct entry_case *c = *state;
	struct inbox_entry e, b;
	size_t len = strlen(c->raw);

	assert_int_equal(inbox_entry_read(&e, c->raw, len, c->size, c->max_size), 0);
	base_entry(&b);
	assert_int_equal(e.size, c->size ? c->size : len);
	assert_int_equal(e.too_big, c->too_big);
	assert_int_equal(e.keep, len);      /* all short messages: nothing to cut */
	assert_string_equal(e.message_id.data, c->message_id);
	assert_string_equal(e.from.data, c->from);
	assert_string_equal(e.subject.data, c->subject);
	assert_int_equal(strlen(e.sha256), 64);
	if (c->same_key_as_base < 0)
		assert_string_equal(e.dedupe_key, "");
	else if (c->same_key_as_base)
		assert_string_equal(e.dedupe_key, b.dedupe_key);
	else
		assert_string_not_equal(e.dedupe_key, b.dedupe_key);
	if (c->same_hash_as_base)
		assert_string_equal(e.sha256, b.sha256);
	else
		assert_string_not_equal(e.sha256, b.sha256);
	inbox_entry_release(&e);
	inbox_entry_release(&b);
}

/* A large message that is too big keeps only its head, cut after a line end. */
static void
test_inbox_entry_too_big_keeps_a_head_cut_at_a_line_end(void **state)
{
	struct buf raw = BUF_INIT;
	struct inbox_entry e;

	(void)state;
	assert_int_equal(buf_adds(&raw, BASE), 0);
	while (raw.len < INBOX_ENTRY_HEAD_KEEP + 100)
		assert_int_equal(buf_adds(&raw, "0123456789abcdefghijklmnopqrstuvwxyz\n"), 0);
	assert_int_equal(inbox_entry_read(&e, raw.data, raw.len, 0, 1000), 0);
	assert_true(e.too_big);
	assert_true(e.keep <= INBOX_ENTRY_HEAD_KEEP);
	assert_true(e.keep > INBOX_ENTRY_HEAD_KEEP - 40);
	assert_int_equal(raw.data[e.keep - 1], '\n');
	assert_int_equal(e.size, raw.len);
	assert_string_equal(e.message_id.data, "m1@x");
	inbox_entry_release(&e);
	buf_release(&raw);
}

/* The hash and the dedupe key are stored: databases written by earlier versions must still
 * recognise a message read again (UIDVALIDITY changed), so both stay what they were: the hex
 * sha256 of the bytes, and of the lowercased sender, NUL, Message-ID, NUL, body (values from
 * Python's hashlib). The long address is lowercased and hashed in more than one piece. */
static void
test_inbox_entry_hash_and_key_are_stable(void **state)
{
	static const struct {
		const char *from, *sha256, *key;
	} rows[] = {
		{ "ann@example.org",
		    "4ab515d74362008960446b41675241ebe654b12f3b5ab259663571201168e50c",
		    "4dbad5e61c9cb3f571cc4121e0ec474c33ce1e91fd0dd8f3e4fadb23606a3978" },
		{ "AbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbC"
		  "AbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbC"
		  "AbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbC"
		  "AbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbCAbC"
		  "@Example.org",
		    "65d93aa423f2324621e196cd67e297b9192db63ff020e52153a7f101cf35c81a",
		    "04d991d46b3e3b6f6b08d16f9d456532629e381710a42fd143c0fd6a0e9efcfb" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf raw = BUF_INIT;
		struct inbox_entry e;

		assert_int_equal(buf_addf(&raw, "Received: by a\nFrom: Ann <%s>\nSubject: Week 3\n"
		    "Message-ID: <m1@x>\n\nHello\n", rows[i].from), 0);
		assert_int_equal(inbox_entry_read(&e, raw.data, raw.len, 0, 1 << 20), 0);
		assert_string_equal(e.from.data, rows[i].from);
		assert_string_equal(e.sha256, rows[i].sha256);
		assert_string_equal(e.dedupe_key, rows[i].key);
		inbox_entry_release(&e);
		buf_release(&raw);
	}
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_inbox_entry_too_big_keeps_a_head_cut_at_a_line_end),
		cmocka_unit_test(test_inbox_entry_hash_and_key_are_stable),
	};

	return testlib_run_table("inbox_entry", cases, sizeof(cases) / sizeof(cases[0]),
	    sizeof(cases[0]), run_case, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
