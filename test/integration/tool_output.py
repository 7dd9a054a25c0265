"""Prints what a migration tool wrote (a file), with Python tracebacks cut down to the text of
the last exception: the tool's log lines, then e.g. SQLAlchemy's or Django's error, which
carries the server's message, DETAIL and HINT. Used by test/integration/lib.sh."""
import sys

TB = "Traceback (most recent call last):"
lines = []
for line in open(sys.argv[1], errors="replace").read().splitlines():
    # Django prints "Applying app.0002_x..." without a newline before the traceback.
    at = line.find(TB)
    if at > 0:
        lines += [line[:at], line[at:]]
    else:
        lines.append(line)
starts = [i for i, line in enumerate(lines) if line.startswith(TB)]
if not starts:
    print("\n".join(lines))
else:
    j = starts[-1] + 1
    while j < len(lines) and (lines[j].startswith("  ") or lines[j] == ""):
        j += 1
    print("\n".join(lines[: starts[0]] + lines[j:]))
