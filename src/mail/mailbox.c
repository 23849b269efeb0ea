/*
 * mailbox — the driver table and the settings defaults of include/mailbox.h.
 */
#include <string.h>

#include "mailbox.h"
#include "banned.h"

void
mailbox_settings_init(struct mailbox_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = MAILBOX_IMAP;
	s->starttls_required = 1;
	s->verify = 1;
	s->idle = 1;
	s->timeout = 60;
	s->fetch_batch = 500;
	s->oauth = NULL;
	s->mech = OAUTH_XOAUTH2;
}

static const struct mailbox_driver *const drivers[] = {
	&mailbox_maildir_driver, &mailbox_imap_driver,
};

const struct mailbox_driver *
mailbox_driver_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

const struct mailbox_driver *
mailbox_driver_for(enum mailbox_kind kind)
{
	return kind == MAILBOX_MAILDIR ? &mailbox_maildir_driver : &mailbox_imap_driver;
}

const struct mailbox_driver *
mailbox_driver_local(const char *name, size_t len, size_t *path_at)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		size_t n = strlen(drivers[i]->name);

		/* "<name>:" and at least one byte of path */
		if ((drivers[i]->flags & MAILBOX_LOCAL) && len > n + 1 &&
		    memcmp(name, drivers[i]->name, n) == 0 && name[n] == ':') {
			*path_at = n + 1;
			return drivers[i];
		}
	}
	return NULL;
}
