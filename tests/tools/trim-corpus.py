#!/usr/bin/python3
"""Score trim_reply() against the reply corpus.

usage: /usr/bin/python3 tests/tools/trim-corpus.py [-q] [--tool build/tools/trimtool] [DIR...]

For every DIR/<case>.eml with a DIR/<case>.expected.txt: Python's `email` pulls out the
text/plain body (only that: MIME is not what is measured here), CRLF becomes LF, the text goes
through the trimtool, and the result is compared with the expected text, ignoring trailing
white space on each line and blank lines at the start and end (the corpus README's rule).
Prints one TAP line per case, the differences of the cases that failed (unless -q) and the
score "trim corpus: N/M exact". Exits non-zero when the score is under 95 %.
"""
import difflib
import email
import email.policy
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def normalise(text):
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def body_of(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    return part.get_content().replace("\r\n", "\n")


def main(argv):
    quiet = False
    tool = os.path.join(TOP, os.environ.get("BUILD", "build"), "tools", "trimtool")
    dirs = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "-q":
            quiet = True
        elif a == "--tool":
            tool = args.pop(0)
        else:
            dirs.append(a)
    if not dirs:
        dirs = [os.path.join(TOP, "tests", "corpus", "discourse-trimmer")]
    total = exact = 0
    diffs = []
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if not name.endswith(".eml"):
                continue
            case = name[:-4]
            expected_path = os.path.join(d, case + ".expected.txt")
            if not os.path.exists(expected_path):
                continue
            total += 1
            body = body_of(os.path.join(d, name))
            run = subprocess.run([tool], input=body.encode("utf-8", "surrogateescape"),
                                 capture_output=True, check=False)
            got = normalise(run.stdout.decode("utf-8", "replace"))
            with open(expected_path, encoding="utf-8") as f:
                want = normalise(f.read())
            if run.returncode == 0 and got == want:
                exact += 1
                print("ok - trim %s" % case)
            else:
                print("not ok - trim %s" % case)
                diffs.append((case, list(difflib.unified_diff(
                    want, got, "expected", "trimmed", lineterm=""))))
    if not quiet:
        for case, diff in diffs:
            print("# --- %s" % case)
            for line in diff:
                print("#   " + line)
    print("# trim corpus: %d/%d exact" % (exact, total))
    return 0 if total and exact * 100 >= total * 95 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
