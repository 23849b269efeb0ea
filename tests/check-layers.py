#!/usr/bin/python3
"""check-layers — the layers of feedbackd, checked from the includes and the compiled objects.

    src/common -> src/core -> src/store -> src/mail, src/flow -> src/daemon, src/cli

Each layer may use what is below it, never what is above (docs/LAYERS.md). This script reads
every #include of src/ and include/, and the undefined symbols (nm -u) of the compiled objects
in the build tree, and reports each arrow that runs the wrong way:

  include    a file includes a header its layer may not see (the per-layer lists below)
  call       an object calls a function defined in a layer it may not use
  pure       a core object calls the file system, the clock, randomness, dynamic loading, the
             network, the environment or hides shared state behind a lock
  sql        SQL text (a string literal) or sqlite3_* calls outside src/store
  circle     an include circle between headers, or a call circle between files of one layer

Usage: tests/check-layers.py [--build DIR] [--root DIR]   (make check-layers builds first)
Exit status 0 when nothing is reported, 1 when something is, 2 when it cannot check.
"""
import os
import re
import subprocess
import sys

# ---- the layers ---------------------------------------------------------------------------------

# Lowest first. A source file's layer is its folder under src/.
LAYERS = ["common", "core", "store", "mail", "flow", "daemon", "cli"]

# The layers whose headers a file of each layer may include and whose functions it may call.
MAY_USE = {
    "common": {"common"},
    "core":   {"core"},                       # + CORE_MAY_USE_FROM_COMMON
    "store":  {"common", "store"},            # + STORE_MAY_INCLUDE_FROM_CORE
    "mail":   {"common", "core", "mail"},
    "flow":   {"common", "core", "store", "mail", "flow"},
    "daemon": {"common", "core", "store", "mail", "flow", "daemon"},
    "cli":    {"common", "core", "store", "mail", "flow", "cli"},
}

# The core is pure: of src/common it sees only the buffer and error types (no config, no log,
# no built-in files: those are the shell's to read and hand in).
CORE_MAY_USE_FROM_COMMON = {"banned.h", "buf.h", "fberror.h", "buf", "fberror"}

# The store fills the core's plain structs (rows in, rows out) but takes no decision: it may
# include these core headers for their types ...
STORE_MAY_INCLUDE_FROM_CORE = {"domain.h", "bounce.h", "report.h", "report_progress.h", "fbtime.h"}
# ... and of the core's functions only the calendar arithmetic of fbtime (a date in a row is a
# value, not a decision).
STORE_MAY_CALL_FROM_CORE = {"fbtime"}

# Where a header in include/ belongs when no src/<layer>/<stem>.c says so (a header whose stem
# matches a source file belongs to that file's layer). A new header without a source file of
# its name must be added here.
HEADER_LAYER = {
    "banned.h": "common",
    "domain.h": "core",
    "itip.h": "core",
    "store.h": "store",
    "queue.h": "store",
    "privacy.h": "store",
    "ctl.h": "cli",
    "oauth.h": "mail",          # src/mail/oauth.c (the token source) comes with #22
}

# What a core object must not call: the outside world belongs to the shell, which passes the
# bytes, the time and the random bytes in. (_chk and 64 variants are folded onto these names.)
CORE_FORBIDDEN = {
    "the file system": """open openat creat close read pread readv write pwrite writev lseek
        fopen fdopen freopen fclose fread fwrite fgets fgetc getc getline getdelim fputs fputc
        putc puts putchar printf fprintf vprintf vfprintf dprintf fflush fseek ftell rewind
        stat fstat lstat fstatat statx __xstat __fxstat __lxstat access faccessat
        opendir fdopendir readdir closedir scandir mkdir mkdirat rmdir unlink unlinkat rename
        renameat remove mkstemp mkostemp tmpfile realpath chdir getcwd readlink fsync fdatasync
        ftruncate truncate mmap munmap dup dup2 pipe fcntl ioctl flock
        buf_read_file""",
    "the clock": """time clock_gettime gettimeofday clock ftime localtime localtime_r mktime
        tzset ctime ctime_r timelocal sleep usleep nanosleep""",
    "randomness": """getrandom getentropy rand rand_r random srand srandom drand48 lrand48
        mrand48 arc4random arc4random_buf RAND_bytes gnutls_rnd""",
    "dynamic loading": "dlopen dlsym dlvsym dlclose dladdr dlerror",
    "the network": """socket connect bind listen accept accept4 send sendto sendmsg recv
        recvfrom recvmsg getaddrinfo freeaddrinfo gethostbyname getnameinfo poll ppoll select
        pselect epoll_create epoll_create1 epoll_ctl epoll_wait shutdown""",
    "the environment and processes": """getenv secure_getenv setenv unsetenv putenv system
        popen pclose fork vfork execv execve execvp execl execlp waitpid kill raise signal
        sigaction getpid getuid""",
    "shared state behind a lock": """pthread_mutex_lock pthread_mutex_unlock pthread_once
        pthread_rwlock_rdlock pthread_rwlock_wrlock pthread_spin_lock""",
}

# SQL is the store's alone.
SQL_LAYER = "store"
SQL_RE = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bSELECT\s+(?:count|COUNT|max|MAX|min|MIN|sum|SUM)\s*\("
    r"|\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\b|\bREPLACE\s+INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\bCREATE\s+(?:TABLE|INDEX|UNIQUE|TRIGGER|VIEW|TEMP)\b"
    r"|\bDROP\s+(?:TABLE|INDEX|TRIGGER|VIEW)\b|\bALTER\s+TABLE\b|\bPRAGMA\s+\w+"
    r"|\bBEGIN\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)\b|\bCOMMIT\b|\bROLLBACK\b"
    r"|\bVACUUM\b|\bATTACH\s+DATABASE\b")

# ==== TEMPORARY (issue 21) =======================================================================
# Arrows known to be wrong and being fixed on another branch of issue 21. Each entry is
# (rule, file, what) exactly as reported; an entry here is reported as "allowed (issue 21)" and
# does not fail the check. Empty: every violation fails. Remove entries as their fix lands.
TEMPORARY_ALLOW = set()
# =================================================================================================

HINT = {
    "include": {
        "core": "the core is pure: take the values as parameters or a core-side struct "
                "(include/domain.h for the domain's structs) and let flow/daemon/cli read them",
        "store": "the store only stores: keep the decision in src/flow or src/core and hand "
                 "the store plain rows (include/domain.h)",
        None: "move the code down to a layer that may see it, or pass what it needs in",
    },
    "call": {
        "core": "the core calls only the core, buf and fberror: let the shell call it and "
                "pass the result in",
        "store": "the store takes no decisions: call the core from src/flow and hand the "
                 "store the result",
        None: "arrows run downwards only: move the function down, or turn the call around",
    },
    "pure": "do it in the shell (src/flow, src/daemon, src/cli or a src/common helper) and "
            "pass the bytes, the time or the random bytes in",
    "sql": "put the statement in a store function (src/store/store_*.c) and call that",
    "circle": "break the circle: move what both sides share into a file of its own that both "
              "call, so the arrows run one way",
}


class Report:
    def __init__(self):
        self.items = []
        self.allowed = []

    def add(self, rule, path, line, what, hint):
        key = (rule, path, what)
        loc = "%s:%d" % (path, line) if line else path
        msg = "%s: %s: %s\n    -> %s" % (loc, rule, what, hint)
        if key in TEMPORARY_ALLOW:
            self.allowed.append(msg)
        else:
            self.items.append(msg)


# ---- reading the tree -----------------------------------------------------------------------------

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of_source(path):
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == "src" and parts[1] in MAY_USE:
        return parts[1]
    return None


def sources(root):
    out = []
    for layer in LAYERS:
        d = os.path.join(root, "src", layer)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                out.append("src/%s/%s" % (layer, name))
    return out


def header_layers(root, srcs, report):
    """The layer of every header: include/<h> and the layers' private src/<layer>/<h>."""
    stem_layer = {}
    for s in srcs:
        if s.endswith(".c"):
            stem_layer.setdefault(os.path.basename(s)[:-2], layer_of_source(s))
    layers = {}
    for name in sorted(os.listdir(os.path.join(root, "include"))):
        if not name.endswith(".h"):
            continue
        stem = name[:-2]
        if name in HEADER_LAYER:
            layers[name] = HEADER_LAYER[name]
        elif stem in stem_layer:
            layers[name] = stem_layer[stem]
        else:
            report.add("include", "include/" + name, 0, "no layer known for this header",
                       "name it after its source file or add it to HEADER_LAYER in "
                       "tests/check-layers.py")
    return layers


def includes(root, path):
    out = []
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE_RE.match(line)
            if m:
                out.append((n, m.group(1)))
    return out


def may_include(layer, header, hlayer):
    if hlayer in MAY_USE[layer]:
        return True
    if layer == "core" and header in CORE_MAY_USE_FROM_COMMON:
        return True
    if layer == "store" and header in STORE_MAY_INCLUDE_FROM_CORE:
        return True
    return False


def check_includes(root, srcs, hlayer, report):
    files = [(s, layer_of_source(s)) for s in srcs]
    files += [("include/" + h, l) for h, l in sorted(hlayer.items())]
    graph = {}
    for path, layer in files:
        local_dir = os.path.dirname(path)
        for line, inc in includes(root, path):
            if os.path.exists(os.path.join(root, local_dir, inc)) and path.startswith("src/"):
                target, tl = os.path.join(local_dir, inc), layer   # a layer's private header
            elif inc in hlayer:
                target, tl = "include/" + inc, hlayer[inc]
            else:
                continue    # generated or outside the tree
            if path.endswith(".h"):
                graph.setdefault(path, set()).add(target)
            if not may_include(layer, inc, tl):
                report.add("include", path, line,
                           "%s (%s) includes %s (%s)" % (os.path.basename(path), layer, inc, tl),
                           HINT["include"].get(layer, HINT["include"][None]))
    for cyc in circles(graph):
        report.add("circle", cyc[0], 0, "include circle among " + ", ".join(cyc),
                   HINT["circle"])


# ---- objects --------------------------------------------------------------------------------------

def nm(path, undefined):
    args = ["nm", "-u" if undefined else "--defined-only", path]
    try:
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.stderr.write("check-layers: %s: %s\n" % (" ".join(args), e))
        sys.exit(2)
    syms = set()
    for line in out.splitlines():
        f = line.split()
        if not f:
            continue
        if undefined:
            syms.add(f[-1])
        elif len(f) >= 3 and f[1] in "TDBRCVW":  # global definitions only
            syms.add(f[2])
    return syms


def fold(sym):
    """__read_chk -> read, stat64 -> stat, __isoc99_sscanf -> sscanf."""
    sym = sym.split("@")[0]
    m = re.match(r"^__(\w+)_chk$", sym)
    if m:
        sym = m.group(1)
    sym = re.sub(r"^__isoc\d+_", "", sym)
    if sym.endswith("64") and not sym.startswith("__"):
        sym = sym[:-2]
    return sym


def first_line(root, src, sym):
    pat = re.compile(r"\b%s\s*\(" % re.escape(sym))
    try:
        with open(os.path.join(root, src), encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if pat.search(line) and not line.lstrip().startswith(("*", "/*", "//")):
                    return n
    except OSError:
        pass
    return 0


def check_objects(root, build, srcs, report):
    objs = {}
    for s in srcs:
        if s.endswith(".c"):
            o = os.path.join(build, s[:-2] + ".o")
            if not os.path.exists(o):
                # libesmtp's SASL plugins (src/mail/sasl-*.c) are built apart, as PIC objects
                o = os.path.join(build, "plugins", s[:-2] + ".o")
            if not os.path.exists(o):
                sys.stderr.write("check-layers: %s is missing: build first (make check-layers)\n" % o)
                sys.exit(2)
            objs[s] = o
    defined = {}
    for s, o in objs.items():
        for sym in nm(o, False):
            defined.setdefault(sym, s)
    forbidden = {}
    for what, names in CORE_FORBIDDEN.items():
        for n in names.split():
            forbidden[n] = what
    calls = {}
    for s, o in objs.items():
        layer = layer_of_source(s)
        stem = os.path.basename(s)[:-2]
        upward, sql = {}, []
        for sym in sorted(nm(o, True)):
            if layer == "core" and fold(sym) in forbidden:
                report.add("pure", s, first_line(root, s, sym),
                           "%s (core) calls %s (%s)" % (stem, sym, forbidden[fold(sym)]),
                           HINT["pure"])
                continue
            if sym in defined:
                target = defined[sym]
                tl = layer_of_source(target)
                tstem = os.path.basename(target)[:-2]
                if tl == layer:
                    calls.setdefault(s, set()).add(target)
                elif not (tl in MAY_USE[layer]
                          or (layer == "core" and tstem in CORE_MAY_USE_FROM_COMMON)
                          or (layer == "store" and tstem in STORE_MAY_CALL_FROM_CORE)):
                    upward.setdefault(target, []).append(sym)
            elif sym.startswith("sqlite3_") and layer != SQL_LAYER:
                sql.append(sym)
        for target, syms in sorted(upward.items()):
            report.add("call", s, first_line(root, s, syms[0]),
                       "%s (%s) calls %s, defined in %s (%s)" % (
                           stem, layer, ", ".join(syms), target, layer_of_source(target)),
                       HINT["call"].get(layer, HINT["call"][None]))
        if sql:
            report.add("sql", s, first_line(root, s, sql[0]),
                       "%s (%s) calls %s" % (stem, layer, ", ".join(sql)), HINT["sql"])
    for layer in LAYERS:
        graph = {s: {t for t in ts} for s, ts in calls.items() if layer_of_source(s) == layer}
        for cyc in circles(graph):
            report.add("circle", cyc[0], 0,
                       "call circle in %s among %s (each reaches the others)" % (
                           layer, ", ".join(os.path.basename(c) for c in cyc)),
                       HINT["circle"])


# ---- SQL in string literals -------------------------------------------------------------------------

def literals(text):
    """The string literals of C text as (line, value), adjacent ones joined."""
    out = []
    i, n, line = 0, len(text), 1
    cur, cur_line, last_end = None, 0, -1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            s = text[i + 1:j]
            if cur is not None and text[last_end:i].strip() == "":
                cur += s
            else:
                if cur is not None:
                    out.append((cur_line, cur))
                cur, cur_line = s, line
            line += text.count("\n", i, j)
            i = last_end = j + 1
        else:
            i += 1
    if cur is not None:
        out.append((cur_line, cur))
    return out


def check_sql(root, srcs, report):
    for s in srcs:
        if layer_of_source(s) == SQL_LAYER:
            continue
        with open(os.path.join(root, s), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for line, lit in literals(text):
            m = SQL_RE.search(lit)
            if m:
                report.add("sql", s, line, "SQL in a string literal: \"%s\"" %
                           m.group(0)[:60].replace("\n", " "), HINT["sql"])


# ---- circles (Tarjan's strongly connected components) --------------------------------------------------

def circles(graph):
    index, low, onstack, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        onstack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in onstack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                onstack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(argv):
    root, build = ".", "build"
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--build" and args:
            build = args.pop(0)
        elif a == "--root" and args:
            root = args.pop(0)
        else:
            sys.stderr.write(__doc__)
            return 2
    report = Report()
    srcs = sources(root)
    hlayer = header_layers(root, srcs, report)
    check_includes(root, srcs, hlayer, report)
    check_objects(root, os.path.join(root, build) if not os.path.isabs(build) else build,
                  srcs, report)
    check_sql(root, srcs, report)
    for msg in report.allowed:
        print("allowed (issue 21): " + msg)
    for msg in report.items:
        print(msg)
    if report.items:
        print("check-layers: %d violation(s) of the layers (docs/LAYERS.md)" % len(report.items))
        return 1
    print("check-layers: ok (%d files; %d temporarily allowed)" % (len(srcs), len(report.allowed)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
