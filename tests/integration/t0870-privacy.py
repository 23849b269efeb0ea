#!/usr/bin/python3
"""Privacy: `member export` gives all of a member's data as JSON; `member erase` and the
daemon's retention pass remove the personal texts from the database *file* (searched byte for
byte, WAL included), while counts, ratings and scores stay."""
import datetime
import json
import os
import sqlite3
import subprocess

from opslib import FBD, Scratch, Tap

t = Tap()
NOW = "2026-12-01T09:00"


def file_bytes(db):
    data = b""
    for suffix in ("", "-wal", "-journal"):
        if os.path.exists(db + suffix):
            with open(db + suffix, "rb") as f:
                data += f.read()
    return data


def leftovers(db, texts):
    data = file_bytes(db)
    return [x for x in texts if x.encode() in data]


with Scratch() as s:
    s.config()
    ctl = lambda *a: s.ctl("--now", NOW, *a)  # noqa: E731
    for args in (("program", "create", "p1", "--start", "2027-01-04"), ("team", "add", "p1", "north"),
                 ("member", "add", "north", "Jan Jansen-Uniek", "jan.uniek@example.nl"),
                 ("member", "add", "north", "Piet Pietersen-Uniek", "piet.uniek@example.nl"),
                 ("member", "add", "north", "Kees Keesen-Uniek", "kees.uniek@example.nl"),
                 ("member", "absent", "jan.uniek@example.nl", "--from", "2027-02-01", "--until",
                  "2027-02-05")):
        r = ctl(*args)
        t.ok(r.returncode == 0, "set up: %s" % " ".join(args[:2]), r.stderr)
    ids = {m["email"].split(".")[0]: m["id"] for m in json.loads(ctl("member", "list", "--json").stdout)}
    jan, piet, kees = ids["jan"], ids["piet"], ids["kees"]

    JAN = ["Jan Jansen-Uniek", "jan.uniek@example.nl", "JAN-GAF-bevestiging-4711", "JAN-GAF-kritiek-4712",
           "JAN-KREEG-tip-4713", "JAN-REACTIE-4714", "JAN-ANTWOORD-4715", "JAN-MAIL-IN-4716",
           "JAN-MAIL-UIT-4717", "JAN-VRAAG-4718"]
    PIET_KEES = ["Piet Pietersen-Uniek", "piet.uniek@example.nl", "PIET-AAN-KEES-4721",
                 "KEES-REACTIE-4722", "ONBEKEND-4723", "ACTIE-4724"]
    # Unclaimed mail from 2027-09-10: kept until 365 days later (2028-09-09).
    unclaimed_at = int(datetime.datetime(2027, 9, 10, tzinfo=datetime.timezone.utc).timestamp())
    c = sqlite3.connect(s.db, isolation_level=None)
    c.executescript("""
      INSERT INTO feedback (id, program_id, giver_id, receiver_id, confirmation, critique, suggestion, week, created_at)
        VALUES (1, 1, %(jan)d, %(piet)d, 'JAN-GAF-bevestiging-4711', 'JAN-GAF-kritiek-4712', NULL, 1, 0),
               (2, 1, %(piet)d, %(jan)d, NULL, NULL, 'JAN-KREEG-tip-4713', 1, 0),
               (3, 1, %(piet)d, %(kees)d, 'PIET-AAN-KEES-4721', NULL, NULL, 2, 0);
      INSERT INTO reaction (feedback_id, text, created_at) VALUES (2, 'JAN-REACTIE-4714', 0),
        (3, 'KEES-REACTIE-4722', 0);
      INSERT INTO feedback_request (program_id, asker_id, giver_id, topic, week, created_at)
        VALUES (1, %(jan)d, %(piet)d, 'JAN-VRAAG-4718', 1, 0);
      INSERT INTO facilitator (id, team_id, name, address, created_at) VALUES (1, 1, 'Fien', 'fien@example.nl', 0);
      INSERT INTO rating (feedback_id, facilitator_id, score, week, created_at) VALUES (1, 1, 4, 1, 0);
      INSERT INTO measurement (id, program_id, kind, opens_at, closes_at) VALUES (1, 1, 'baseline', 0, 1);
      INSERT INTO questionnaire (id, measurement_id, member_id, sent_at) VALUES (1, 1, %(jan)d, 0);
      INSERT INTO answer (questionnaire_id, question, score, text, created_at)
        VALUES (1, 1, 8, NULL, 0), (1, 2, NULL, 'JAN-ANTWOORD-4715', 0);
      INSERT INTO improvement_action (team_id, by_whom, term, text, created_at) VALUES (1, 'team', 'short', 'ACTIE-4724', 0);
      INSERT INTO inbox (sha256, source, received_at, size, raw, sender, subject, program_id, member_id)
        VALUES ('a1', 'maildir', 0, 10, CAST('From: jan.uniek@example.nl' || char(13,10,13,10) || 'JAN-MAIL-IN-4716' AS BLOB),
                'jan.uniek@example.nl', 'Re: feedback', 1, %(jan)d),
               ('a2', 'maildir', %(unclaimed_at)d, 10, CAST('ONBEKEND-4723' AS BLOB), 'stranger@example.org', 'hoi', NULL, NULL),
               ('a3', 'maildir', 0, 10, CAST('From: kees' || char(10,10) || 'KEES-REACTIE-4722' AS BLOB), 'kees.uniek@example.nl', 'x', 1, %(kees)d);
      INSERT INTO outbox (message_id, kind, sender, recipient, subject, next_attempt_at, program_id, member_id, created_at)
        VALUES ('<o1@x>', 'request', 'fb@example.nl', 'jan.uniek@example.nl', 'Vraag', 0, 1, %(jan)d, 0);
      INSERT INTO outbox_body (id, raw) VALUES (last_insert_rowid(), CAST('JAN-MAIL-UIT-4717' AS BLOB));
    """ % dict(jan=jan, piet=piet, kees=kees, unclaimed_at=unclaimed_at))
    c.close()

    r = ctl("member", "export", "jan.uniek@example.nl")
    t.ok(r.returncode == 0, "member export runs", r.stderr)
    doc = json.loads(r.stdout or "{}")
    text = r.stdout
    missing = [x for x in JAN if x not in text]
    t.ok(not missing, "the export holds every piece of Jan's data", "missing: %s" % missing)
    for key in ("member", "addresses", "absences", "feedback_given", "feedback_received", "requests",
                "answers", "attendance", "inbox", "outbox"):
        t.ok(key in doc, "the export has %s" % key)
    t.ok(len(doc.get("feedback_given", [])) == 1 and len(doc.get("feedback_received", [])) == 1,
         "feedback given and received, one each")
    t.ok("PIET-AAN-KEES-4721" not in text and "ONBEKEND-4723" not in text,
         "and nobody else's", text[:2000])

    r = ctl("member", "erase", "jan.uniek@example.nl")
    t.ok(r.returncode != 0 and "--yes" in r.stderr, "erase without --yes is refused", r.stderr)
    r = ctl("member", "erase", "jan.uniek@example.nl", "--yes")
    t.ok(r.returncode == 0, "member erase --yes runs: " + r.stdout.strip(), r.stderr)
    left = leftovers(s.db, JAN)
    t.ok(not left, "none of Jan's texts, name or address is left in the database file", left)
    left = leftovers(s.db, PIET_KEES)
    t.ok(len(left) == len(PIET_KEES), "the others' data is untouched", left)
    c = sqlite3.connect(s.db)
    q = lambda sql: c.execute(sql).fetchall()  # noqa: E731
    t.ok(q("SELECT count(*) FROM feedback") == [(3,)], "every feedback row is still counted")
    t.ok(q("SELECT score FROM rating") == [(4,)], "the rating stays")
    t.ok(q("SELECT score FROM answer WHERE question = 1") == [(8,)], "the answer score stays")
    t.ok(q("SELECT status, name FROM member WHERE id = %d" % jan) == [("erased", "erased member %d" % jan)],
         "the member row stays, erased and nameless")
    c.close()
    r = ctl("member", "export", str(jan))
    t.ok(not [x for x in JAN if x in r.stdout + r.stderr],
         "an export after the erase shows nothing personal", r.stdout[:1500] + r.stderr)
    for spec in (str(jan), "erased member %d" % jan):
        r = ctl("member", "export", spec)
        t.ok(r.returncode != 0 and r.stdout == "" and "member %d was erased" % jan in r.stderr
             and "nothing to export" in r.stderr,
             "export of an erased member (as \"%s\") is refused and says why" % spec,
             r.stdout[:500] + r.stderr)
    r = ctl("member", "export", "jan.uniek@example.nl")
    t.ok(r.returncode != 0 and r.stdout == "" and not [x for x in JAN[2:] if x in r.stderr],
         "by the old address: not found (the address itself is gone)", r.stderr)
    r = ctl("member", "erase", str(jan), "--yes")
    t.ok(r.returncode != 0 and "was erased" in r.stderr, "a second erase is refused as done", r.stderr)
    r = ctl("member", "export", str(piet))
    t.ok(r.returncode == 0 and "Piet Pietersen-Uniek" in r.stdout, "the others still export", r.stderr)

    # Retention: the programme ends at week 10 + 26 follow-up weeks (2027-09-13), kept 365 days.
    def once(now):
        return subprocess.run([FBD, "-c", s.conf, "--once", "--now", now], capture_output=True,
                              text=True)
    r = once("2028-09-01T09:00")
    t.ok(r.returncode == 0 and "retention" not in r.stderr, "before retention_days ran out nothing is purged",
         r.stderr)
    t.ok(len(leftovers(s.db, PIET_KEES)) == len(PIET_KEES), "the data is still there")
    r = once("2028-09-20T09:00")
    t.ok(r.returncode == 0 and "retention: purged" in r.stderr, "after it the daemon purges the programme",
         r.stderr)
    left = leftovers(s.db, PIET_KEES)
    t.ok(not left, "no personal text of the programme is left in the database file", left)
    c = sqlite3.connect(s.db)
    t.ok(c.execute("SELECT count(*), sum(week) FROM feedback").fetchone() == (3, 4),
         "the counts stay (3 feedback rows, weeks intact)")
    t.ok(c.execute("SELECT count(*) FROM member WHERE status = 'erased'").fetchone() == (3,),
         "all members are erased")
    c.close()
    r = once("2028-09-21T09:00")
    t.ok(r.returncode == 0 and "retention: purged" not in r.stderr, "a programme is purged once", r.stderr)
t.finish()
