/*
 * embedded — the files of mail-templates/ compiled into the programs (src/embed.sh), so the
 * built-in texts are always there; a configured directory may override them file by file.
 */
#ifndef FB_EMBEDDED_H
#define FB_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *path;            /* relative to mail-templates/, e.g. "nl/nudge.txt" */
	const unsigned char *data;   /* len bytes, followed by a NUL */
	size_t len;
};

/* Every embedded file, ending with an entry whose path is NULL. */
extern const struct embedded_file embedded_files[];

/* The file at path, or NULL. Static data: never freed. */
const struct embedded_file *embedded_find(const char *path);

#endif
