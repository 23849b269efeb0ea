/*
 * ctl — what the command groups of feedbackctl share: the global options, the lazily opened
 * configuration and database, and output helpers (tables or JSON).
 *
 * A command returns an exit status: 0 done, 1 failed (a message was printed to stderr),
 * 2 usage error. Each command group lives in its own file (ctl_program.c, ctl_member.c, …)
 * with its own usage text, as git's builtin/ does.
 */
#ifndef FB_CTL_H
#define FB_CTL_H

#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "store.h"

#define CTL_OK 0
#define CTL_FAIL 1
#define CTL_USAGE 2

/* Rows a list command shows without --limit. */
#define CTL_LIST_DEFAULT 50
/* Widest address and subject cells of the mail listings (table_set_max): longer ones end in
 * "…" there (show and --json have them whole), so a row fits a terminal. */
#define CTL_ADDRESS_WIDTH 32
#define CTL_SUBJECT_WIDTH 40

struct ctl {
	const char *config_path; /* -c FILE; NULL: the rule of confpath.h */
	struct config *cfg;      /* loaded by ctl_config() */
	struct db *db;           /* opened by ctl_db() */
	time_t now;              /* --now, or the clock read once in main */
	time_t (*wall_clock)(void *arg); /* the real time whatever --now says, for OAuth token
	                                  * lifetimes (mailauth.h); its argument is NULL */
	int json;                /* --json */
};

/* Load the configuration on first use; NULL after printing the error. */
struct config *ctl_config(struct ctl *c);
/* Open (and migrate) the database on first use; NULL after printing the error. */
struct db *ctl_db(struct ctl *c);
/* Print "feedbackctl: msg" to stderr; returns CTL_FAIL. */
int ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print usage to stderr (or stdout for --help) and return CTL_USAGE (CTL_OK for --help). */
int ctl_usage(const char *usage, int help);
/*
 * Usage errors: one line saying exactly what is missing or wrong, then the synopsis of the
 * command (its lines of the group's usage text), then where the rest is:
 *
 *   feedbackctl: session schedule: missing --duration LENGTH
 *   usage: feedbackctl session schedule PROGRAM kickoff|progress|evaluation --at TIME
 *                                       --duration LENGTH [--location TEXT] ...
 *   (feedbackctl session --help says more)
 *
 * cmd is the command as typed ("session schedule"), usage the group's usage text. Options
 * are read with getopt_long() without its own messages (opterr set to 0 first). Each of
 * these prints to stderr and returns CTL_USAGE.
 */
struct option;
int ctl_usage_error(const char *usage, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* getopt_long() answered '?': name the unknown option, or the known one without its value. */
int ctl_option_error(const char *usage, const char *cmd, char **argv,
    const struct option *opts);
/* The operands argv[first..argc): between min and max of them (max < 0: any number more).
 * names lists them as the synopsis does ("PROGRAM KIND"): a missing one is named, an extra
 * one quoted. CTL_OK, or CTL_USAGE after saying which. */
int ctl_operands(const char *usage, const char *cmd, int argc, char **argv, int first,
    int min, int max, const char *names);
/* A command group (usage, group "session") given no subcommand or one it does not know
 * (argv[1]): says which, with the group's synopsis. CTL_USAGE. */
int ctl_subcommand_error(const char *usage, const char *group, int argc, char **argv);
/* An id operand of cmd (what names it: "session id (how to find them)"): CTL_OK, or
 * CTL_USAGE after saying it is none. */
int ctl_usage_id(const char *usage, const char *cmd, const char *s, const char *what,
    int64_t *id);
/* The arguments of a command on one message (`inbox show`, `outbox show`: raw set by --raw;
 * `inbox reapply`, `quarantine apply`: raw NULL, no options): exactly one ID. CTL_OK with
 * *id, or CTL_USAGE after saying what is wrong. */
int ctl_id_args(const char *usage, const char *cmd, int argc, char **argv, int64_t *id,
    int *raw);
/* "missing --at TIME" when value is NULL: CTL_OK or CTL_USAGE. */
int ctl_required(const char *usage, const char *cmd, const char *value, const char *option);

/* 1 when argv holds -h or --help. */
int ctl_wants_help(int argc, char **argv);
/* The programme to act on: the named one (NULL: the only one there is). CTL_OK or CTL_FAIL
 * after printing the error; release out with store_program_release(). */
int ctl_pick_program(struct ctl *c, const char *name, struct program *out);

/*
 * A JSON string for text from the database: NULL gives null, and bytes that are not UTF-8
 * (rows stored before imports converted their encoding) are shown as U+FFFD instead of
 * making jansson refuse the string, which would drop the whole row from a listing. Never NULL
 * except on ENOMEM.
 */
json_t *ctl_json_text(const char *s);

/* Print j indented on stdout and drop the reference. */
int ctl_print_json(json_t *j);

/* A positive message id from the command line, or CTL_FAIL after printing the error. */
int ctl_parse_id(const char *s, int64_t *id);
/* The same for another id: what names it in the error ("session id (how to find them)"). */
int ctl_parse_id_of(const char *s, const char *what, int64_t *id);
/* Print a raw message's header (whole: all of it) to stdout. */
int ctl_show_raw(const struct buf *raw, int whole);
/* --week N of cmd: a week number from 1 to max into *week, or CTL_USAGE after saying what
 * is accepted. */
int ctl_parse_week(const char *usage, const char *cmd, const char *s, int max, int *week);
/* t as UTC time into out (n bytes, truncated), "-" for 0. */
void ctl_format_time(time_t t, char *out, size_t n);
/* The options of `outbox list` and `inbox list` (cmd): --state and --limit (argv[0] the
 * subcommand). CTL_OK, or CTL_USAGE after saying what is wrong. */
int ctl_list_options(int argc, char **argv, const char *cmd, const char **state, long *limit,
    const char *usage);
/* --state STATE of cmd is none of accepted (NULL-terminated): a usage error listing them;
 * CTL_USAGE. */
int ctl_bad_state(const char *usage, const char *cmd, const char *state,
    const char *const *accepted);

struct flow;
struct outmail_templates;
/* The flow for one command: configuration, database, templates (loaded and checked here),
 * --now. CTL_OK, or CTL_FAIL after printing the error; free *tpl with outmail_templates_free()
 * either way (NULL on failure). */
int ctl_flow_open(struct ctl *c, struct flow *f, struct outmail_templates **tpl);

int ctl_program(struct ctl *c, int argc, char **argv);
int ctl_oauth(struct ctl *c, int argc, char **argv);
int ctl_mail(struct ctl *c, int argc, char **argv);
int ctl_team(struct ctl *c, int argc, char **argv);
int ctl_facilitator(struct ctl *c, int argc, char **argv);
int ctl_member(struct ctl *c, int argc, char **argv);
/*
 * The member of programme program_id that spec names, as people type it (match.h, the matcher
 * of the facilitators' reply commands): an id, one of their addresses, the full name, a first
 * name or surname only one member has, or the unique start of a name (not with exact: a
 * destructive command takes no guess). Case and accents are ignored; members who left are
 * found too, erased ones not. Several fit: "Which one?" with the candidates; a typo: "did you
 * mean …?"; nothing is done then. CTL_OK with out filled (release with
 * store_member_release()), or CTL_FAIL after printing why.
 */
int ctl_member_pick(struct ctl *c, int64_t program_id, const char *spec, int exact,
    struct member *out);
/* The time zone and language of a member as given (NULL: not given): known zone, nl or en.
 * 0, or -1 with err saying what is wrong. */
int ctl_member_check_fields(const char *timezone, const char *language, struct fb_error *err);
/* The usage text of `feedbackctl member`. */
const char *ctl_member_usage(void);

/* What a member is now, as member list and status show it. */
struct ctl_member_state {
	int away;        /* an absence covers today (the programme's zone) */
	int unreachable; /* the primary address bounced, or they complained: no mail */
	int left;        /* no longer active (left the programme) */
	int lagging;     /* lagging in the week asked for, by the weekly report's rule */
};
/* out[i] for each member l->v[i] of programme p (team_id: their team, 0: the programme);
 * lagging in `week` (outside 1..weeks: nobody). CTL_OK, or CTL_FAIL after printing why. */
int ctl_member_states(struct ctl *c, const struct program *p, int64_t team_id, int week,
    const struct member_list *l, struct ctl_member_state *out);
/* The words for s: "active", "active, away, lagging", "unreachable", "left", … in out. */
const char *ctl_member_state_words(const struct member *m, const struct ctl_member_state *s,
    char *out, size_t n);
/* member update / member remove (ctl_member_change.c), member import --sync
 * (ctl_member_sync.c); argv[0] is the subcommand. */
int ctl_member_update(struct ctl *c, int argc, char **argv);
struct flow;
/* What m leaving programme p does to their invitations, one line each after indent (the
 * preview of member remove and import --sync). CTL_OK or CTL_FAIL after printing why. */
int ctl_member_leave_plan(struct ctl *c, const struct flow *f, const struct program *p,
    const struct member *m, const char *indent);
int ctl_member_remove(struct ctl *c, int argc, char **argv);
int ctl_member_import_sync(struct ctl *c, int argc, char **argv);
/* member export / member erase (ctl_privacy.c); argv[0] is the subcommand. */
int ctl_member_export(struct ctl *c, int argc, char **argv);
int ctl_member_erase(struct ctl *c, int argc, char **argv);
int ctl_plan(struct ctl *c, int argc, char **argv);
int ctl_outbox(struct ctl *c, int argc, char **argv);
int ctl_inbox(struct ctl *c, int argc, char **argv);
int ctl_quarantine(struct ctl *c, int argc, char **argv);
int ctl_status(struct ctl *c, int argc, char **argv);
int ctl_measure(struct ctl *c, int argc, char **argv);
int ctl_report(struct ctl *c, int argc, char **argv);
/* feedbackctl report actions (ctl_report_actions.c); usage is ctl_report's. */
int ctl_report_actions(struct ctl *c, const char *usage, int argc, char **argv);
int ctl_session(struct ctl *c, int argc, char **argv);
int ctl_calendar(struct ctl *c, int argc, char **argv);
/* feedbackctl preview (ctl_preview.c) and overview (ctl_overview.c) */
int ctl_preview(struct ctl *c, int argc, char **argv);
int ctl_overview(struct ctl *c, int argc, char **argv);

#endif
