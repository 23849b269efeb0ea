/*
 * schema — the numbered migrations of the feedbackd database.
 *
 * Migration N turns a database at user_version N-1 into one at N. Never edit a migration that
 * has shipped: add a new one. Each runs in its own transaction together with the user_version
 * bump, so a crash leaves the database at N-1 or N, never in between.
 *
 * Conventions: times are INTEGER seconds since the epoch, UTC; calendar dates are TEXT
 * 'YYYY-MM-DD' in the programme's zone; addresses are stored lowercased; every table that
 * holds personal text says so in a comment (member erase and retention must reach it).
 */
#include <stddef.h>

#include "schema.h"
#include "banned.h"

static const char MIGRATION_1[] =
/* One run of the 10-week method. Settings that differ from the configuration's [program]
 * defaults are kept as JSON so new settings need no migration. */
"CREATE TABLE program ("
"  id INTEGER PRIMARY KEY,"
"  name TEXT NOT NULL UNIQUE,"
"  start_date TEXT NOT NULL,"
"  weeks INTEGER NOT NULL DEFAULT 10 CHECK (weeks BETWEEN 1 AND 52),"
"  timezone TEXT NOT NULL,"
"  language TEXT NOT NULL CHECK (language IN ('nl', 'en')),"
"  settings TEXT NOT NULL DEFAULT '{}',"
"  created_at INTEGER NOT NULL"
");"
"CREATE TABLE team ("
"  id INTEGER PRIMARY KEY,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  name TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (program_id, name)"
");"
/* Personal: name. status 'erased' keeps the row (counts stay right) without the person. */
"CREATE TABLE member ("
"  id INTEGER PRIMARY KEY,"
"  team_id INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,"
"  name TEXT NOT NULL,"
"  timezone TEXT,"
"  language TEXT CHECK (language IS NULL OR language IN ('nl', 'en')),"
"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left', 'erased')),"
"  created_at INTEGER NOT NULL"
");"
"CREATE INDEX member_team ON member(team_id);"
/* A member may write from several addresses; the primary one receives our mail. The same
 * address may belong to people in different programmes, never twice in one. */
"CREATE TABLE member_address ("
"  id INTEGER PRIMARY KEY,"
"  member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  address TEXT NOT NULL,"
"  is_primary INTEGER NOT NULL DEFAULT 0,"
"  undeliverable_at INTEGER,"
"  undeliverable_reason TEXT,"
"  UNIQUE (program_id, address)"
");"
"CREATE INDEX member_address_addr ON member_address(address);"
"CREATE TABLE facilitator ("
"  id INTEGER PRIMARY KEY,"
"  team_id INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,"
"  name TEXT,"
"  address TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (team_id, address)"
");"
/* Away from..until (inclusive local dates): marked by the coordinator or a facilitator, or
 * read from an out-of-office reply (inbox_id says which). */
"CREATE TABLE absence ("
"  id INTEGER PRIMARY KEY,"
"  member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
"  from_date TEXT NOT NULL,"
"  until_date TEXT NOT NULL,"
"  source TEXT NOT NULL CHECK (source IN ('coordinator', 'facilitator', 'out-of-office')),"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  created_at INTEGER NOT NULL,"
"  CHECK (from_date <= until_date)"
");"
"CREATE INDEX absence_member ON absence(member_id);"
/* Kickoff, progress and evaluation sessions. uid never changes; sequence rises with every
 * change of time or status (iTIP). team_id NULL: the session is for every team. */
"CREATE TABLE session ("
"  id INTEGER PRIMARY KEY,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  team_id INTEGER REFERENCES team(id) ON DELETE CASCADE,"
"  kind TEXT NOT NULL CHECK (kind IN ('kickoff', 'progress', 'evaluation')),"
"  uid TEXT NOT NULL UNIQUE,"
"  sequence INTEGER NOT NULL DEFAULT 0,"
"  starts_at INTEGER NOT NULL,"
"  duration_min INTEGER NOT NULL CHECK (duration_min > 0),"
"  location TEXT,"
"  online_url TEXT,"
"  status TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),"
"  created_at INTEGER NOT NULL,"
"  updated_at INTEGER NOT NULL"
");"
/* Calendar entries of measurement and reminder moments, one UID per member and moment. */
"CREATE TABLE calendar_item ("
"  id INTEGER PRIMARY KEY,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  member_id INTEGER REFERENCES member(id) ON DELETE CASCADE,"
"  moment_key TEXT NOT NULL,"
"  uid TEXT NOT NULL UNIQUE,"
"  sequence INTEGER NOT NULL DEFAULT 0,"
"  starts_at INTEGER NOT NULL,"
"  status TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),"
"  UNIQUE (member_id, moment_key)"
");"
/* Who was invited to what, and their answer (iTIP PARTSTAT). */
"CREATE TABLE attendee ("
"  id INTEGER PRIMARY KEY,"
"  session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,"
"  member_id INTEGER REFERENCES member(id) ON DELETE CASCADE,"
"  facilitator_id INTEGER REFERENCES facilitator(id) ON DELETE CASCADE,"
"  address TEXT NOT NULL,"
"  partstat TEXT NOT NULL DEFAULT 'NEEDS-ACTION',"
"  reply_sequence INTEGER,"
"  replied_at INTEGER,"
"  removed INTEGER NOT NULL DEFAULT 0,"
"  UNIQUE (session_id, address)"
");"
/* Every message read, raw, before anything else happens (STYLE.md: keep, then parse). Deduped
 * on the content hash (and, since MIGRATION_DEDUPE, on sender + Message-ID + body). state: pending → applied | ignored | quarantined |
 * failed; a quarantined or failed message stays visible to the coordinator. Personal: raw. */
"CREATE TABLE inbox ("
"  id INTEGER PRIMARY KEY,"
"  message_id TEXT,"
"  sha256 TEXT NOT NULL UNIQUE,"
"  source TEXT NOT NULL,"
"  received_at INTEGER NOT NULL,"
"  size INTEGER NOT NULL,"
"  raw BLOB,"
"  sender TEXT,"
"  subject TEXT,"
"  state TEXT NOT NULL DEFAULT 'pending'"
"    CHECK (state IN ('pending', 'applied', 'ignored', 'quarantined', 'failed')),"
"  kind TEXT,"
"  reason TEXT,"
"  error TEXT,"
"  program_id INTEGER REFERENCES program(id) ON DELETE SET NULL,"
"  member_id INTEGER REFERENCES member(id) ON DELETE SET NULL,"
"  attempts INTEGER NOT NULL DEFAULT 0,"
"  applied_at INTEGER"
");"
"CREATE UNIQUE INDEX inbox_message_id ON inbox(message_id) WHERE message_id IS NOT NULL;"
"CREATE INDEX inbox_state ON inbox(state);"
/* Where each mailbox was read up to (IMAP UIDVALIDITY and last UID), saved in the same
 * transaction as the message it moves past. */
"CREATE TABLE mailbox_position ("
"  mailbox TEXT PRIMARY KEY,"
"  uidvalidity INTEGER NOT NULL,"
"  last_uid INTEGER NOT NULL"
");"
/* The send queue. queued → sending → sent, or → retry → … → failed. A row goes to 'sending'
 * in its own committed transaction before the network step, so a crash leaves at most the
 * rows in hand in doubt, and those are sent again. Personal: raw. */
"CREATE TABLE outbox ("
"  id INTEGER PRIMARY KEY,"
"  message_id TEXT NOT NULL UNIQUE,"
"  kind TEXT NOT NULL,"
"  sender TEXT NOT NULL,"
"  recipient TEXT NOT NULL,"
"  subject TEXT,"
"  raw BLOB NOT NULL,"
"  state TEXT NOT NULL DEFAULT 'queued'"
"    CHECK (state IN ('queued', 'sending', 'sent', 'retry', 'failed', 'held')),"
"  attempts INTEGER NOT NULL DEFAULT 0,"
"  next_attempt_at INTEGER NOT NULL,"
"  last_error TEXT,"
"  program_id INTEGER REFERENCES program(id) ON DELETE SET NULL,"
"  member_id INTEGER REFERENCES member(id) ON DELETE SET NULL,"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  created_at INTEGER NOT NULL,"
"  sent_at INTEGER"
");"
"CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
"CREATE INDEX outbox_recipient ON outbox(recipient, created_at);"
/* What a reply to one of our messages means: the token travels in the reply address, the
 * Message-ID and the subject. */
"CREATE TABLE token ("
"  token TEXT PRIMARY KEY,"
"  purpose TEXT NOT NULL,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  member_id INTEGER REFERENCES member(id) ON DELETE CASCADE,"
"  facilitator_id INTEGER REFERENCES facilitator(id) ON DELETE CASCADE,"
"  ref_id INTEGER,"
"  created_at INTEGER NOT NULL,"
"  expires_at INTEGER NOT NULL"
");"
"CREATE TABLE feedback_request ("
"  id INTEGER PRIMARY KEY,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  asker_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
"  giver_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
"  topic TEXT,"
"  week INTEGER NOT NULL,"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  created_at INTEGER NOT NULL,"
"  answered_at INTEGER"
");"
"CREATE INDEX feedback_request_asker ON feedback_request(asker_id, week);"
/* Personal: the three BKC texts. request_id NULL: unsolicited. A second answer to the same
 * request is a follow-up, stored but not counted. */
"CREATE TABLE feedback ("
"  id INTEGER PRIMARY KEY,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  request_id INTEGER REFERENCES feedback_request(id) ON DELETE SET NULL,"
"  giver_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
"  receiver_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
"  confirmation TEXT,"
"  critique TEXT,"
"  suggestion TEXT,"
"  week INTEGER NOT NULL,"
"  is_followup INTEGER NOT NULL DEFAULT 0,"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  created_at INTEGER NOT NULL"
");"
"CREATE INDEX feedback_giver ON feedback(giver_id, week);"
"CREATE INDEX feedback_receiver ON feedback(receiver_id, week);"
/* The receiver's reaction or intention, passed on to the giver once. Personal: text. */
"CREATE TABLE reaction ("
"  id INTEGER PRIMARY KEY,"
"  feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,"
"  text TEXT NOT NULL,"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  created_at INTEGER NOT NULL"
");"
/* A facilitator's anonymous 1–5 rating of a feedback text shown without names. */
"CREATE TABLE rating ("
"  id INTEGER PRIMARY KEY,"
"  feedback_id INTEGER NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,"
"  facilitator_id INTEGER NOT NULL REFERENCES facilitator(id) ON DELETE CASCADE,"
"  score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),"
"  week INTEGER NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (feedback_id, facilitator_id)"
");"
/* Baseline, midterm, final and follow-up of a programme. */
"CREATE TABLE measurement ("
"  id INTEGER PRIMARY KEY,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  kind TEXT NOT NULL CHECK (kind IN ('baseline', 'midterm', 'final', 'followup')),"
"  opens_at INTEGER NOT NULL,"
"  closes_at INTEGER NOT NULL,"
"  UNIQUE (program_id, kind)"
");"
/* One questionnaire sent to one member; reminders counted so none is sent twice. */
"CREATE TABLE questionnaire ("
"  id INTEGER PRIMARY KEY,"
"  measurement_id INTEGER NOT NULL REFERENCES measurement(id) ON DELETE CASCADE,"
"  member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
"  sent_at INTEGER NOT NULL,"
"  reminders INTEGER NOT NULL DEFAULT 0,"
"  last_reminder_at INTEGER,"
"  completed_at INTEGER,"
"  UNIQUE (measurement_id, member_id)"
");"
/* Answers; a later answer to the same question supersedes (history kept). Personal: text. */
"CREATE TABLE answer ("
"  id INTEGER PRIMARY KEY,"
"  questionnaire_id INTEGER NOT NULL REFERENCES questionnaire(id) ON DELETE CASCADE,"
"  question INTEGER NOT NULL,"
"  score INTEGER CHECK (score IS NULL OR score BETWEEN 0 AND 10),"
"  text TEXT,"
"  superseded INTEGER NOT NULL DEFAULT 0,"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  created_at INTEGER NOT NULL"
");"
"CREATE INDEX answer_questionnaire ON answer(questionnaire_id, question);"
/* Improvement actions after the evaluation (who: team|others; term: short|long). */
"CREATE TABLE improvement_action ("
"  id INTEGER PRIMARY KEY,"
"  team_id INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,"
"  by_whom TEXT NOT NULL CHECK (by_whom IN ('team', 'others')),"
"  term TEXT NOT NULL CHECK (term IN ('short', 'long')),"
"  text TEXT NOT NULL,"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  created_at INTEGER NOT NULL"
");"
/* Moments of the plan already acted on (key from plan.h, e.g. 'nudge:w3'), per programme and
 * target, so a restart or a --now in the past never sends anything twice. */
"CREATE TABLE done ("
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  moment_key TEXT NOT NULL,"
"  target TEXT NOT NULL DEFAULT '',"
"  done_at INTEGER NOT NULL,"
"  PRIMARY KEY (program_id, moment_key, target)"
");";

/* Reports group feedback by programme and week; a programme may name its own ORGANIZER. */
static const char MIGRATION_2[] =
"CREATE INDEX feedback_program_week ON feedback(program_id, week);"
"CREATE INDEX feedback_request_program_week ON feedback_request(program_id, week);"
"ALTER TABLE program ADD COLUMN organizer_address TEXT;";

/* The weekly report: covering indexes for what it groups by (given, received, requested per
 * member and week; SQLite answers each from the index alone), addresses by member, and the
 * anonymous rating samples:
 * "F<number>" (unique per programme) names a feedback text shown to a team's facilitators in the
 * report of one week, so their reply "F12: 4" can be stored without ever naming the giver. */
static const char MIGRATION_REPORT[] =
"CREATE INDEX feedback_report_giver ON feedback(program_id, is_followup, giver_id, week);"
"CREATE INDEX feedback_report_receiver ON feedback(program_id, is_followup, receiver_id, week);"
"CREATE INDEX feedback_request_report ON feedback_request(program_id, asker_id, week);"
/* Which members bounce: without it, one scan of every address per member. */
"CREATE INDEX member_address_member ON member_address(member_id);"
"CREATE TABLE rating_sample ("
"  id INTEGER PRIMARY KEY,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  number INTEGER NOT NULL CHECK (number > 0),"
"  feedback_id INTEGER NOT NULL UNIQUE REFERENCES feedback(id) ON DELETE CASCADE,"
"  team_id INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,"
"  week INTEGER NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (program_id, number)"
");"
"CREATE INDEX rating_sample_team_week ON rating_sample(team_id, week);";

/* Dedupe that a stranger cannot poison: a Message-ID alone no longer makes a message "already
 * known" (anyone may send one that a member's later reply will carry). A message is a
 * duplicate when its bytes are the same (sha256: the same file read twice, an IMAP re-fetch),
 * or when its dedupe_key is: a hash of the sender's address, the Message-ID and the body (the
 * same mail delivered again by another route, with other trace headers). Rows stored before
 * this migration have no dedupe_key: they dedupe on their bytes only. */
static const char MIGRATION_DEDUPE[] =
"DROP INDEX inbox_message_id;"
"CREATE INDEX inbox_message_id ON inbox(message_id);"
"ALTER TABLE inbox ADD COLUMN dedupe_key TEXT;"
"CREATE INDEX inbox_dedupe_key ON inbox(dedupe_key);";

/* Spam complaints (ARF): an address whose owner called our mail spam gets no more mail, as an
 * ESP stops mail after a complaint; complaint_inbox_id is the report that said so. */
static const char MIGRATION_COMPLAINT[] =
"ALTER TABLE member_address ADD COLUMN complained_at INTEGER;"
"ALTER TABLE member_address ADD COLUMN complaint_inbox_id INTEGER "
"  REFERENCES inbox(id) ON DELETE SET NULL;";

/* The daily cap as a rate (issue 16): a priority per outbox row from its kind (person-to-person
 * mail, 0, before automatic mail, 1), and admitted_at, when a row was let into its recipient's
 * rolling 24-hour window — what the cap counts. A held row's next_attempt_at is when it may go:
 * the outbox pass releases it then. Rows held before this migration are due at once and are
 * planned again on the next pass. The kinds listed are outmail's automatic ones at the time. */
static const char MIGRATION_CAP[] =
"ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE outbox ADD COLUMN admitted_at INTEGER;"
"UPDATE outbox SET priority = 1 WHERE kind IN ('nudge', 'facilitator_reminder', 'weekly_report',"
"  'progress_report', 'questionnaire', 'questionnaire_reminder', 'invite', 'invite_update',"
"  'invite_cancel', 'moment_invite', 'moment_cancel');"
"UPDATE outbox SET admitted_at = created_at WHERE state <> 'held';"
"CREATE INDEX outbox_window ON outbox(recipient, admitted_at);"
"CREATE INDEX outbox_held ON outbox(state, recipient) WHERE state = 'held';";

/*
 * Bounces that prove they are ours (issue 16): every outbox row carries its own envelope
 * sender "bounce+TOKEN@domain" (VERP); a bounce counts only when it names that token, or returns
 * the headers of a row sent to the bounced address. Each counted bounce is a row here; the score
 * over the recent ones (core/bounce.h) decides when member_address.undeliverable_at is set.
 * Personal: address (deleted with the member's addresses, and when the address is cleared).
 */
static const char MIGRATION_BOUNCE[] =
"ALTER TABLE outbox ADD COLUMN bounce_token TEXT;"
"CREATE UNIQUE INDEX outbox_bounce_token ON outbox(bounce_token) WHERE bounce_token IS NOT NULL;"
"CREATE TABLE bounce ("
"  id INTEGER PRIMARY KEY,"
"  address TEXT NOT NULL,"
"  at INTEGER NOT NULL,"
"  permanent INTEGER NOT NULL CHECK (permanent IN (0, 1)),"
"  status TEXT NOT NULL,"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  outbox_id INTEGER REFERENCES outbox(id) ON DELETE SET NULL"
");"
"CREATE INDEX bounce_address ON bounce(address, at);";

/*
 * The tip each weekly nudge carried (issue 18): one row per member and week, so a tip is never
 * given twice in a programme, a restart chooses from what is left, and the all_well rule knows
 * the level of the last one. tip_id is the id in the tips file (mail-templates/tips/), pattern
 * the member's own pattern when it was chosen (tips.h). Not personal beyond the member link.
 */
static const char MIGRATION_TIPS[] =
"CREATE TABLE member_tip ("
"  id INTEGER PRIMARY KEY,"
"  member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,"
"  week INTEGER NOT NULL,"
"  tip_id TEXT NOT NULL,"
"  pattern TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  UNIQUE (member_id, week)"
");";

/*
 * Plans that change (issue 19): a programme's pauses (from..until, inclusive local dates; the
 * plan counts each in whole weeks from its first day, plan.h), the instant it was ended early
 * (NULL: it runs its course), and facilitators who left a team (removed_at: the row stays so
 * their session invitations can be cancelled and their ratings keep their author).
 */
static const char MIGRATION_PLANS[] =
"CREATE TABLE program_pause ("
"  id INTEGER PRIMARY KEY,"
"  program_id INTEGER NOT NULL REFERENCES program(id) ON DELETE CASCADE,"
"  from_date TEXT NOT NULL,"
"  until_date TEXT NOT NULL,"
"  created_at INTEGER NOT NULL,"
"  CHECK (from_date <= until_date)"
");"
"CREATE INDEX program_pause_program ON program_pause(program_id, from_date);"
"ALTER TABLE program ADD COLUMN ended_at INTEGER;"
"ALTER TABLE facilitator ADD COLUMN removed_at INTEGER;";

/*
 * A member who leaves the programme (feedbackctl member remove) keeps their row, addresses and
 * history (status 'left', counts stay right); left_at says when, so a report of a week before
 * it still shows them as they were.
 */
static const char MIGRATION_MEMBER_LEFT[] =
"ALTER TABLE member ADD COLUMN left_at INTEGER;";

/*
 * Improvement actions (issue 18): the table of migration 1 was never written; now a facilitator
 * or the coordinator fills it by replying to the progress or evaluation report ("Team, kort:
 * ..."). Each row gains who wrote it (author: the sender's address, author_name as we know
 * them; cleared when the programme is purged) and the report it answered.
 */
static const char MIGRATION_ACTIONS[] =
"ALTER TABLE improvement_action ADD COLUMN author TEXT;"
"ALTER TABLE improvement_action ADD COLUMN author_name TEXT;"
"ALTER TABLE improvement_action ADD COLUMN report TEXT"
"  CHECK (report IS NULL OR report IN ('progress', 'evaluation'));"
"CREATE INDEX improvement_action_team ON improvement_action(team_id, id);";

/*
 * Score links without spam, corrections that reach the colleague (issue 18). answer_receipt: the
 * receipt for score-link clicks that waits for the member's next click (one row per
 * questionnaire; answers.h says when it goes). feedback.received_outbox_id: the outbox row that
 * carries the version of the feedback its receiver has, or will have (a correction replaces
 * it while it waits, else sends a corrected version).
 */
static const char MIGRATION_CLICKS[] =
"CREATE TABLE answer_receipt ("
"  questionnaire_id INTEGER PRIMARY KEY REFERENCES questionnaire(id) ON DELETE CASCADE,"
"  first_at INTEGER NOT NULL,"
"  due_at INTEGER NOT NULL,"
"  answers INTEGER NOT NULL,"
"  inbox_id INTEGER REFERENCES inbox(id) ON DELETE SET NULL,"
"  in_reply_to TEXT"
");"
"CREATE INDEX answer_receipt_due ON answer_receipt(due_at);"
"ALTER TABLE feedback ADD COLUMN received_outbox_id INTEGER"
"  REFERENCES outbox(id) ON DELETE SET NULL;";

/*
 * The mail budget per member per day (issue 18, budget.h): budget marks an outbox row of a kind
 * that counts against its member's daily budget of automatic mail; about_at is the moment the
 * mail is about (a session's start, a questionnaire's close), after which it is no use;
 * about_uid, the calendar UID it carries, lets a newer message about the same event replace
 * one still deferred; deferred_until, while set, keeps a row out of the send queue until the
 * budget lets it go (its next_attempt_at is then that time too, for the daemon's sleep).
 */
static const char MIGRATION_BUDGET[] =
"ALTER TABLE outbox ADD COLUMN budget INTEGER NOT NULL DEFAULT 0;"
"ALTER TABLE outbox ADD COLUMN about_at INTEGER;"
"ALTER TABLE outbox ADD COLUMN deferred_until INTEGER;"
"ALTER TABLE outbox ADD COLUMN about_uid TEXT;"
"CREATE INDEX outbox_budget ON outbox(member_id, admitted_at) WHERE budget = 1;"
"CREATE INDEX outbox_deferred ON outbox(deferred_until) WHERE deferred_until IS NOT NULL;";

/*
 * Outbox bodies apart from their state (issue 20): a message is written once, into
 * outbox_body, and the outbox row that claiming, sending and recording rewrite holds only its
 * small fields (every state change used to rewrite the whole message with it). The sender
 * reads a body when the SMTP session needs it (queue_outbox_body).
 */
static const char MIGRATION_OUTBOX_BODY[] =
"CREATE TABLE outbox_body ("
"  id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,"
"  raw BLOB NOT NULL"
");"
"INSERT INTO outbox_body (id, raw) SELECT id, raw FROM outbox;"
"ALTER TABLE outbox DROP COLUMN raw;";

/*
 * Linear cost (issue 20): a member's outbox rows by index. The budget's deferred rows of a
 * member (store_budget.c) and a joiner's welcome (store_join.c) were found through
 * outbox_due (state = 'queued'): every queued row of every member per call, so a Monday of
 * n members cost n x n (EXPLAIN QUERY PLAN: SEARCH outbox USING INDEX outbox_due (state=?)).
 */
static const char MIGRATION_OUTBOX_MEMBER[] =
"CREATE INDEX outbox_member ON outbox(member_id, kind);";

static const char *const migrations[] = {
	MIGRATION_1,
	MIGRATION_2,
	MIGRATION_REPORT,
	MIGRATION_DEDUPE,
	MIGRATION_COMPLAINT,
	MIGRATION_CAP,
	MIGRATION_BOUNCE,
	MIGRATION_TIPS,
	MIGRATION_PLANS,
	MIGRATION_MEMBER_LEFT,
	MIGRATION_ACTIONS,
	MIGRATION_CLICKS,
	MIGRATION_BUDGET,
	MIGRATION_OUTBOX_BODY,
	MIGRATION_OUTBOX_MEMBER,
};

int
schema_count(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *
schema_migration(int version)
{
	if (version < 1 || version > schema_count())
		return NULL;
	return migrations[version - 1];
}
