/*
 * store_report — load the weekly report's data; read and write the rows of rating samples and
 * ratings (which ones, and what a rating means, is decided in ratings.c and
 * report_ratings.c). See include/store_report.h.
 *
 * Every load query covers the whole set of teams (a programme, or one team via ?2) and is
 * grouped in SQLite; rows are routed to their member by a sorted id index (bsearch), so the cost
 * is one pass over each index, whatever the number of teams.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pause.h"
#include "store_report.h"
#include "store_int.h"
#include "banned.h"

static const char SQL_TEAMS[] =
	"SELECT id, name FROM team WHERE program_id = ?1 AND (?2 = 0 OR id = ?2) ORDER BY id";
/*
 * The _TEAM statements below are one team's report (every Monday, per team): "?2 = 0 OR
 * m.team_id = ?2" cannot use an index, so each of those read the whole programme, n members
 * times n / 10 teams a week (issue 20; EXPLAIN QUERY PLAN: SEARCH t (program_id=?) then every
 * team's members). These start from the team's members instead.
 */
static const char SQL_TEAMS_ONE[] =
	"SELECT id, name FROM team WHERE program_id = ?1 AND id = ?2";
/* Unreachable: the primary address bounced. Members who left are in (their figures stay the
 * team's; the report shows them as left), erased ones not. */
#define MEMBERS_FROM \
	"SELECT m.id, m.team_id, m.name, EXISTS (SELECT 1 FROM member_address a " \
	"  WHERE a.member_id = m.id AND a.is_primary = 1 AND a.undeliverable_at IS NOT NULL), " \
	"(SELECT min(a.undeliverable_at) FROM member_address a " \
	"  WHERE a.member_id = m.id AND a.is_primary = 1), " \
	"CASE WHEN m.status = 'left' THEN coalesce(m.left_at, 0) END, m.created_at " \
	"FROM member m JOIN team t ON t.id = m.team_id "
static const char SQL_MEMBERS[] =
	MEMBERS_FROM
	"WHERE t.program_id = ?1 AND (?2 = 0 OR m.team_id = ?2) "
	"AND m.status IN ('active', 'left') "
	"ORDER BY m.team_id, m.name, m.id";
/* The same for one team, from the team's members (not every member of the programme). */
static const char SQL_MEMBERS_TEAM[] =
	MEMBERS_FROM
	"WHERE m.team_id = ?2 AND +t.program_id = ?1 "
	"AND m.status IN ('active', 'left') "
	"ORDER BY m.team_id, m.name, m.id";
/*
 * given / received / requested per member and week, from the covering indexes of the report's
 * migration. For a whole programme one pass over the index; INDEXED BY because with one
 * programme in the file ANALYZE's statistics make SQLite prefer a skip-scan of the narrower
 * (giver_id, week) index plus a table lookup per row, twice as slow at 1M rows. For one team
 * the lookups start from its members.
 */
static const char SQL_GIVEN_ALL[] =
	"SELECT giver_id, week, count(*) FROM feedback INDEXED BY feedback_report_giver "
	"WHERE program_id = ?1 AND is_followup = 0 AND week BETWEEN 1 AND ?3 "
	"GROUP BY giver_id, week";
static const char SQL_RECEIVED_ALL[] =
	"SELECT receiver_id, week, count(*) FROM feedback INDEXED BY feedback_report_receiver "
	"WHERE program_id = ?1 AND is_followup = 0 AND week BETWEEN 1 AND ?3 "
	"GROUP BY receiver_id, week";
static const char SQL_REQUESTED_ALL[] =
	"SELECT asker_id, week, count(*) FROM feedback_request INDEXED BY feedback_request_report "
	"WHERE program_id = ?1 AND week BETWEEN 1 AND ?3 GROUP BY asker_id, week";
static const char SQL_GIVEN_TEAM[] =
	"SELECT f.giver_id, f.week, count(*) FROM member m JOIN feedback f "
	"ON f.program_id = ?1 AND f.is_followup = 0 AND f.giver_id = m.id "
	"AND f.week BETWEEN 1 AND ?3 WHERE m.team_id = ?2 GROUP BY f.giver_id, f.week";
static const char SQL_RECEIVED_TEAM[] =
	"SELECT f.receiver_id, f.week, count(*) FROM member m JOIN feedback f "
	"ON f.program_id = ?1 AND f.is_followup = 0 AND f.receiver_id = m.id "
	"AND f.week BETWEEN 1 AND ?3 WHERE m.team_id = ?2 GROUP BY f.receiver_id, f.week";
static const char SQL_REQUESTED_TEAM[] =
	"SELECT r.asker_id, r.week, count(*) FROM member m JOIN feedback_request r "
	"ON r.program_id = ?1 AND r.asker_id = m.id AND r.week BETWEEN 1 AND ?3 "
	"WHERE m.team_id = ?2 GROUP BY r.asker_id, r.week";
static const char SQL_ABSENCES[] =
	"SELECT a.member_id, a.from_date, a.until_date, a.source FROM absence a "
	"JOIN member m ON m.id = a.member_id JOIN team t ON t.id = m.team_id "
	"WHERE t.program_id = ?1 AND (?2 = 0 OR m.team_id = ?2) AND a.until_date >= ?3 "
	"ORDER BY a.member_id, a.from_date DESC";
static const char SQL_ABSENCES_TEAM[] =
	"SELECT a.member_id, a.from_date, a.until_date, a.source FROM absence a "
	"JOIN member m ON m.id = a.member_id JOIN team t ON t.id = m.team_id "
	"WHERE m.team_id = ?2 AND +t.program_id = ?1 AND a.until_date >= ?3 "
	"ORDER BY a.member_id, a.from_date DESC";
/* Questionnaires that closed by ?3 unanswered though a reminder was sent (a late joiner's
 * reminders that went before they joined are handled, not sent: measure.h): when each closed.
 * An open one is left out: not answering yet is not lagging (report.h decides the week). */
static const char SQL_MISSED[] =
	"SELECT q.member_id, ms.closes_at FROM questionnaire q "
	"JOIN measurement ms ON ms.id = q.measurement_id "
	"WHERE ms.program_id = ?1 AND ms.closes_at <= ?3 "
	"AND q.completed_at IS NULL AND q.last_reminder_at IS NOT NULL "
	"AND (?2 = 0 OR q.member_id IN (SELECT id FROM member WHERE team_id = ?2)) "
	"ORDER BY q.member_id, ms.closes_at DESC";
/* CROSS JOIN fixes the order: the team's members, then their questionnaires by the
 * (measurement_id, member_id) index, not every questionnaire of the measurement. */
static const char SQL_MISSED_TEAM[] =
	"SELECT q.member_id, ms.closes_at FROM member mb CROSS JOIN measurement ms "
	"CROSS JOIN questionnaire q "
	"WHERE mb.team_id = ?2 AND ms.program_id = ?1 AND q.measurement_id = ms.id "
	"AND q.member_id = mb.id AND ms.closes_at <= ?3 "
	"AND q.completed_at IS NULL AND q.last_reminder_at IS NOT NULL "
	"ORDER BY q.member_id, ms.closes_at DESC";
static const char SQL_RESPONSE[] =
	"SELECT m.team_id, ms.kind, ms.closes_at, count(*), count(q.completed_at) "
	"FROM questionnaire q JOIN measurement ms ON ms.id = q.measurement_id "
	"JOIN member m ON m.id = q.member_id "
	"WHERE ms.program_id = ?1 AND ms.opens_at <= ?3 AND ms.closes_at > ?3 "
	"AND (?2 = 0 OR m.team_id = ?2) AND m.status = 'active' "
	"GROUP BY m.team_id, ms.id ORDER BY m.team_id, ms.opens_at";
static const char SQL_RESPONSE_TEAM[] =
	"SELECT m.team_id, ms.kind, ms.closes_at, count(*), count(q.completed_at) "
	"FROM member m CROSS JOIN measurement ms CROSS JOIN questionnaire q "
	"WHERE m.team_id = ?2 AND m.status = 'active' AND ms.program_id = ?1 "
	"AND ms.opens_at <= ?3 AND ms.closes_at > ?3 "
	"AND q.measurement_id = ms.id AND q.member_id = m.id "
	"GROUP BY m.team_id, ms.id ORDER BY m.team_id, ms.opens_at";
/* Coming sessions with the RSVPs of each team's members. */
static const char SQL_SESSIONS[] =
	"SELECT m.team_id, s.kind, s.starts_at, "
	"  sum(a.partstat = 'ACCEPTED'), sum(a.partstat = 'DECLINED'), "
	"  sum(a.partstat = 'TENTATIVE'), "
	"  sum(a.partstat NOT IN ('ACCEPTED', 'DECLINED', 'TENTATIVE')) "
	"FROM session s JOIN attendee a ON a.session_id = s.id AND a.removed = 0 "
	"JOIN member m ON m.id = a.member_id "
	"WHERE s.program_id = ?1 AND s.status = 'confirmed' AND s.starts_at > ?3 "
	"AND (?2 = 0 OR m.team_id = ?2) AND m.status = 'active' "
	"GROUP BY m.team_id, s.id ORDER BY m.team_id, s.starts_at";
static const char SQL_RATINGS[] =
	"SELECT f.team_id, count(*), avg(r.score), sum(r.week = ?3), "
	"  avg(CASE WHEN r.week = ?3 THEN r.score END) "
	"FROM rating r JOIN facilitator f ON f.id = r.facilitator_id "
	"JOIN team t ON t.id = f.team_id "
	"WHERE t.program_id = ?1 AND (?2 = 0 OR f.team_id = ?2) GROUP BY f.team_id";

/* Samples. */
static const char SQL_SAMPLES_SHOWN[] =
	"SELECT rs.number, f.confirmation, f.critique, f.suggestion FROM rating_sample rs "
	"JOIN feedback f ON f.id = rs.feedback_id WHERE rs.team_id = ?1 AND rs.week = ?2 "
	"ORDER BY rs.number";
static const char SQL_SAMPLE_CANDIDATES[] =
	"SELECT f.id FROM feedback f JOIN member m ON m.id = f.giver_id "
	"WHERE +f.program_id = ?1 AND m.team_id = ?2 AND f.week = ?3 AND f.is_followup = 0 "
	"AND NOT EXISTS (SELECT 1 FROM rating_sample rs WHERE rs.feedback_id = f.id) "
	"ORDER BY f.id";
static const char SQL_SAMPLE_NEXT[] =
	"SELECT coalesce(max(number), 0) + 1 FROM rating_sample WHERE program_id = ?1";
static const char SQL_SAMPLE_INSERT[] =
	"INSERT INTO rating_sample (program_id, number, feedback_id, team_id, week, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
/* Whose names a team's anonymous texts must not show: its members (those who left too) and its
 * facilitators. */
static const char SQL_TEAM_NAMES[] =
	"SELECT name FROM member WHERE team_id = ?1 AND status <> 'erased' "
	"UNION ALL SELECT name FROM facilitator WHERE team_id = ?1 AND name IS NOT NULL";

/* Ratings. */
static const char SQL_FACILITATOR[] =
	"SELECT f.team_id, t.program_id, p.language FROM facilitator f "
	"JOIN team t ON t.id = f.team_id JOIN program p ON p.id = t.program_id WHERE f.id = ?1";
static const char SQL_SAMPLE_BY_NUMBER[] =
	"SELECT feedback_id, team_id, week FROM rating_sample WHERE program_id = ?1 AND number = ?2";
static const char SQL_RATING_UPSERT[] =
	"INSERT INTO rating (feedback_id, facilitator_id, score, week, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (feedback_id, facilitator_id) "
	"DO UPDATE SET score = excluded.score, created_at = excluded.created_at";

/* Where each member id lives in the set. */
struct slot {
	int64_t id;
	struct report_member_in *m;
};

static int
cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static struct report_member_in *
find_member(const struct slot *slots, size_t n, int64_t id)
{
	struct slot key = { id, NULL };
	const struct slot *s = bsearch(&key, slots, n, sizeof(*slots), cmp_slot);

	return s ? s->m : NULL;
}

static struct report_data *
find_team(struct report_set *s, int64_t team_id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->teams[mid].team_id == team_id)
			return &s->teams[mid];
		if (s->teams[mid].team_id < team_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Keep a copy of str in the set; NULL when memory runs out. */
static const char *
keep(struct report_set *s, const char *str)
{
	char *copy;

	if (s->nstrings == s->strings_cap &&
	    store_grow(&s->strings, &s->strings_cap, s->nstrings, sizeof(*s->strings)) < 0)
		return NULL;
	copy = strdup(str ? str : "");
	if (copy == NULL)
		return NULL;
	s->strings[s->nstrings++] = copy;
	return copy;
}

void
store_report_set_release(struct report_set *s)
{
	struct report_set empty = REPORT_SET_INIT;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->teams[i].members);
		free(s->teams[i].questionnaires);
		free(s->teams[i].sessions);
		free(s->teams[i].samples);
		free(s->teams[i].mask_names);
	}
	free(s->teams);
	free(s->absences);
	for (size_t i = 0; i < s->nstrings; i++)
		free(s->strings[i]);
	free(s->strings);
	free(s->program_name);
	free(s->tz);
	free(s->pauses);
	*s = empty;
}

/* Bind the three parameters every load query takes: programme, team (0: all), and ?3. */
static sqlite3_stmt *
load_stmt(struct db *db, const char *sql, int64_t program_id, int64_t team_id,
    int64_t third, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, sql, err);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, team_id);
	sqlite3_bind_int64(st, 3, third);
	return st;
}

static int
step_done(struct db *db, int rc, struct fb_error *err, const char *what)
{
	return rc == SQLITE_DONE ? 0 : db_fail(db, err, what);
}

static int
load_counts(struct db *db, const char *sql, const struct report_set *s, const struct slot *slots,
    size_t nslots, int64_t program_id, int64_t team_id, int week, int which,
    struct fb_error *err)
{
	sqlite3_stmt *st = load_stmt(db, sql, program_id, team_id, week, err);
	int rc;

	(void)s;
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_member_in *m = find_member(slots, nslots, sqlite3_column_int64(st, 0));
		int w = sqlite3_column_int(st, 1);
		sqlite3_int64 n = sqlite3_column_int64(st, 2);

		if (m == NULL || w < 1 || w > REPORT_MAX_WEEKS)
			continue;
		if (n > 1000000)
			n = 1000000;
		if (which == 0)
			m->given[w] = (int)n;
		else if (which == 1)
			m->received[w] = (int)n;
		else
			m->requested[w] = (int)n;
	}
	return step_done(db, rc, err, "weekly report: counting feedback");
}

static enum report_away
away_source(const char *s)
{
	if (strcmp(s, "facilitator") == 0)
		return REPORT_AWAY_FACILITATOR;
	if (strcmp(s, "out-of-office") == 0)
		return REPORT_AWAY_OUT_OF_OFFICE;
	return REPORT_AWAY_COORDINATOR;
}

static int
load_absences(struct db *db, struct report_set *s, const struct slot *slots, size_t nslots,
    const struct program *p, int64_t team_id, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, team_id ? SQL_ABSENCES_TEAM : SQL_ABSENCES, err);
	struct report_member_in **owner = NULL;
	size_t n = 0, cap = 0, ocap = 0;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_int64(st, 2, team_id);
	sqlite3_bind_text(st, 3, p->start_date, -1, SQLITE_STATIC);
	/* One array for all; rows come grouped by member, newest first. Members point into the
	 * array only once it has stopped growing. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_member_in *m = find_member(slots, nslots, sqlite3_column_int64(st, 0));
		struct report_absence a;

		if (m == NULL || fbtime_parse_date(db_col_text(st, 1), &a.from, NULL) < 0 ||
		    fbtime_parse_date(db_col_text(st, 2), &a.until, NULL) < 0)
			continue;
		if (n > 0 && owner[n - 1] == m && m->nabsences >= REPORT_MAX_ABSENCES)
			continue;
		a.source = away_source(db_col_text(st, 3));
		if ((n == cap && store_grow(&s->absences, &cap, n, sizeof(*s->absences)) < 0) ||
		    (n == ocap && store_grow(&owner, &ocap, n, sizeof(*owner)) < 0)) {
			sqlite3_reset(st);
			free(owner);
			return fb_error_set(err, "out of memory");
		}
		s->absences[n] = a;
		owner[n] = m;
		m->nabsences++;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		if (i == 0 || owner[i] != owner[i - 1])
			owner[i]->absences = &s->absences[i];
	free(owner);
	return step_done(db, rc, err, "weekly report: absences");
}

/* The programme week of instant t (0 before week 1), by its local date in tz: what
 * report.h calls joined_week, for a member added at t. */
/*
 * The programme week of instant t, counted as plan_week_of() counts it (plan.h): the days of a
 * pause do not count, a day in one belongs to the week before it. A pause lasts its whole
 * weeks from its first day (ceil(days / 7), plan_pause_weeks()).
 */
static int
week_of(const struct report_set *s, const struct fb_date *start, const char *tz, time_t t)
{
	struct fb_local l;
	long days;

	if (fbtime_to_local(tz, t, &l, NULL) < 0)
		return 0;
	days = fbtime_days_between(start, &l.date);
	for (size_t i = s->npauses; i-- > 0;) {
		/* a pause over the start counts from the start, as the plan counts it */
		long from = fbtime_days_between(start, &s->pauses[i].from);
		long until = fbtime_days_between(start, &s->pauses[i].until);
		long len;

		if (from < 0)
			from = 0;
		if (until < from || days < from)
			continue;
		len = (until - from + 7) / 7 * 7;
		days = days < from + len ? from - 1 : days - len;
	}
	return days < 0 ? 0 : days / 7 >= REPORT_MAX_WEEKS ? REPORT_MAX_WEEKS : (int)(days / 7) + 1;
}

/* The programme's pauses into s (the reports' calendar). */
static int
load_pauses(struct db *db, struct report_set *s, int64_t program_id, struct fb_error *err)
{
	struct program_pause_list pl = { 0 };
	int rc = 0;

	if (store_pause_list(db, program_id, &pl, err) < 0)
		return -1;
	if (pl.n > 0 && (s->pauses = calloc(pl.n, sizeof(*s->pauses))) == NULL)
		rc = fb_error_set(err, "out of memory");
	for (size_t i = 0; i < pl.n && rc == 0; i++) {
		if (fbtime_parse_date(pl.v[i].from_date, &s->pauses[i].from, err) < 0 ||
		    fbtime_parse_date(pl.v[i].until_date, &s->pauses[i].until, err) < 0)
			rc = -1;
		else
			s->npauses++;
	}
	store_pause_list_release(&pl);
	return rc;
}

static int
load_members(struct db *db, struct report_set *s, const struct program *p, int64_t team_id,
    const struct fb_date *start, struct slot **slots_out, size_t *nslots, struct fb_error *err)
{
	int64_t program_id = p->id;
	sqlite3_stmt *st = load_stmt(db, team_id ? SQL_MEMBERS_TEAM : SQL_MEMBERS, program_id,
	    team_id, 0, err);
	struct { int64_t id, team; const char *name; int unreachable; time_t since, joined;
		struct fb_date left_on; } *rows = NULL;
	size_t n = 0, cap = 0;
	struct slot *slots = NULL;
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap && store_grow(&rows, &cap, n, sizeof(*rows)) < 0)
			goto oom;
		rows[n].id = sqlite3_column_int64(st, 0);
		rows[n].team = sqlite3_column_int64(st, 1);
		rows[n].name = keep(s, db_col_text(st, 2));
		rows[n].unreachable = sqlite3_column_int(st, 3);
		rows[n].since = (time_t)sqlite3_column_int64(st, 4);
		memset(&rows[n].left_on, 0, sizeof(rows[n].left_on));
		if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
			struct fb_local l;

			/* The day they left, in the programme's zone (a date the report compares
			 * with its weeks); a member marked left without a time left before week 1. */
			if (fbtime_to_local(s->tz, (time_t)sqlite3_column_int64(st, 5), &l, NULL) == 0 &&
			    sqlite3_column_int64(st, 5) > 0)
				rows[n].left_on = l.date;
			else
				rows[n].left_on = (struct fb_date){ 1970, 1, 1 };
		}
		rows[n].joined = (time_t)sqlite3_column_int64(st, 6);
		if (rows[n].name == NULL)
			goto oom;
		n++;
	}
	if (step_done(db, rc, err, "weekly report: members") < 0) {
		free(rows);
		return -1;
	}
	if (n > 0 && (slots = calloc(n, sizeof(*slots))) == NULL)
		goto oom;
	/* Rows come by team: give each team its array. */
	for (size_t i = 0, k = 0; i < n; i = k) {
		struct report_data *t = find_team(s, rows[i].team);

		for (k = i; k < n && rows[k].team == rows[i].team; k++)
			;
		if (t == NULL)
			continue;
		if (k - i > REPORT_MAX_MEMBERS) {
			free(rows);
			free(slots);
			return fb_error_set(err, "team %s has %zu members, more than %d", t->team_name,
			    k - i, REPORT_MAX_MEMBERS);
		}
		t->members = calloc(k - i, sizeof(*t->members));
		if (t->members == NULL)
			goto oom;
		for (size_t j = i; j < k; j++) {
			struct report_member_in *m = &t->members[j - i];

			m->id = rows[j].id;
			m->name = rows[j].name;
			m->unreachable = rows[j].unreachable;
			m->unreachable_since = rows[j].since;
			m->left_on = rows[j].left_on;
			m->joined_week = week_of(s, start, p->timezone, rows[j].joined);
			/* added in the week the programme was made: part of its first team */
			if (m->joined_week <= week_of(s, start, p->timezone, p->created_at))
				m->joined_week = 0;
			slots[*nslots].id = m->id;
			slots[*nslots].m = m;
			(*nslots)++;
		}
		t->in.members = t->members;
		t->in.nmembers = k - i;
	}
	free(rows);
	qsort(slots, *nslots, sizeof(*slots), cmp_slot);
	*slots_out = slots;
	return 0;
oom:
	sqlite3_reset(st);
	free(rows);
	free(slots);
	return fb_error_set(err, "out of memory");
}

static int
load_team_extras(struct db *db, struct report_set *s, int64_t program_id, int64_t team_id,
    int week, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st;
	int rc;

	st = load_stmt(db, team_id ? SQL_RESPONSE_TEAM : SQL_RESPONSE, program_id, team_id, now,
	    err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_data *t = find_team(s, sqlite3_column_int64(st, 0));
		struct report_questionnaire_in *q;

		if (t == NULL || t->in.nquestionnaires >= 8)
			continue;
		if (t->in.nquestionnaires == t->qcap && store_grow(&t->questionnaires, &t->qcap,
		    t->in.nquestionnaires, sizeof(*t->questionnaires)) < 0)
			goto oom;
		q = &t->questionnaires[t->in.nquestionnaires];
		if ((q->kind = keep(s, db_col_text(st, 1))) == NULL)
			goto oom;
		q->closes_at = (time_t)sqlite3_column_int64(st, 2);
		q->sent = sqlite3_column_int(st, 3);
		q->completed = sqlite3_column_int(st, 4);
		t->in.questionnaires = t->questionnaires;
		t->in.nquestionnaires++;
	}
	if (step_done(db, rc, err, "weekly report: questionnaires") < 0)
		return -1;

	st = load_stmt(db, SQL_SESSIONS, program_id, team_id, now, err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_data *t = find_team(s, sqlite3_column_int64(st, 0));
		struct report_session_in *x;

		if (t == NULL || t->in.nsessions >= 8)
			continue;
		if (t->in.nsessions == t->scap && store_grow(&t->sessions, &t->scap, t->in.nsessions,
		    sizeof(*t->sessions)) < 0)
			goto oom;
		x = &t->sessions[t->in.nsessions];
		if ((x->kind = keep(s, db_col_text(st, 1))) == NULL)
			goto oom;
		x->starts_at = (time_t)sqlite3_column_int64(st, 2);
		x->accepted = sqlite3_column_int(st, 3);
		x->declined = sqlite3_column_int(st, 4);
		x->tentative = sqlite3_column_int(st, 5);
		x->no_answer = sqlite3_column_int(st, 6);
		t->in.sessions = t->sessions;
		t->in.nsessions++;
	}
	if (step_done(db, rc, err, "weekly report: sessions") < 0)
		return -1;

	st = load_stmt(db, SQL_RATINGS, program_id, team_id, week, err);
	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_data *t = find_team(s, sqlite3_column_int64(st, 0));

		if (t == NULL)
			continue;
		t->in.ratings_total_count = sqlite3_column_int(st, 1);
		t->in.ratings_total_avg = sqlite3_column_double(st, 2);
		t->in.ratings_week_count = sqlite3_column_int(st, 3);
		t->in.ratings_week_avg = sqlite3_column_double(st, 4);
	}
	return step_done(db, rc, err, "weekly report: ratings");
oom:
	sqlite3_reset(st);
	return fb_error_set(err, "out of memory");
}

int
store_report_weekly_load(struct db *db, const struct program *p, int64_t team_id, int week,
    time_t now, struct report_set *out, struct fb_error *err)
{
	struct report_set s = REPORT_SET_INIT;
	struct slot *slots = NULL;
	size_t nslots = 0, cap = 0;
	struct fb_date start;
	sqlite3_stmt *st;
	int rc, oom = 0;

	*out = s;
	if (week < 1 || week > REPORT_MAX_WEEKS)
		return fb_error_set(err, "week %d is outside 1..%d", week, REPORT_MAX_WEEKS);
	if (fbtime_parse_date(p->start_date, &start, err) < 0)
		return fb_error_prefix(err, "programme %s", p->name);
	s.program_name = store_dup(p->name, &oom);
	s.tz = store_dup(p->timezone, &oom);
	if (oom)
		goto nomem;
	if (load_pauses(db, &s, p->id, err) < 0)
		goto fail;

	st = load_stmt(db, team_id ? SQL_TEAMS_ONE : SQL_TEAMS, p->id, team_id, 0, err);
	if (st == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_data *t;

		if (s.n == cap && store_grow(&s.teams, &cap, s.n, sizeof(*s.teams)) < 0) {
			sqlite3_reset(st);
			goto nomem;
		}
		t = &s.teams[s.n];
		memset(t, 0, sizeof(*t));
		t->team_id = sqlite3_column_int64(st, 0);
		t->team_name = (char *)keep(&s, db_col_text(st, 1));
		s.n++;
		if (t->team_name == NULL) {
			sqlite3_reset(st);
			goto nomem;
		}
		t->in.program = s.program_name;
		t->in.team = t->team_name;
		t->in.lang = strcmp(p->language, "en") == 0 ? REPORT_LANG_EN : REPORT_LANG_NL;
		t->in.tz = s.tz;
		t->in.start = start;
		t->in.pauses = s.pauses;
		t->in.npauses = s.npauses;
		t->in.weeks = p->weeks;
		t->in.week = week;
		t->in.generated_at = now;
	}
	if (step_done(db, rc, err, "weekly report: teams") < 0)
		goto fail;
	if (team_id != 0 && s.n == 0) {
		fb_error_set(err, "programme %s has no team %lld", p->name, (long long)team_id);
		goto fail;
	}
	if (load_members(db, &s, p, team_id, &start, &slots, &nslots, err) < 0 ||
	    load_counts(db, team_id ? SQL_GIVEN_TEAM : SQL_GIVEN_ALL, &s, slots, nslots, p->id,
	    team_id, week, 0, err) < 0 ||
	    load_counts(db, team_id ? SQL_RECEIVED_TEAM : SQL_RECEIVED_ALL, &s, slots, nslots, p->id,
	    team_id, week, 1, err) < 0 ||
	    load_counts(db, team_id ? SQL_REQUESTED_TEAM : SQL_REQUESTED_ALL, &s, slots, nslots,
	    p->id, team_id, week, 2, err) < 0 ||
	    load_absences(db, &s, slots, nslots, p, team_id, err) < 0)
		goto fail;
	st = load_stmt(db, team_id ? SQL_MISSED_TEAM : SQL_MISSED, p->id, team_id, now, err);
	if (st == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_member_in *m = find_member(slots, nslots, sqlite3_column_int64(st, 0));

		/* the most recent first: those are the ones a report can still be about */
		if (m != NULL && m->nmissed < REPORT_MAX_MISSED)
			m->missed[m->nmissed++] = (time_t)sqlite3_column_int64(st, 1);
	}
	if (step_done(db, rc, err, "weekly report: reminders") < 0 ||
	    load_team_extras(db, &s, p->id, team_id, week, now, err) < 0)
		goto fail;
	free(slots);
	*out = s;
	return 0;
nomem:
	fb_error_set(err, "out of memory");
fail:
	free(slots);
	store_report_set_release(&s);
	return -1;
}

/* ---- rating samples and ratings: rows only (ratings.h and report_ratings.h decide) ---- */

const char *
store_report_keep(struct report_set *s, const char *str)
{
	return keep(s, str);
}

int
store_report_team_names(struct db *db, struct report_set *s, struct report_data *rd,
    struct fb_error *err)
{
	sqlite3_stmt *st;
	size_t cap = 0, n = 0;
	int rc;

	if (rd->mask_names != NULL)
		return 0;
	st = db_stmt(db, SQL_TEAM_NAMES, err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, rd->team_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 2 * REPORT_MAX_MEMBERS) {
		const char *c;

		if ((n == cap && store_grow(&rd->mask_names, &cap, n, sizeof(*rd->mask_names)) < 0) ||
		    (c = keep(s, db_col_text(st, 0))) == NULL) {
			sqlite3_reset(st);
			return fb_error_set(err, "out of memory");
		}
		rd->mask_names[n++] = c;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, err, "report: the team's names");
	/* Not NULL once loaded, also for a team without names. */
	if (rd->mask_names == NULL && store_grow(&rd->mask_names, &cap, 0,
	    sizeof(*rd->mask_names)) < 0)
		return fb_error_set(err, "out of memory");
	rd->in.mask_names = rd->mask_names;
	rd->in.nmask_names = n;
	return 0;
}

int
store_report_team_program(struct db *db, int64_t team_id, int64_t *program_id,
    struct fb_error *err)
{
	static const char SQL_PROGRAM_OF_TEAM[] = "SELECT program_id FROM team WHERE id = ?1";

	return store_row_by_id(db, SQL_PROGRAM_OF_TEAM, team_id, store_map_int64, program_id, err,
	    "report: the team's programme");
}

int
store_rating_samples_shown(struct db *db, int64_t team_id, int week,
    int (*fn)(void *arg, int64_t number, const char *const parts[3]), void *arg,
    struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_SAMPLES_SHOWN, err);
	int rc, n = 0, stop = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, team_id);
	sqlite3_bind_int(st, 2, week);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *parts[3];

		for (int k = 0; k < 3; k++)
			parts[k] = db_col_text(st, 1 + k);
		n++;
		stop = fn(arg, sqlite3_column_int64(st, 0), parts);
		if (stop < 0) {
			sqlite3_reset(st);
			return -1;
		}
	}
	if (!stop && rc != SQLITE_DONE) {
		db_fail(db, err, "rating samples");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return n;
}

int
store_rating_sample_candidates(struct db *db, int64_t program_id, int64_t team_id, int week,
    int64_t **ids, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_SAMPLE_CANDIDATES, err);

	*ids = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, team_id);
	sqlite3_bind_int(st, 3, week);
	return store_rows(db, st, ids, n, sizeof(**ids), store_map_int64, NULL, err,
	    "rating samples: picking");
}

int
store_rating_sample_next(struct db *db, int64_t program_id, int64_t *next,
    struct fb_error *err)
{
	int rc = store_row_by_id(db, SQL_SAMPLE_NEXT, program_id, store_map_int64, next, err,
	    "rating samples: numbering");

	/* An aggregate always has its row. */
	return rc == 1 ? db_fail(db, err, "rating samples: numbering") : rc;
}

int
store_rating_sample_add(struct db *db, int64_t program_id, int64_t number, int64_t feedback_id,
    int64_t team_id, int week, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_SAMPLE_INSERT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, program_id);
	sqlite3_bind_int64(st, 2, number);
	sqlite3_bind_int64(st, 3, feedback_id);
	sqlite3_bind_int64(st, 4, team_id);
	sqlite3_bind_int(st, 5, week);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now);
	return store_step_done(db, st, err, "rating samples: recording");
}

int
store_rating_facilitator(struct db *db, int64_t facilitator_id, int64_t *team_id,
    int64_t *program_id, struct fb_error *err)
{
	int64_t v[2];
	int rc = store_row_by_id(db, SQL_FACILITATOR, facilitator_id, store_map_int64_pair, v, err,
	    "rating: the facilitator");

	if (rc == 0) {
		*team_id = v[0];
		*program_id = v[1];
	}
	return rc;
}

static int
map_sample(sqlite3_stmt *st, void *arg)
{
	struct store_rating_sample *s = arg;

	s->feedback_id = sqlite3_column_int64(st, 0);
	s->team_id = sqlite3_column_int64(st, 1);
	s->week = sqlite3_column_int(st, 2);
	return 0;
}

int
store_rating_sample_find(struct db *db, int64_t program_id, int64_t number,
    struct store_rating_sample *out, struct fb_error *err)
{
	int64_t ids[2] = { program_id, number };

	return store_row(db, SQL_SAMPLE_BY_NUMBER, ids, 2, map_sample, out, err, "rating");
}

int
store_rating_put(struct db *db, int64_t feedback_id, int64_t facilitator_id, int score,
    int week, time_t now, struct fb_error *err)
{
	sqlite3_stmt *st = db_stmt(db, SQL_RATING_UPSERT, err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, feedback_id);
	sqlite3_bind_int64(st, 2, facilitator_id);
	sqlite3_bind_int(st, 3, score);
	sqlite3_bind_int(st, 4, week);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	return store_step_done(db, st, err, "rating");
}

/* ---- progress and evaluation ---- */

static const char SQL_P_RESPONSE[] =
	"SELECT m.team_id, ms.kind, count(*), count(q.completed_at) FROM questionnaire q "
	"JOIN measurement ms ON ms.id = q.measurement_id JOIN member m ON m.id = q.member_id "
	"WHERE ms.program_id = ?1 AND (?2 = 0 OR m.team_id = ?2) GROUP BY m.team_id, ms.kind";
static const char SQL_P_SCORES[] =
	"SELECT m.team_id, ms.kind, a.question, avg(a.score), count(DISTINCT q.member_id) "
	"FROM answer a JOIN questionnaire q ON q.id = a.questionnaire_id "
	"JOIN measurement ms ON ms.id = q.measurement_id JOIN member m ON m.id = q.member_id "
	"WHERE ms.program_id = ?1 AND (?2 = 0 OR m.team_id = ?2) AND a.superseded = 0 "
	"AND a.score IS NOT NULL AND a.question BETWEEN 1 AND ?3 "
	"GROUP BY m.team_id, ms.kind, a.question";
static const char SQL_P_RATINGS[] =
	"SELECT f.team_id, r.week, avg(r.score), count(*) FROM rating r "
	"JOIN facilitator f ON f.id = r.facilitator_id JOIN team t ON t.id = f.team_id "
	"WHERE t.program_id = ?1 AND (?2 = 0 OR f.team_id = ?2) AND r.week BETWEEN 1 AND ?3 "
	"GROUP BY f.team_id, r.week";

static int
moment_index(const char *kind)
{
	static const char *const kinds[REPORT_MOMENTS] = { "baseline", "midterm", "final",
		"followup" };

	for (int i = 0; i < REPORT_MOMENTS; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return i;
	return -1;
}

static struct report_pteam *
pteam_of(struct report_progress_set *s, int64_t team_id)
{
	struct report_data *t = find_team(&s->weekly, team_id);

	return t ? &s->teams[t - s->weekly.teams] : NULL;
}

void
store_report_progress_release(struct report_progress_set *s)
{
	if (s == NULL)
		return;
	store_report_set_release(&s->weekly);
	free(s->teams);
	free(s->ambitions);
	free(s->actions);
	free(s->answers);
	memset(s, 0, sizeof(*s));
}

int
store_report_progress_load(struct db *db, const struct program *p, int64_t team_id,
    int through_week, enum report_progress_kind kind, int min_group_size, time_t now,
    struct report_progress_set *out, struct fb_error *err)
{
	struct report_progress_set s;
	sqlite3_stmt *st;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	if (store_report_weekly_load(db, p, team_id, through_week, now, &s.weekly, err) < 0)
		return -1;
	if (s.weekly.n > 0 && (s.teams = calloc(s.weekly.n, sizeof(*s.teams))) == NULL) {
		store_report_progress_release(&s);
		return fb_error_set(err, "out of memory");
	}
	for (size_t i = 0; i < s.weekly.n; i++) {
		s.teams[i].name = s.weekly.teams[i].team_name;
		s.teams[i].members = s.weekly.teams[i].members;
		s.teams[i].nmembers = s.weekly.teams[i].in.nmembers;
	}
	st = load_stmt(db, SQL_P_RESPONSE, p->id, team_id, 0, err);
	if (st == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_pteam *t = pteam_of(&s, sqlite3_column_int64(st, 0));
		int m = moment_index(db_col_text(st, 1));

		if (t == NULL || m < 0)
			continue;
		t->sent[m] = sqlite3_column_int(st, 2);
		t->answered[m] = sqlite3_column_int(st, 3);
	}
	if (step_done(db, rc, err, "progress report: response") < 0)
		goto fail;
	st = load_stmt(db, SQL_P_SCORES, p->id, team_id, REPORT_MAX_QUESTIONS, err);
	if (st == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_pteam *t = pteam_of(&s, sqlite3_column_int64(st, 0));
		int m = moment_index(db_col_text(st, 1)), q = sqlite3_column_int(st, 2);

		if (t == NULL || m < 0 || q < 1 || q > REPORT_MAX_QUESTIONS)
			continue;
		t->avg[m][q] = sqlite3_column_double(st, 3);
		t->navg[m][q] = sqlite3_column_int(st, 4);
		if (q > s.in.nquestions)
			s.in.nquestions = q;
	}
	if (step_done(db, rc, err, "progress report: scores") < 0)
		goto fail;
	st = load_stmt(db, SQL_P_RATINGS, p->id, team_id, through_week, err);
	if (st == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_pteam *t = pteam_of(&s, sqlite3_column_int64(st, 0));
		int w = sqlite3_column_int(st, 1);

		if (t == NULL || w < 1 || w > REPORT_MAX_WEEKS)
			continue;
		t->rating_avg[w] = sqlite3_column_double(st, 2);
		t->rating_n[w] = sqlite3_column_int(st, 3);
	}
	if (step_done(db, rc, err, "progress report: ratings") < 0)
		goto fail;
	s.in.program = s.weekly.program_name;
	s.in.lang = strcmp(p->language, "en") == 0 ? REPORT_LANG_EN : REPORT_LANG_NL;
	s.in.kind = kind;
	s.in.weeks = p->weeks;
	s.in.through_week = through_week;
	s.in.min_group_size = min_group_size;
	s.in.teams = s.teams;
	s.in.nteams = s.weekly.n;
	*out = s;
	return 0;
fail:
	store_report_progress_release(&s);
	return -1;
}

/* ---- the team's ambition ---- */

static const char SQL_P_AMBITION[] =
	"SELECT m.team_id, a.question, a.text FROM answer a "
	"JOIN questionnaire q ON q.id = a.questionnaire_id "
	"JOIN measurement ms ON ms.id = q.measurement_id JOIN member m ON m.id = q.member_id "
	"WHERE ms.program_id = ?1 AND (?2 = 0 OR m.team_id = ?2) AND ms.kind = 'baseline' "
	"AND a.superseded = 0 AND m.status = 'active' AND a.text IS NOT NULL "
	"AND length(trim(a.text)) > 0 AND a.question BETWEEN 1 AND ?3 "
	"ORDER BY m.team_id, a.question, a.text";

/* text cut to at most max bytes, not inside a UTF-8 sequence, into out. */
static int
cut_utf8(const char *text, size_t max, struct buf *out)
{
	size_t len = strlen(text);

	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	return buf_add(out, text, len);
}

int
store_report_ambition_load(struct db *db, const struct program *p, int64_t team_id,
    const struct report_question *open, size_t nopen, struct report_progress_set *s,
    struct fb_error *err)
{
	struct report_ambition *amb = NULL;
	size_t nans = 0, cap = 0, *first = NULL;
	unsigned maxq = 0;
	const char **answers = NULL;
	struct buf cut = BUF_INIT;
	sqlite3_stmt *st;
	int rc;

	for (size_t k = 0; k < nopen; k++)
		if (open[k].number > maxq)
			maxq = open[k].number;
	if (nopen == 0 || s->in.nteams == 0)
		return 0;
	amb = calloc(s->in.nteams * nopen, sizeof(*amb));
	first = calloc(s->in.nteams * nopen, sizeof(*first));
	if (amb == NULL || first == NULL)
		goto oom;
	for (size_t t = 0; t < s->in.nteams; t++)
		for (size_t k = 0; k < nopen; k++) {
			amb[t * nopen + k].question = (int)open[k].number;
			if ((amb[t * nopen + k].text = keep(&s->weekly, open[k].text)) == NULL)
				goto oom;
		}
	if ((st = load_stmt(db, SQL_P_AMBITION, p->id, team_id, (int)maxq, err)) == NULL)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_pteam *t = pteam_of(s, sqlite3_column_int64(st, 0));
		const struct report_data *rd = find_team(&s->weekly, sqlite3_column_int64(st, 0));
		unsigned q = (unsigned)sqlite3_column_int(st, 1);
		struct report_ambition *a = NULL;
		const char *kept;

		if (t == NULL || rd == NULL)
			continue;
		for (size_t k = 0; k < nopen; k++)
			if (open[k].number == q)
				a = &amb[(size_t)(t - s->teams) * nopen + k];
		if (a == NULL || a->nanswers >= REPORT_AMBITION_MAX_ANSWERS)
			continue;
		buf_reset(&cut);
		if (cut_utf8(db_col_text(st, 2), REPORT_AMBITION_MAX_TEXT, &cut) < 0 ||
		    (kept = keep(&s->weekly, cut.data)) == NULL)
			goto oom;
		if (nans == cap && store_grow(&answers, &cap, nans, sizeof(*answers)) < 0)
			goto oom;
		if (a->nanswers == 0)
			first[a - amb] = nans;
		answers[nans++] = kept;
		a->nanswers++;
	}
	if (step_done(db, rc, err, "progress report: ambition") < 0)
		goto fail;
	for (size_t i = 0; i < s->in.nteams * nopen; i++)
		amb[i].answers = amb[i].nanswers ? answers + first[i] : NULL;
	/* Whose names the renderers mask in the answers. */
	for (size_t t = 0; t < s->in.nteams; t++) {
		if (store_report_team_names(db, &s->weekly, &s->weekly.teams[t], err) < 0)
			goto fail;
		s->teams[t].mask_names = s->weekly.teams[t].mask_names;
		s->teams[t].nmask_names = s->weekly.teams[t].in.nmask_names;
	}
	for (size_t t = 0; t < s->in.nteams; t++) {
		if (s->teams[t].sent[0] == 0) {
			s->teams[t].ambition = NULL; /* no baseline for this team (yet) */
			s->teams[t].nambition = 0;
			continue;
		}
		s->teams[t].ambition = &amb[t * nopen];
		s->teams[t].nambition = nopen;
	}
	free(s->ambitions);
	free(s->answers);
	s->ambitions = amb;
	s->answers = answers;
	free(first);
	buf_release(&cut);
	return 0;
oom:
	fb_error_set(err, "out of memory loading the team's ambition");
fail:
	free(amb);
	free(answers);
	free(first);
	buf_release(&cut);
	return -1;
}

/* ---- the team's picture (team_picture.h): its feedback requests --------------------------- */

static const char SQL_TEAM_REQUESTS[] =
	"SELECT count(*), count(r.answered_at), count(DISTINCT r.asker_id) "
	"FROM member m JOIN feedback_request r ON r.program_id = ?1 AND r.asker_id = m.id "
	"AND r.week BETWEEN 1 AND ?3 WHERE m.team_id = ?2";

int
store_report_team_requests(struct db *db, int64_t program_id, int64_t team_id,
    int through_week, int *requests, int *answered, int *askers, struct fb_error *err)
{
	sqlite3_stmt *st = load_stmt(db, SQL_TEAM_REQUESTS, program_id, team_id, through_week,
	    err);
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		return db_fail(db, err, "the team's feedback requests");
	*requests = sqlite3_column_int(st, 0);
	*answered = sqlite3_column_int(st, 1);
	*askers = sqlite3_column_int(st, 2);
	sqlite3_reset(st); /* let go of the read at once */
	return 0;
}
