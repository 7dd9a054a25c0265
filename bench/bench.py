#!/usr/bin/env python3
"""Workload generators and result arithmetic for bench/run.sh. Not run on its own.

  bench.py ordinary-setup ROWS          the 100k-row table (run without measuring)
  bench.py ordinary SELECTS UPDATES INSERTS ROWS
  bench.py ddl STATEMENTS [own]         a migration on new or small tables; with "own", every
                                        statement in its own transaction (issue 13's workload)
  bench.py refusal-setup SMALL_MB BIG_MB
  bench.py refusal TABLE COUNT          COUNT refused CREATE INDEX on TABLE
  bench.py advisor-setup                the tables the advisor workload names
  bench.py advisor STATEMENTS           the migration file for check() and squawk
  bench.py callgrind-total FILE         instructions counted in a callgrind output file
  bench.py callgrind-inclusive FILE NAME...  summed inclusive instructions of those functions
  bench.py psql-times FILE              median and quartiles of psql's "Time: x ms" lines
  bench.py pairs FILE                   median, min and max of the ratios of paired figures
  bench.py report RESULTS.env RESULTS.md [--smoke]

Every workload is one statement per line: postgres --single ends a statement at a newline.
Generators are deterministic (fixed seed), so a re-run judges the same text.
"""
import os
import random
import re
import statistics
import sys

# ---------------------------------------------------------------- 1. ordinary traffic


def ordinary_setup(rows):
    return [
        "CREATE TABLE acc (id int PRIMARY KEY, v int NOT NULL, pad text);",
        f"INSERT INTO acc SELECT g, g, md5(g::text) FROM generate_series(1, {rows}) g;",
        "VACUUM ANALYZE acc;",
        "CHECKPOINT;",
    ]


def ordinary(selects, updates, inserts, rows):
    rnd = random.Random(1)
    lines = [f"SELECT v, pad FROM acc WHERE id = {rnd.randint(1, rows)};" for _ in range(selects)]
    lines += [f"UPDATE acc SET v = v + 1 WHERE id = {rnd.randint(1, rows)};" for _ in range(updates)]
    lines += [f"INSERT INTO acc VALUES ({rows + 1 + i}, {i}, 'new');" for i in range(inserts)]
    # interleave deterministically, so that no statement kind runs only on a warm or cold cache
    rnd.shuffle(lines)
    return lines


# ---------------------------------------------------------------- 2. DDL on new or small tables


def ddl(statements, own=False):
    """Groups of five DDL statements on one table: every other group inside BEGIN ... COMMIT
    (the table is new), the others one statement per transaction (the table is small). With
    own, no group has a BEGIN: every statement runs in its own transaction, so every table is
    an existing one by its second statement (the workload of issue 13)."""
    lines = []
    n = 0
    g = 0
    while n < statements:
        t = f"m{g}"
        group = [
            f"CREATE TABLE {t} (id bigint CONSTRAINT {t}_pkey PRIMARY KEY, a int CONSTRAINT {t}_a_check CHECK (a > 0), "
            f"b text, c timestamptz, CONSTRAINT {t}_b_key UNIQUE (b));",
            f"CREATE INDEX {t}_a_idx ON {t} (a);",
            f"ALTER TABLE {t} ADD COLUMN d text;",
            f"COMMENT ON TABLE {t} IS 'table {g} of the migration';",
            f"CREATE VIEW {t}_v AS SELECT id, a, b FROM {t} WHERE a > 10;",
        ][: statements - n]
        n += len(group)
        if g % 2 == 0 and not own:
            group = ["BEGIN;"] + group + ["COMMIT;"]
        lines += group
        g += 1
    return lines


# ---------------------------------------------------------------- 3. refusal cost against size


def refusal_setup(small_mb, big_mb):
    # 92 bytes a row on disk with its line pointer, 88 rows a page: 11,200 rows a megabyte
    return [
        "CREATE TABLE small_t (id int, a int, pad text);",
        f"INSERT INTO small_t SELECT g, g, repeat('x', 50) FROM generate_series(1, {small_mb * 11200}) g;",
        "CREATE TABLE large_t (id int, a int, pad text);",
        f"INSERT INTO large_t SELECT g, g, repeat('x', 50) FROM generate_series(1, {big_mb * 11200}) g;",
        "VACUUM ANALYZE small_t;",
        "VACUUM ANALYZE large_t;",
        "CHECKPOINT;",
    ]


def refusal(table, count):
    return [f"CREATE INDEX {table}_a_idx ON {table} (a);" for _ in range(count)]


# ---------------------------------------------------------------- 4. the advisor against squawk


def advisor_setup():
    return [
        "CREATE TABLE big1 (id bigint PRIMARY KEY, a int, b bigint, pad text, note text);",
        "CREATE TABLE big2 (id bigint PRIMARY KEY, v int);",
        "INSERT INTO big2 SELECT g, g FROM generate_series(1, 2000) g;",
        "INSERT INTO big1 SELECT g, g, g % 2000 + 1, md5(g::text), 'n' FROM generate_series(1, 2000) g;",
        "CREATE INDEX big1_a_idx ON big1 (a);",
        "CREATE MATERIALIZED VIEW big_mv AS SELECT id, a FROM big1;",
        "CREATE TYPE mood AS ENUM ('sad', 'ok');",
        "CREATE FUNCTION bench_trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;",
        "CREATE TABLE parted (id bigint, k int) PARTITION BY RANGE (k);",
        "CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000);",
        "INSERT INTO parted SELECT g, g % 1000 FROM generate_series(1, 2000) g;",
        "CREATE TABLE loose (id bigint, k int);",
        "INSERT INTO loose SELECT g, 1500 FROM generate_series(1, 2000) g;",
        "VACUUM ANALYZE;",
    ]


# Statements the guard refuses or warns about on a large existing table, one per rule
# category, and their safe counterparts. {i} makes names unique. Each template leaves the
# schema as it found it where a later statement depends on it (renames are undone).
RISKY = [
    "CREATE INDEX big1_x{i} ON big1 (a, id);",                                    # index
    "CREATE UNIQUE INDEX big1_u{i} ON big1 (id, a);",
    "DROP INDEX big1_x{i};",
    "REINDEX TABLE big1;",
    "ALTER TABLE big1 ADD CHECK (a > 0);",                                         # constraints
    "ALTER TABLE big1 ADD CONSTRAINT big1_c{i} CHECK (a > 0);",
    "ALTER TABLE big1 ADD CONSTRAINT big1_f{i} FOREIGN KEY (b) REFERENCES big2 (id);",
    "ALTER TABLE big1 ADD CONSTRAINT big1_k{i} UNIQUE (id, a);",
    "ALTER TABLE big1 ADD FOREIGN KEY (b) REFERENCES big2 (id);",
    "ALTER TABLE big1 DROP CONSTRAINT IF EXISTS big1_c{i};",
    "ALTER TABLE big1 ADD COLUMN t{i} timestamptz DEFAULT clock_timestamp();",   # columns
    "ALTER TABLE big1 ADD COLUMN r{i} int NOT NULL;",
    "ALTER TABLE big1 ADD COLUMN s{i} bigserial;",
    "ALTER TABLE big1 ADD COLUMN j{i} json;",
    "ALTER TABLE big1 ALTER COLUMN a SET NOT NULL;",
    "ALTER TABLE big1 ALTER COLUMN a TYPE bigint;",
    "ALTER TABLE big1 ALTER COLUMN note DROP NOT NULL;",
    "ALTER TABLE big1 RENAME COLUMN note TO note2;",
    "ALTER TABLE big1 RENAME COLUMN note2 TO note;",
    "ALTER TABLE big1 DROP COLUMN IF EXISTS t{i};",
    "ALTER TABLE big1 SET LOGGED;",                                                # rewrites, tables
    "VACUUM FULL big1;",
    "CLUSTER big1 USING big1_a_idx;",
    "ALTER TABLE parted ATTACH PARTITION loose FOR VALUES FROM (1000) TO (2000);",
    "ALTER TABLE parted DETACH PARTITION loose;",
    "REFRESH MATERIALIZED VIEW big_mv;",
    "TRUNCATE big2 CASCADE;",
    "ALTER TABLE big2 RENAME TO big2_old;",
    "ALTER TABLE big2_old RENAME TO big2;",
    "ALTER TYPE mood ADD VALUE 'm{i}';",                                           # types
    "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';",
    "ALTER TYPE mood RENAME VALUE 'fine' TO 'ok';",
    "CREATE TRIGGER big1_t{i} BEFORE UPDATE ON big1 FOR EACH ROW EXECUTE FUNCTION bench_trg();",  # locks
    "CREATE POLICY big1_p{i} ON big1 USING (a > 0);",
    "ALTER TABLE big1 REPLICA IDENTITY FULL;",
    "LOCK TABLE big1 IN ACCESS EXCLUSIVE MODE;",
    "ALTER TABLE big1 SET (autovacuum_enabled = false);",
    "UPDATE big1 SET a = a + 1;",                                                  # data changes
    "DELETE FROM big2;",
    "UPDATE big1 SET note = 'x' WHERE a > 0;",
]

SAFE = [
    "CREATE TABLE n{i} (id bigint CONSTRAINT n{i}_pkey PRIMARY KEY, a int CONSTRAINT n{i}_a_check CHECK (a > 0));",
    "CREATE INDEX n{i}_a_idx ON n{i} (a);",
    "CREATE INDEX CONCURRENTLY big1_cc{i} ON big1 (a, id);",
    "ALTER TABLE big1 ADD COLUMN z{i} text;",
    "ALTER TABLE big1 ADD CONSTRAINT big1_v{i} CHECK (a > 0) NOT VALID;",
    "ALTER TABLE big1 VALIDATE CONSTRAINT big1_v{i};",
    "ALTER TABLE big1 ADD CONSTRAINT big1_g{i} FOREIGN KEY (b) REFERENCES big2 (id) NOT VALID;",
    "COMMENT ON TABLE big1 IS 'bench {i}';",
    "CREATE VIEW big1_w{i} AS SELECT id, a FROM big1 WHERE a > {i};",
    "INSERT INTO big2 VALUES ({i} + 100000, {i});",
    "UPDATE big1 SET note = 'y' WHERE id = {i};",
    "DELETE FROM big2 WHERE id = {i} + 100000;",
    "SELECT count(*) FROM big1 WHERE a = {i};",
    "DROP INDEX CONCURRENTLY IF EXISTS big1_cc{i};",
    "ANALYZE big1;",
    "GRANT SELECT ON big1 TO PUBLIC;",
]


def advisor(statements):
    """Half risky, half safe, taken in turn from each list, so that every category appears
    about equally often whatever the count."""
    lines = []
    r = s = 0
    for n in range(statements):
        if n % 2 == 0:
            lines.append(RISKY[r % len(RISKY)].format(i=n))
            r += 1
        else:
            lines.append(SAFE[s % len(SAFE)].format(i=n))
            s += 1
    return lines


# ---------------------------------------------------------------- arithmetic


def callgrind_total(path):
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    raise SystemExit(f"no totals in {path}")


def callgrind_inclusive(path, functions):
    """Sum of the inclusive instructions of the functions whose names contain each of
    `functions` (the first match of each). A name that matches nothing is an error, not a 0:
    a function the compiler inlined, or one renamed, must not pass for a free one."""
    import subprocess
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--auto=no", "--threshold=100", path],
                         capture_output=True, text=True).stdout
    total = 0
    for function in functions:
        for line in out.splitlines():
            m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+\S*?:(.*)", line)
            if m and function in m.group(2):
                total += int(m.group(1).replace(",", ""))
                break
        else:
            raise SystemExit(f"no function named like {function!r} in {path}")
    return total


def psql_times(path):
    vals = [float(m.group(1)) for m in re.finditer(r"^Time: ([0-9.]+) ms", open(path).read(), re.M)]
    if not vals:
        raise SystemExit(f"no timings in {path}")
    q = statistics.quantiles(vals, n=4) if len(vals) > 1 else [vals[0]] * 3
    return f"{statistics.median(vals):.3f} {q[0]:.3f} {q[2]:.3f} {len(vals)}"


def pairs(path):
    """Lines 'a b': the ratio b/a of each pair, then median, min, max and the medians of a and b."""
    ratios, a_s, b_s = [], [], []
    for line in open(path):
        a, b = (float(x) for x in line.split())
        a_s.append(a)
        b_s.append(b)
        ratios.append(b / a)
    return (f"{statistics.median(ratios):.4f} {min(ratios):.4f} {max(ratios):.4f} "
            f"{statistics.median(a_s):.4f} {statistics.median(b_s):.4f} {len(ratios)}")


# ---------------------------------------------------------------- the report


def fmt_int(x):
    return f"{int(round(float(x))):,}"


def report(env_path, md_path, smoke):
    r = {}
    for line in open(env_path):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            r[k] = v
    g = r.get
    blocks = {}
    cur = []

    def w(line):
        cur.append(line)

    def block(n):
        """Starts the block of benchmark n; each one is replaced on its own, so that a run of
        some benchmarks leaves the others' recorded figures alone."""
        nonlocal cur
        cur = []
        blocks[n] = cur

    def target(ok):
        return "met" if ok else "**missed**"

    stamp = (f"*Recorded {g('date')} by `bash bench/run.sh{' --smoke' if smoke else ''}` at commit "
             f"`{g('commit')}`, on {g('machine')}*")

    if "b1_vanilla" in r:
        block(1)
        st = int(g("b1_statements"))
        van = int(g("b1_vanilla"))
        w(f"### 1. Ordinary traffic ({g('b1_desc')})")
        w("")
        w("| configuration | instructions | per statement | ratio to vanilla |")
        w("|---|---:|---:|---:|")
        for cfg, label in (("vanilla", "no preload (vanilla)"), ("guard", "migration_guard, enforce"),
                           ("pgss", "pg_stat_statements (reference peer)")):
            v = int(g(f"b1_{cfg}"))
            w(f"| {label} | {v:,} | {v / st:,.0f} | {v / van:.4f} |")
        ratio = int(g("b1_guard")) / van
        w("")
        w(f"Guard adds {(int(g('b1_guard')) - van) / st:,.0f} instructions per statement; "
          f"pg_stat_statements adds {(int(g('b1_pgss')) - van) / st:,.0f}. "
          f"Target ≤ 1.005×: {target(ratio <= 1.005)} ({ratio:.4f}×).")
        w("")
    if "b2_mixed_vanilla" in r:
        block(2)
        st = int(g("b2_statements"))
        w(f"### 2. DDL path ({g('b2_desc')})")
        w("")
        w("| workload | configuration | instructions | per DDL statement | ratio to vanilla |")
        w("|---|---|---:|---:|---:|")
        ratios = {}
        for variant, label in (("mixed", "mixed: every other table inside BEGIN ... COMMIT"),
                               ("own", "own: every statement in its own transaction")):
            van = int(g(f"b2_{variant}_vanilla"))
            gua = int(g(f"b2_{variant}_guard"))
            ratios[variant] = (gua / van, (gua - van) / st)
            w(f"| {label} | no preload (vanilla) | {van:,} | {van / st:,.0f} | 1.0000 |")
            w(f"| | migration_guard, enforce | {gua:,} | {gua / st:,.0f} | {gua / van:.4f} |")
        w("")
        w(f"Guard adds {ratios['mixed'][1]:,.0f} instructions per DDL statement in the mixed workload, "
          f"{ratios['own'][1]:,.0f} when each statement has its own transaction. Target ≤ 1.01×: "
          f"{target(ratios['mixed'][0] <= 1.01)} ({ratios['mixed'][0]:.4f}×) and "
          f"{target(ratios['own'][0] <= 1.01)} ({ratios['own'][0]:.4f}×).")
        w("")
    if "b3_small" in r:
        block(3)
        sm = float(g("b3_small"))
        bg = float(g("b3_big"))
        ratio = bg / sm
        w(f"### 3. Refusal cost against table size ({g('b3_desc')})")
        w("")
        w("| table | size | instructions per refusal | of which the guard's verdict | wall time per refusal, median (quartiles) |")
        w("|---|---:|---:|---:|---:|")
        for key, name in (("small", "small_t"), ("big", "large_t")):
            med, q1, q3, n = g(f"b3_{key}_ms").split()
            w(f"| `{name}` | {g(f'b3_{key}_size')} | {fmt_int(g(f'b3_{key}'))} | {fmt_int(g(f'b3_{key}_verdict'))} | "
              f"{med} ms ({q1}–{q3}), {n} runs |")
        vratio = float(g("b3_big_verdict")) / float(g("b3_small_verdict"))
        w("")
        w(f"Ratio big/small: {ratio:.4f} for the whole refusal, {vratio:.4f} for the verdict alone. "
          f"Target ≤ 1.01×: {target(ratio <= 1.01)}. The whole refusal counts the statement from "
          f"parse to the error's cleanup; the verdict is what the guard's facts, rules and message "
          f"cost (`mg_collect_facts`, `mg::evaluate`, `mg_report_statement_findings`, inclusive). Both differ between the tables by the length of their names, sizes and "
          f"row counts in the message text, not by what is read. Wall time is psql's `\\timing` over a "
          f"Unix socket: the round trip of one refused statement, error message included.")
        w("")
    if "b4_pairs" in r:
        block(4)
        med, lo, hi, guard_s, squawk_s, n = g("b4_pairs").split()
        nmed, nlo, nhi, _, npm_s, _ = g("b4_npm_pairs").split()
        st = int(g("b4_statements"))
        w(f"### 4. Advisor against squawk ({g('b4_desc')})")
        w("")
        w(f"The file takes its statements in turn from {len(RISKY)} risky templates (every rule category: "
          f"index, constraint, column, rewrite and table, type, lock-queue, data change) and {len(SAFE)} safe "
          f"ones, half and half. check() runs through psql, connection and output included; squawk with "
          f"`--reporter gcc`, its leanest output, both as its native binary and through the `squawk` "
          f"command that npm installs (a node script that starts the binary).")
        w("")
        w("| tool | median wall time | statements/s | findings | squawk's time / check()'s, median (min–max) |")
        w("|---|---:|---:|---:|---:|")
        w(f"| `migration_guard.check()` through psql | {float(guard_s):.3f} s | {st / float(guard_s):,.0f} | "
          f"{g('b4_guard_findings')} | |")
        w(f"| squawk {g('b4_squawk_version')}, native binary | {float(squawk_s):.3f} s | "
          f"{st / float(squawk_s):,.0f} | {g('b4_squawk_findings')} | "
          f"{float(med):.2f} ({float(lo):.2f}–{float(hi):.2f}) |")
        w(f"| squawk {g('b4_squawk_version')}, npm's command | {float(npm_s):.3f} s | "
          f"{st / float(npm_s):,.0f} | {g('b4_squawk_findings')} | "
          f"{float(nmed):.2f} ({float(nlo):.2f}–{float(nhi):.2f}) |")
        w("")
        w(f"{n} rounds, the order turning round each time. Above 1 means check() is faster. "
          f"Target faster than squawk (native): {target(float(med) > 1)}.")
        w("")
        if "b4_instructions" in r:
            ins = int(g("b4_instructions"))
            w(f"Instructions of one check() call on the whole file, in a single-user backend (callgrind, "
              f"run minus empty run): {ins:,}, or {ins / st:,.0f} per statement. Unlike the times, this "
              f"figure repeats exactly: compare it across commits as rules are added.")
            w("")
    if "b5_select-only" in r:
        block(5)
        w(f"### 5. pgbench cross-check ({g('b5_desc')})")
        w("")
        w("| mode | vanilla tps, median | guard tps, median | guard/vanilla, median | min | max | pairs |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for mode in ("select-only", "tpcb-like"):
            med, lo, hi, a, b, n = g(f"b5_{mode}").split()
            w(f"| {mode} | {float(a):,.0f} | {float(b):,.0f} | {float(med):.3f} | {float(lo):.3f} | "
              f"{float(hi):.3f} | {n} |")
        w("")
    texts = {}
    for n, lines in blocks.items():
        # the heading, then when and where it was measured
        texts[n] = "\n".join([lines[0], "", stamp] + lines[1:]) + "\n"
    if smoke:
        sys.stdout.write("\n".join(texts[n] for n in sorted(texts)))
        return
    md = open(md_path).read()
    begin, end = "<!-- bench/run.sh: begin -->", "<!-- bench/run.sh: end -->"
    if begin not in md or end not in md:
        md = md.rstrip("\n") + "\n\n" + begin + "\n" + end + "\n"
    head, rest = md.split(begin, 1)
    section, tail = rest.split(end, 1)
    for n in sorted(texts):
        b, e = f"<!-- bench {n} -->", f"<!-- /bench {n} -->"
        new_block = f"{b}\n{texts[n]}{e}\n"
        if b in section and e in section:
            section = section[: section.index(b)] + new_block + section[section.index(e) + len(e) + 1:]
        else:
            section = section.rstrip("\n") + "\n" + new_block
    # keep the blocks in benchmark order
    found = re.findall(r"(<!-- bench (\d) -->\n.*?<!-- /bench \2 -->\n)", section, re.S)
    section = "\n" + "\n".join(blk for blk, _ in sorted(found, key=lambda x: x[1]))
    open(md_path, "w").write(head + begin + section + end + tail)


def main():
    a = sys.argv[1:]
    cmd = a[0]
    if cmd == "callgrind-total":
        print(callgrind_total(a[1]))
        return
    if cmd == "callgrind-inclusive":
        print(callgrind_inclusive(a[1], a[2:]))
        return
    if cmd == "psql-times":
        print(psql_times(a[1]))
        return
    if cmd == "pairs":
        print(pairs(a[1]))
        return
    if cmd == "report":
        report(a[1], a[2], "--smoke" in a)
        return
    gen = {
        "ordinary-setup": lambda: ordinary_setup(int(a[1])),
        "ordinary": lambda: ordinary(int(a[1]), int(a[2]), int(a[3]), int(a[4])),
        "ddl": lambda: ddl(int(a[1]), a[2:3] == ["own"]),
        "refusal-setup": lambda: refusal_setup(int(a[1]), int(a[2])),
        "refusal": lambda: refusal(a[1], int(a[2])),
        "advisor-setup": advisor_setup,
        "advisor": lambda: advisor(int(a[1])),
    }[cmd]
    sys.stdout.write("\n".join(gen()) + "\n")


if __name__ == "__main__":
    main()
