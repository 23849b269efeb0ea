/*
 * overlay — the built-in files of mail-templates/ (embedded.h) with a configured directory laid
 * over them file by file: the shell's side of loading templates and questionnaires, whose
 * loaders in the core take the bytes.
 */
#ifndef FB_OVERLAY_H
#define FB_OVERLAY_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"

/*
 * The bytes of path (relative to mail-templates/, e.g. "nl/nudge.txt") appended to out: from
 * dir/path when dir is set ("" and NULL: none) and the file is there, else the built-in copy.
 * shown is reset to the name to show in messages: "DIR/PATH" or "(built-in)
 * mail-templates/PATH". 0; 1 when neither has the file; -1 with err when the file is there but
 * cannot be read (or holds more than max bytes) or memory ran out.
 */
int overlay_read(const char *dir, const char *path, size_t max, struct buf *out,
    struct buf *shown, struct fb_error *err);

#endif
