/*
 * roster — members from a CSV file as Dutch and English spreadsheets export it (libcsv).
 *
 * A header row names the columns, in Dutch or English, in any order: name/naam (required),
 * email/e-mail/e-mailadres/adres (required), timezone/tijdzone, language/taal. The separator is
 * ';' or ',' (or a tab), read off the header row. UTF-8 with or without a byte-order mark;
 * UTF-16 (LE or BE, with or without a byte-order mark) and Windows-1252 (Latin-1) are
 * converted to UTF-8; a NUL byte, or bytes valid in none of these, are refused with their line.
 * Parsing is pure: every row is checked and every problem reported with its line; the caller
 * imports only when there is none (all or nothing).
 */
#ifndef FB_ROSTER_H
#define FB_ROSTER_H

#include <stddef.h>

#include "buf.h"

struct roster_row {
	size_t line;        /* 1-based line of the file (the header is line 1) */
	char *name;
	char *address;      /* normalised: domain lowercased */
	char *timezone;     /* NULL when the column is absent or empty */
	char *language;     /* NULL when absent or empty; else "nl" or "en" */
};

struct roster {
	struct roster_row *rows;
	size_t nrows;
	struct buf problems; /* "FILE:LINE: message\n" per problem; empty when all is well */
	size_t nproblems;
	const char *encoding; /* what the file was read as: "UTF-8", "UTF-16LE", "UTF-16BE",
	                         "Windows-1252" (a static string) */
};

/*
 * Parse data (len bytes) read from file name (used in messages). Returns 0 when parsed (check
 * out->nproblems), -1 on ENOMEM. Caller releases with roster_release().
 */
int roster_parse(const char *data, size_t len, const char *name, struct roster *out);
void roster_release(struct roster *r);
/* Append a problem about line (used by callers for checks the parser cannot do). It counts in
 * nproblems even when memory runs out; then buf_failed(&r->problems) says the text is cut. */
void roster_problem(struct roster *r, const char *name, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
