/*
 * libFuzzer target for config_load(): any file must give a configuration or an error message,
 * never a crash; and a configuration that loads must survive config_print() → config_load() →
 * config_print() unchanged (what --check-config prints is a file that means the same).
 * config_load() reads a path, so each input is written to one scratch file first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "fberror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[64];

static void
remove_scratch(void)
{
	unlink(scratch);
}

static int
write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (f == NULL)
		return -1;
	if (size > 0 && fwrite(data, 1, size, f) != size)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg, *again;
	struct buf first = BUF_INIT, second = BUF_INIT;
	struct fb_error err;

	if (scratch[0] == '\0') {
		int fd;

		snprintf(scratch, sizeof(scratch), "/tmp/fuzz_config.XXXXXX");
		fd = mkstemp(scratch);
		if (fd < 0)
			abort();
		close(fd);
		atexit(remove_scratch);
	}
	if (write_file(scratch, data, size) < 0)
		abort();
	err.msg[0] = '\0';
	cfg = config_load(scratch, &err);
	if (cfg == NULL) {
		if (err.msg[0] == '\0' || memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			abort();   /* an error must say something, NUL-terminated */
		return 0;
	}
	if (config_print(cfg, &first) < 0)
		abort();
	config_free(cfg);
	if (write_file(scratch, first.data, first.len) < 0)
		abort();
	again = config_load(scratch, &err);
	if (again == NULL) {
		fprintf(stderr, "printed configuration does not load again: %s\n%s", err.msg,
		    first.data);
		abort();
	}
	if (config_print(again, &second) < 0)
		abort();
	if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0) {
		fprintf(stderr, "printed twice, differently:\n%s\n---\n%s", first.data, second.data);
		abort();
	}
	config_free(again);
	buf_release(&first);
	buf_release(&second);
	return 0;
}
