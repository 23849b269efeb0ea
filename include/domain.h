/*
 * domain — the domain's plain structs: programmes, teams, members, facilitators, absences.
 * The store fills them (store.h: its functions also release their strings); the core reads
 * them (progplan.h) without seeing the store. Strings are malloc'd and belong to the struct.
 */
#ifndef FB_DOMAIN_H
#define FB_DOMAIN_H

#include <stdint.h>
#include <time.h>

struct program {
	int64_t id;
	char *name;
	char start_date[11]; /* YYYY-MM-DD, a Monday, in the programme's zone */
	int weeks;
	char *timezone;
	char language[3];    /* "nl" or "en" */
	char *organizer;     /* NULL: the configuration's coordinator_address */
	time_t created_at;
	time_t ended_at;     /* ended early at (program end); 0: runs its course */
};

struct team {
	int64_t id;
	int64_t program_id;
	char *name;
	char *program_name;
};

struct member {
	int64_t id;
	int64_t team_id;
	char *name;
	char *address;      /* the primary address */
	char *timezone;     /* NULL: the programme's */
	char *language;     /* NULL: the programme's */
	char *status;       /* active | left | erased */
	char *team_name;
	int64_t undeliverable_at;
	int64_t complained_at;   /* a spam complaint (ARF) came: no more mail; 0 when none */
	int64_t left_at;         /* status left: when they left the programme; 0 otherwise */
};

struct facilitator {
	int64_t id;
	int64_t team_id;
	char *name;
	char *address;
	char *team_name;
};

struct absence {
	int64_t id;
	int64_t member_id;
	char from_date[11];
	char until_date[11];
	char source[16];
};

#endif
