/*
 * mailkind — the table of message kinds. See include/mailkind.h for what each column means.
 */
#include <string.h>

#include "mailkind.h"
#include "banned.h"

#define DAY (24 * 3600)

static const struct {
	const char *kind;
	unsigned automatic : 1, budgeted : 1, must_arrive : 1;
	long lead;               /* seconds; MAILKIND_AT_ONCE: wanted when made */
	enum mailkind_change changes;
} kinds[] = {
	{ "nudge", 1, 1, 0, MAILKIND_AT_ONCE, MAILKIND_NEW },
	{ "questionnaire", 1, 1, 0, MAILKIND_AT_ONCE, MAILKIND_NEW },
	{ "questionnaire_reminder", 1, 1, 0, MAILKIND_AT_ONCE, MAILKIND_NEW },
	{ "invite", 1, 1, 1, 7 * DAY, MAILKIND_NEW },
	{ "moment_invite", 1, 1, 0, 7 * DAY, MAILKIND_NEW },
	/* must arrive, a week ahead: when it takes a waiting invitation's place */
	{ "invite_update", 1, 0, 1, 7 * DAY, MAILKIND_UPDATE },
	{ "invite_cancel", 1, 0, 0, 0, MAILKIND_CANCEL },
	{ "moment_cancel", 1, 0, 0, 0, MAILKIND_CANCEL },
	{ "facilitator_reminder", 1, 0, 0, 0, MAILKIND_NEW },
	{ "weekly_report", 1, 0, 0, 0, MAILKIND_NEW },
	{ "progress_report", 1, 0, 0, 0, MAILKIND_NEW },
	{ "team_picture", 1, 1, 1, MAILKIND_AT_ONCE, MAILKIND_NEW },
};

static int
kind_index(const char *kind)
{
	for (size_t i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			return (int)i;
	return -1;
}

int
mailkind_automatic(const char *kind)
{
	int i = kind_index(kind);

	return i >= 0 && kinds[i].automatic;
}

int
mailkind_budgeted(const char *kind)
{
	int i = kind_index(kind);

	return i >= 0 && kinds[i].budgeted;
}

int
mailkind_must_arrive(const char *kind)
{
	int i = kind_index(kind);

	return i >= 0 && kinds[i].must_arrive;
}

enum mailkind_change
mailkind_changes(const char *kind)
{
	int i = kind_index(kind);

	return i >= 0 ? kinds[i].changes : MAILKIND_NEW;
}

long
mailkind_lead(const char *kind)
{
	int i = kind_index(kind);

	return i >= 0 ? kinds[i].lead : MAILKIND_AT_ONCE;
}
