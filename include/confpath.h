/*
 * confpath — where feedbackd and feedbackctl find their configuration: one rule for both
 * programs, so that they always read the same file and so use the same database.
 *
 *   1. -c FILE, when given;
 *   2. else $FEEDBACKD_CONFIG, when set and not empty;
 *   3. else the system file (CONFPATH_SYSTEM), when it exists;
 *   4. else no file: the built-in defaults, the embedded setup (feedbackd.db and the Maildirs
 *      outbox-maildir/ and inbox-maildir/ in the working directory), so a first try needs
 *      no file at all.
 *
 * A file named by 1 or 2 must exist: a typo in -c or in the variable is an error, never a
 * silent fall back to the defaults.
 */
#ifndef FB_CONFPATH_H
#define FB_CONFPATH_H

#include "config.h"
#include "fberror.h"

#define CONFPATH_SYSTEM FB_SYSCONFDIR "/feedbackd/feedbackd.conf"

/* The rule above as both programs' --help print it (lines ending in "\n"). */
#define CONFPATH_HELP \
	"  -c, --config FILE   configuration: FILE, else $FEEDBACKD_CONFIG, else\n" \
	"                      " CONFPATH_SYSTEM " when it exists, else the built-in\n" \
	"                      defaults (the embedded setup: ./feedbackd.db and Maildirs)\n"

/*
 * The file to read by the rule above: given, the environment's value, CONFPATH_SYSTEM, or NULL
 * for the built-in defaults. The string returned is given, getenv()'s or static.
 */
const char *confpath_find(const char *given);

/*
 * The configuration at path (as config_load()), or the built-in defaults when path is NULL
 * (config_default()). Caller frees with config_free(); NULL with err filled.
 */
struct config *confpath_open(const char *path, struct fb_error *err);

/* What names path in messages: the path itself, or "the built-in defaults" for NULL. */
const char *confpath_name(const char *path);

#endif
