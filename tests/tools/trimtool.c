/*
 * trimtool — a development tool: read a reply's text (UTF-8, LF or CRLF) on stdin, print
 * trim_reply()'s result on stdout and, with -v, what was removed on stderr. Used by
 * tests/tools/trim-corpus.py until `feedbackctl inspect` exists.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "trim.h"
#include "banned.h"

int
main(int argc, char **argv)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct trim_info info = TRIM_INFO_INIT;
	struct trim_rules *rules = trim_rules_new();
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	int rc = 1;

	if (buf_read_file(&in, "-", (size_t)64 << 20) < 0) {
		perror("trimtool: stdin");
		goto out;
	}
	if (trim_reply(rules, in.data, in.len, &out, &info) < 0) {
		fputs("trimtool: out of memory\n", stderr);
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	if (verbose)
		fprintf(stderr, "removed: %s\n", info.removed.data);
	rc = 0;
out:
	trim_info_release(&info);
	trim_rules_free(rules);
	buf_release(&in);
	buf_release(&out);
	return rc;
}
