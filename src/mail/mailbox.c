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
}

const struct mailbox_driver *
mailbox_driver_find(const char *name)
{
	static const struct mailbox_driver *const drivers[] = {
		&mailbox_maildir_driver, &mailbox_imap_driver,
	};

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
