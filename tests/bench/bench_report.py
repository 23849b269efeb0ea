#!/usr/bin/python3
"""Benchmark: all weekly reports of one week for 1,000 teams x 12 members with a year of
feedback (~1M feedback rows), by `feedbackctl report weekly PROGRAM` (C: grouped queries from
covering indexes, compute, render text) against a peer: a Python script running the same
weekly-report SQL on the same database and building the same per-member table and lagging list.
Not a timed test: it prints figures and ratios (tests/bench convention).

The database is made by the binaries (`feedbackctl program create`, so the schema and its
migrations are the real ones) and then filled straight into SQLite by this script.

usage: /usr/bin/python3 tests/bench/bench_report.py [TEAMS [WEEK]]     (1000 30)
"""
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
FBCTL = os.path.join(BUILD, "feedbackctl")
TEAMS = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
WEEK = int(sys.argv[2]) if len(sys.argv) > 2 else 30
MEMBERS = 12
WEEKS = 52

PEER = r'''
import sqlite3, sys
from statistics import median
db, program, week, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(db)
teams = {tid: {"name": n, "members": []} for tid, n in
         c.execute("SELECT id, name FROM team WHERE program_id = ? ORDER BY id", (program,))}
members = {}
for mid, tid, name, unreach in c.execute(
        "SELECT m.id, m.team_id, m.name, EXISTS (SELECT 1 FROM member_address a WHERE "
        "a.member_id = m.id AND a.is_primary = 1 AND a.undeliverable_at IS NOT NULL) FROM member m "
        "JOIN team t ON t.id = m.team_id WHERE t.program_id = ? AND m.status = 'active' "
        "ORDER BY m.team_id, m.name, m.id", (program,)):
    m = {"id": mid, "name": name, "unreachable": unreach, "g": [0] * 53, "r": [0] * 53,
         "q": [0] * 53, "away": False, "reminded": 0}
    members[mid] = m
    teams[tid]["members"].append(m)
for key, sql in (("g", "SELECT giver_id, week, count(*) FROM feedback INDEXED BY feedback_report_giver WHERE program_id = ? AND "
                       "is_followup = 0 AND week BETWEEN 1 AND ? GROUP BY giver_id, week"),
                 ("r", "SELECT receiver_id, week, count(*) FROM feedback INDEXED BY feedback_report_receiver WHERE program_id = ? AND "
                       "is_followup = 0 AND week BETWEEN 1 AND ? GROUP BY receiver_id, week"),
                 ("q", "SELECT asker_id, week, count(*) FROM feedback_request INDEXED BY feedback_request_report WHERE program_id = ? "
                       "AND week BETWEEN 1 AND ? GROUP BY asker_id, week")):
    for mid, w, n in c.execute(sql, (program, week)):
        if mid in members:
            members[mid][key][w] = n
wk_from, wk_until = c.execute("SELECT date(start_date, ?), date(start_date, ?) FROM program "
                              "WHERE id = ?", ("+%d days" % (7 * (week - 1)),
                              "+%d days" % (7 * week - 1), program)).fetchone()
for mid, f, u in c.execute("SELECT a.member_id, a.from_date, a.until_date FROM absence a JOIN "
                           "member m ON m.id = a.member_id JOIN team t ON t.id = m.team_id "
                           "WHERE t.program_id = ?", (program,)):
    if mid in members and f <= wk_until and u >= wk_from:
        members[mid]["away"] = True
for mid, n in c.execute("SELECT q.member_id, count(*) FROM questionnaire q JOIN measurement ms "
                        "ON ms.id = q.measurement_id WHERE ms.program_id = ? AND ms.opens_at <= ? "
                        "AND ms.closes_at > ? AND q.completed_at IS NULL AND q.reminders >= 1 "
                        "GROUP BY q.member_id", (program, now, now)):
    if mid in members:
        members[mid]["reminded"] = n
extra = list(c.execute("SELECT m.team_id, ms.kind, count(*), count(q.completed_at) FROM "
                       "questionnaire q JOIN measurement ms ON ms.id = q.measurement_id JOIN member m "
                       "ON m.id = q.member_id WHERE ms.program_id = ? AND ms.opens_at <= ? AND "
                       "ms.closes_at > ? GROUP BY m.team_id, ms.id", (program, now, now)))
extra += list(c.execute("SELECT m.team_id, s.kind, sum(a.partstat = 'ACCEPTED'), "
                        "sum(a.partstat = 'DECLINED') FROM session s JOIN attendee a ON "
                        "a.session_id = s.id AND a.removed = 0 JOIN member m ON m.id = a.member_id "
                        "WHERE s.program_id = ? AND s.starts_at > ? GROUP BY m.team_id, s.id",
                        (program, now)))
out = []
lagging = 0
for t in teams.values():
    act = lambda m: sum(m["g"][1:week + 1]) + sum(m["r"][1:week + 1]) + sum(m["q"][1:week + 1])
    present = [act(m) for m in t["members"] if not m["away"] and not m["unreachable"]]
    med = median(present) if present else 0
    out.append("Weekly report - team %s, week %d" % (t["name"], week))
    for m in t["members"]:
        why = []
        if not m["unreachable"] and not m["away"]:
            if m["g"][week] == 0:
                why.append("gave no feedback")
            if week >= 2 and sum(m["q"][1:week + 1]) == 0:
                why.append("never requested feedback")
            if med > 0 and act(m) * 100 < med * 50:
                why.append("well below the team's median")
            if m["reminded"]:
                why.append("questionnaire unanswered after a reminder")
        lagging += bool(why)
        out.append("%-20s %3d (%4d) %3d (%4d) %3d (%4d) %s" % (
            m["name"], m["g"][week], sum(m["g"][1:week + 1]), m["r"][week], sum(m["r"][1:week + 1]),
            m["q"][week], sum(m["q"][1:week + 1]), "; ".join(why)))
sys.stdout.write("\n".join(out) + "\n")
sys.stderr.write("lagging %d\n" % lagging)
'''


def fill(db, seed=7):
    """1,000 teams x 12 members, a year of feedback, requests, absences, one open measurement
    and a coming session with RSVPs, straight into the schema the binaries made."""
    rnd = random.Random(seed)
    c = sqlite3.connect(db)
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("PRAGMA synchronous = OFF")
    pid = c.execute("SELECT id FROM program WHERE name = 'Bench'").fetchone()[0]
    start = int(time.mktime((2026, 1, 5, 0, 0, 0, 0, 0, -1)))
    now = start + (WEEK * 7 + 1) * 86400
    with c:
        c.executemany("INSERT INTO team (id, program_id, name, created_at) VALUES (?, ?, ?, 0)",
                      [(t + 1, pid, "Team %04d" % (t + 1)) for t in range(TEAMS)])
        members = []
        for t in range(TEAMS):
            for m in range(MEMBERS):
                members.append((t * MEMBERS + m + 1, t + 1, "Lid %d van team %d" % (m + 1, t + 1)))
        c.executemany("INSERT INTO member (id, team_id, name, created_at) VALUES (?, ?, ?, 0)",
                      members)
        c.executemany("INSERT INTO member_address (member_id, program_id, address, is_primary, "
                      "undeliverable_at) VALUES (?, ?, ?, 1, ?)",
                      [(mid, pid, "m%d@example.org" % mid, 1 if mid % 97 == 0 else None)
                       for mid, _, _ in members])
        fb, rq = [], []
        fid = 0
        for mid, tid, _ in members:
            base = (tid - 1) * MEMBERS + 1
            habit = rnd.random()
            for w in range(1, WEEKS + 1):
                n = 0 if habit < 0.1 and w > 3 else rnd.choice((1, 1, 2, 2, 2))
                for _ in range(n):
                    fid += 1
                    to = base + rnd.randrange(MEMBERS)
                    fb.append((fid, pid, mid, to if to != mid else base + (mid - base + 1) % MEMBERS,
                               "Goed gedaan in het overleg.", "Iets korter graag.",
                               "Probeer een samenvatting vooraf.", w, 1 if rnd.random() < 0.02 else 0))
                if rnd.random() < 0.5 and habit >= 0.2:
                    rq.append((pid, mid, base + (mid - base + 1) % MEMBERS, w))
        c.executemany("INSERT INTO feedback (id, program_id, giver_id, receiver_id, confirmation, "
                      "critique, suggestion, week, is_followup, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", fb)
        c.executemany("INSERT INTO feedback_request (program_id, asker_id, giver_id, week, "
                      "created_at) VALUES (?, ?, ?, ?, 0)", rq)
        c.executemany("INSERT INTO absence (member_id, from_date, until_date, source, created_at) "
                      "VALUES (?, '2026-07-27', '2026-08-14', 'out-of-office', 0)",
                      [(mid,) for mid, _, _ in members if mid % 13 == 0])
        c.execute("INSERT INTO measurement (id, program_id, kind, opens_at, closes_at) "
                  "VALUES (1, ?, 'midterm', ?, ?)", (pid, now - 5 * 86400, now + 9 * 86400))
        c.executemany("INSERT INTO questionnaire (measurement_id, member_id, sent_at, reminders, "
                      "completed_at) VALUES (1, ?, 0, ?, ?)",
                      [(mid, 1, None if mid % 5 == 0 else now - 86400) for mid, _, _ in members])
        c.execute("INSERT INTO session (id, program_id, kind, uid, starts_at, duration_min, "
                  "created_at, updated_at) VALUES (1, ?, 'progress', 'u1', ?, 60, 0, 0)",
                  (pid, now + 3 * 86400))
        c.executemany("INSERT INTO attendee (session_id, member_id, address, partstat) "
                      "VALUES (1, ?, ?, ?)",
                      [(mid, "m%d@example.org" % mid, ("ACCEPTED", "DECLINED", "NEEDS-ACTION")[mid % 3])
                       for mid, _, _ in members])
    c.execute("ANALYZE")
    c.close()
    return pid, len(fb), now


def run_rss(argv):
    """Run argv with /usr/bin/time-free peak RSS: fork, exec, wait4 for its own rusage."""
    t0 = time.monotonic()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    os.close(w)
    size = 0
    while True:
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        size += len(chunk)
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    dt = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("%s failed with status %d" % (argv[0], os.waitstatus_to_exitcode(status)))
    return dt, ru.ru_maxrss / 1024.0, size


def main():
    if not os.access(FBCTL, os.X_OK):
        raise SystemExit("no %s: run make tests-build first" % FBCTL)
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "fb.db")
        conf = os.path.join(tmp, "f.conf")
        with open(conf, "w") as f:
            f.write("[feedbackd]\ndatabase = %s\n" % db)
        subprocess.run([FBCTL, "-c", conf, "--now", "2026-01-01T12:00", "program", "create", "Bench",
                        "--start", "2026-01-05", "--weeks", str(WEEKS), "--language", "en"],
                       check=True, capture_output=True)
        t0 = time.monotonic()
        pid, nfb, now = fill(db)
        print("database: %d teams x %d members, %d feedback rows, %.1f s to generate"
              % (TEAMS, MEMBERS, nfb, time.monotonic() - t0))
        nowiso = time.strftime("%Y-%m-%dT%H:%M", time.localtime(now))
        c_argv = [FBCTL, "-c", conf, "--now", nowiso, "report", "weekly", "Bench", "--week", str(WEEK)]
        p_argv = [sys.executable, "-c", PEER, db, str(pid), str(WEEK), str(now)]
        best = {}
        for name, argv in (("c", c_argv), ("py", p_argv), ("c_csv", c_argv + ["--format", "csv"]),
                           ("c_html", c_argv + ["--format", "html"])):
            runs = [run_rss(argv) for _ in range(3)]
            best[name] = min(runs, key=lambda x: x[0])
            print("%-8s best of 3: %.3f s, peak RSS %.1f MiB, %d bytes out"
                  % (name, best[name][0], best[name][1], best[name][2]))
        c_s, c_rss, _ = best["c"]
        p_s, p_rss, _ = best["py"]
        print("BENCH|all weekly reports, %d teams x %d, %d feedback rows (text)|%.3f|s|"
              "python sqlite3, same SQL|%.3f|%.1fx faster|< 2 s"
              % (TEAMS, MEMBERS, nfb, c_s, p_s, p_s / c_s))
        print("BENCH|peak RSS, all weekly reports, %d teams|%.1f|MiB|python sqlite3, same SQL|%.1f|"
              "%.2fx|< 100 MiB" % (TEAMS, c_rss, p_rss, c_rss / p_rss))
        print("BENCH|all weekly reports, %d teams (HTML)|%.3f|s|python sqlite3, same SQL (text)|%.3f|"
              "%.1fx faster|< 2 s" % (TEAMS, best["c_html"][0], p_s, p_s / best["c_html"][0]))
        print("BENCH|all weekly reports, %d teams (CSV)|%.3f|s|python sqlite3, same SQL (text)|%.3f|"
              "%.1fx faster|< 2 s" % (TEAMS, best["c_csv"][0], p_s, p_s / best["c_csv"][0]))


if __name__ == "__main__":
    main()
