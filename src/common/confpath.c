/*
 * confpath — the one rule for finding the configuration. See include/confpath.h.
 */
#include <stdlib.h>
#include <unistd.h>

#include "confpath.h"
#include "banned.h"

const char *
confpath_find(const char *given)
{
	const char *env;

	if (given != NULL)
		return given;
	env = getenv("FEEDBACKD_CONFIG");
	if (env != NULL && *env != '\0')
		return env;
	/* Only "is it there": a file that is there but unreadable is config_load()'s error to
	 * report, not a reason to run on the defaults. */
	if (access(CONFPATH_SYSTEM, F_OK) == 0)
		return CONFPATH_SYSTEM;
	return NULL;
}

struct config *
confpath_open(const char *path, struct fb_error *err)
{
	struct config *cfg;

	if (path != NULL)
		return config_load(path, err);
	cfg = config_default();
	if (cfg == NULL)
		fb_error_set(err, "the built-in defaults: out of memory");
	return cfg;
}

const char *
confpath_name(const char *path)
{
	return path != NULL ? path : "the built-in defaults";
}
