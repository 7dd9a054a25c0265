#!/usr/bin/python3
"""The pasted outputs of docs/advisor.md that test/integration/fixback/run.sh checks.

    docs_block.py check DOCS NAME FILE   exit 1 (and a diff) when the block differs from FILE
    docs_block.py write DOCS NAME FILE   put FILE's text in the block (run.sh --regen)

A block is the fenced code right after a line `<!-- fixback:NAME -->` in DOCS.
"""
import difflib
import sys


def find(lines, name):
    marker = "<!-- fixback:%s -->" % name
    i = lines.index(marker)
    if not lines[i + 1].startswith("```"):
        sys.exit("%s: no fenced block after %s" % (sys.argv[2], marker))
    j = lines.index("```", i + 2)
    return i + 2, j


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("check", "write"):
        sys.exit(__doc__)
    action, docs, name, path = sys.argv[1:]
    lines = open(docs).read().split("\n")
    start, end = find(lines, name)
    want = open(path).read().rstrip("\n").split("\n")
    if action == "write":
        lines[start:end] = want
        open(docs, "w").write("\n".join(lines))
        return
    if lines[start:end] != want:
        sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(
            lines[start:end], want, "docs/advisor.md (%s)" % name, "what the tools print now", lineterm=""))
        sys.exit(1)


if __name__ == "__main__":
    main()
