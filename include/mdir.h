/*
 * mdir — the small Maildir helpers both Maildir drivers share (prefix mdir_, because libetpan
 * owns maildir_*): create a Maildir, make a unique file name, write a file durably.
 */
#ifndef FB_MDIR_H
#define FB_MDIR_H

#include <stddef.h>

#include "buf.h"
#include "fberror.h"

/* Create path, path/tmp, path/new and path/cur (mode 0700) where missing. 0, or -1 with err. */
int mdir_create(const char *path, struct fb_error *err);

/* Append a unique Maildir base name to out: "<seq>.P<pid>R<random>Q<counter>.<host>".
 * It does not read the clock (only main does): uniqueness comes from the pid, a per-process
 * counter and 64 random bits; seq is a per-process sequence that keeps one process's files in
 * order when a reader sorts by name. -1 on ENOMEM. */
int mdir_unique_name(struct buf *out);

/* Write len bytes durably as dir/sub/name: create dir/tmp/name (O_EXCL), write, fsync, close,
 * rename to dir/sub/name, fsync(dir/sub). LF line ends are kept as they are (a Maildir holds
 * messages with the local line end). 0, or -1 with err (and no file left in tmp/). */
int mdir_write(const char *dir, const char *sub, const char *name, const char *data, size_t len,
    struct fb_error *err);

/* fsync a directory. 0, or -1 with errno. */
int mdir_fsync_dir(const char *path);

#endif
