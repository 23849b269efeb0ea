/*
 * overlay — a configured directory over the built-in files. See include/overlay.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "embedded.h"
#include "overlay.h"
#include "banned.h"

int
overlay_read(const char *dir, const char *path, size_t max, struct buf *out,
    struct buf *shown, struct fb_error *err)
{
	if (dir != NULL && *dir != '\0') {
		struct buf full = BUF_INIT;
		struct stat st;

		if (buf_addf(&full, "%s/%s", dir, path) < 0)
			return fb_error_set(err, "out of memory");
		/* stat, not open: a file that is not there falls back to the built-in copy, one that
		 * is there but unreadable is an error naming it */
		if (stat(full.data, &st) == 0) {
			int rc = buf_read_file(out, full.data, max);

			if (rc < 0)
				fb_error_set(err, "%s: %s", full.data, strerror(errno));
			buf_reset(shown);
			buf_puts(shown, full.data);
			if (rc == 0 && buf_failed(shown))
				rc = fb_error_set(err, "out of memory");
			buf_release(&full);
			return rc < 0 ? -1 : 0;
		}
		buf_release(&full);
	}
	const struct embedded_file *f = embedded_find(path);
	if (f == NULL)
		return 1;
	buf_reset(shown);
	buf_putf(shown, "(built-in) mail-templates/%s", path);
	if (buf_failed(shown) || buf_add(out, f->data, f->len) < 0)
		return fb_error_set(err, "out of memory");
	return 0;
}
