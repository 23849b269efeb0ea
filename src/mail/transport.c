/*
 * transport — the driver table and the settings defaults of include/transport.h.
 */
#include <string.h>

#include "transport.h"
#include "banned.h"

void
transport_settings_init(struct transport_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = TRANSPORT_SMTP;
	s->starttls_required = 1;
	s->verify = 1;
	s->timeout = 60;
	s->oauth = NULL;
	s->mech = OAUTH_XOAUTH2;
}

const struct transport_driver *
transport_driver_find(const char *name)
{
	static const struct transport_driver *const drivers[] = {
		&transport_maildir_driver, &transport_smtp_driver,
	};

	for (size_t i = 0; name != NULL && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

const struct transport_driver *
transport_driver_for(enum transport_kind kind)
{
	return kind == TRANSPORT_MAILDIR ? &transport_maildir_driver : &transport_smtp_driver;
}
