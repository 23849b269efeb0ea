/*
 * dryrun — `feedbackd --once --dry-run`: one pass of the daemon that changes nothing, and a
 * list of what it would have done.
 *
 * How nothing changes: the pass runs on a copy of the database (db_snapshot.h: SQLite's
 * backup API from a read-only connection, so the real file is not even opened for writing),
 * the same code as a real pass from there on — the receive, apply, scheduler and send passes
 * of daemon.h, with the configuration's mailbox and limits — with two drivers swapped:
 *   - the transport lists: every message the send pass hands it is "accepted" and nothing
 *     leaves (no SMTP session, nothing in an outgoing Maildir);
 *   - the mailbox reads and never marks: opened read-only (IMAP: EXAMINE, so not even
 *     \Recent is taken; fetched with BODY.PEEK, so no \Seen), mark_done and remove do
 *     nothing, and the processed folder is not created. The messages read are stored in the
 *     copy only.
 * Running the real code on a copy was chosen over a "dry" flag threaded through every pass:
 * such a flag would have to be honoured in every place that writes, for ever, and a place that
 * forgot it would write for real; a copy cannot leak, and what the list shows is what the
 * real pass decides, the daily cap, batch sizes and retries included.
 * What can still differ from the real pass that follows: replies that arrive in between, and
 * the reply tokens (made afresh by each pass).
 *
 * Afterwards the copy is compared with what was there before: the inbox messages the pass
 * read or applied (with what became of each) and the outbox rows it sent or queued.
 */
#ifndef FB_DRYRUN_H
#define FB_DRYRUN_H

#include <stdio.h>

#include "config.h"
#include "db.h"
#include "fberror.h"
#include "mailbox.h"
#include "transport.h"

struct dryrun;

/*
 * Copy the database at path into a temporary file ($TMPDIR, else /tmp), open the copy (and
 * migrate it when the schema is older: the copy, not the file) into *db, and note where the
 * queues stand. NULL with err; free with dryrun_close().
 */
struct dryrun *dryrun_open(const char *path, struct db **db, struct fb_error *err);

/* The listing transport (nothing leaves). */
const struct transport_driver *dryrun_transport(void);
/* real, but with mark_done and remove doing nothing. */
const struct mailbox_driver *dryrun_mailbox(const struct mailbox_driver *real);

/* What the pass did to the copy, listed on out: times in tz. 0, or -1 with err. */
int dryrun_report(struct dryrun *d, struct db *db, const char *tz, FILE *out,
    struct fb_error *err);

/* Close db and remove the copy. NULL is fine. */
void dryrun_close(struct dryrun *d, struct db *db);

#endif
