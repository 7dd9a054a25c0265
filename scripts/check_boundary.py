#!/usr/bin/python3
"""The layering and C++/PostgreSQL boundary of migration_guard, checked on the source tree.

    /usr/bin/python3 scripts/check_boundary.py [SRC_DIR]

Prints one TAP line per check ("ok N - ..." / "not ok N - ...") and exits 1 on any failure.
What it enforces (docs/architecture.md, "The C++ / PostgreSQL boundary"):

1. Every PostgreSQL-facing file (src/pg, src/facts, src/state) includes pg/prelude.h first,
   so every PostgreSQL header is compiled inside extern "C"; no other file includes a
   PostgreSQL header directly.
2. Those files reach the rules layer through core/api.hpp alone.
3. Those files hold no C++ object with a destructor and raise no C++ exception: no
   std::string, std::vector, other containers, smart pointers, std::function, operator new,
   throw, try or catch (comments and string literals are not looked at).
4. src/core includes no PostgreSQL header and nothing outside src/core.
5. The folders depend one way: pg -> facts -> state -> core (pg may use state and core
   directly; facts and state may use pg/prelude.h and pg/compat.h, nothing else of pg).
6. No import circle between files: a file depends on the files whose headers it includes
   (x.h / x.hpp belongs to x.cpp in the same folder; facts/facts.h to every facts file).
"""
import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
SRC = os.path.normpath(SRC)
PG_DIRS = ("pg", "facts", "state")
ORDER = {"core": 0, "state": 1, "facts": 2, "pg": 3}
ALLOWED_PG_FROM_BELOW = {"pg/prelude.h", "pg/compat.h"}

FORBIDDEN = [
    (r"\bstd::(string|wstring|u8string)\b(?!_view)", "std::string"),
    (r"\bstd::(vector|deque|list|forward_list|map|multimap|set|multiset|unordered_map|unordered_set|array)\b",
     "a standard container"),
    (r"\bstd::(unique_ptr|shared_ptr|weak_ptr|make_unique|make_shared)\b", "a smart pointer"),
    (r"\bstd::(function|any|optional|variant|ostringstream|stringstream|istringstream)\b",
     "a standard library object with a destructor"),
    (r"(?<![\w.>])new\b\s*(\(|[A-Za-z_:])", "operator new"),
    (r"\bthrow\b", "throw"),
    (r"\btry\s*\{", "try"),
    (r"\bcatch\s*\(", "catch"),
]


def strip_comments_and_strings(text):
    """Source with comments, string and character literals blanked (line numbers kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + "\n" * text.count("\n", i, j) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def files():
    for folder in sorted(os.listdir(SRC)):
        d = os.path.join(SRC, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".cpp", ".h", ".hpp")):
                yield folder, name, os.path.join(d, name)


def includes(path):
    return re.findall(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', open(path, encoding="utf-8").read(), re.M)


def main():
    results = []

    def check(ok, what, problems):
        results.append((ok, what, problems))

    all_files = list(files())
    if not any(f == "pg" for f, _, _ in all_files):
        print("not ok 1 - no src/pg found under %s" % SRC)
        return 1
    pg_headers = set()
    for folder, name, path in all_files:
        for kind, inc in includes(path):
            if kind == '"' and not inc.startswith(("pg/", "facts/", "state/", "core/")) and "/" in inc or inc in (
                    "postgres.h", "fmgr.h", "funcapi.h", "miscadmin.h", "pgstat.h"):
                pg_headers.add(inc)

    # 1. prelude first
    bad = []
    for folder, name, path in all_files:
        if folder not in PG_DIRS or name in ("prelude.h", "compat.h"):
            continue
        incs = includes(path)
        if not incs or incs[0][1] != "pg/prelude.h":
            bad.append("%s/%s: first include is %s" % (folder, name, incs[0][1] if incs else "nothing"))
        for kind, inc in incs:
            if kind == '"' and inc in pg_headers:
                bad.append("%s/%s includes PostgreSQL's %s outside pg/prelude.h" % (folder, name, inc))
    check(not bad, "PostgreSQL-facing files include pg/prelude.h first, and PostgreSQL headers only through it",
          bad)

    # 2. core through api.hpp only
    bad = []
    for folder, name, path in all_files:
        if folder in PG_DIRS:
            for _, inc in includes(path):
                if inc.startswith("core/") and inc != "core/api.hpp":
                    bad.append("%s/%s includes %s" % (folder, name, inc))
    check(not bad, "PostgreSQL-facing files reach the rules layer through core/api.hpp alone", bad)

    # 3. nothing with a destructor, no exceptions
    bad = []
    for folder, name, path in all_files:
        if folder not in PG_DIRS:
            continue
        code = strip_comments_and_strings(open(path, encoding="utf-8").read())
        for lineno, line in enumerate(code.split("\n"), 1):
            for pattern, what in FORBIDDEN:
                if re.search(pattern, line):
                    bad.append("%s/%s:%d: %s" % (folder, name, lineno, what))
    check(not bad, "PostgreSQL-facing files hold no C++ object with a destructor and raise no exception", bad)

    # 4. core stays PostgreSQL-free and self-contained
    bad = []
    for folder, name, path in all_files:
        if folder != "core":
            continue
        for kind, inc in includes(path):
            if kind == '"' and not inc.startswith("core/"):
                bad.append("core/%s includes %s" % (name, inc))
    check(not bad, "src/core includes nothing from PostgreSQL or the other layers", bad)

    # 5. folders depend one way
    bad = []
    for folder, name, path in all_files:
        if folder not in ORDER:
            continue
        for kind, inc in includes(path):
            target = inc.split("/")[0] if "/" in inc else None
            if kind != '"' or target not in ORDER or target == folder:
                continue
            if inc in ALLOWED_PG_FROM_BELOW:
                continue
            if ORDER[target] > ORDER[folder]:
                bad.append("%s/%s includes %s (a layer above it)" % (folder, name, inc))
    check(not bad, "the folders depend one way: pg -> facts -> state -> core", bad)

    # 6. no file-level import circle
    owners = {}
    for folder, name, path in all_files:
        base = os.path.splitext(name)[0]
        if name.endswith((".h", ".hpp")):
            cpps = [n for f, n, _ in all_files if f == folder and os.path.splitext(n)[0] == base and n.endswith(".cpp")]
            owners["%s/%s" % (folder, name)] = ["%s/%s" % (folder, c) for c in cpps]
    graph = {}
    for folder, name, path in all_files:
        if not name.endswith(".cpp"):
            continue
        me = "%s/%s" % (folder, name)
        deps = set()
        seen, stack = set(), [path]
        while stack:  # headers include headers: follow them
            p = stack.pop()
            for kind, inc in includes(p):
                if kind != '"' or inc in seen or inc in ("pg/prelude.h", "pg/compat.h"):
                    continue
                seen.add(inc)
                hp = os.path.join(SRC, inc)
                if os.path.exists(hp):
                    stack.append(hp)
                    deps.update(o for o in owners.get(inc, []) if o != me)
        graph[me] = deps
    cycles = []
    state = {}

    def visit(node, path):
        state[node] = 1
        for d in sorted(graph.get(node, ())):
            if state.get(d) == 1:
                cyc = path[path.index(d):] + [d]
                cycles.append(" -> ".join(cyc))
            elif d not in state:
                visit(d, path + [d])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    check(not cycles, "no import circle between source files", cycles)

    failed = 0
    for i, (ok, what, problems) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
        for p in problems[:50]:
            print("#   " + p)
        failed += not ok
    print("# passed %d failed %d" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
