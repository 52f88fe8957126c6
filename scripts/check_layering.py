#!/usr/bin/python3
"""Checks that no #include crosses the module map of docs/ARCHITECTURE.md the wrong way.

The map is the table "| folder | owns | may call |": a module may include its own headers, core's,
and those of every module it may call, directly or through another module it may call (the
transitive closure: the graph is acyclic, so this is "below it"). Every "<module>/..."
include of a file under src/ is checked; third-party headers are not, nor are tests (programs that
link what they test, often the simulator and ingestion together). Prints each violation as
FILE:LINE: <module> includes <other>/... which docs/ARCHITECTURE.md does not let it call
and exits 1 if there is any.
    scripts/check_layering.py [ROOT]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
modules = sorted(p.name for p in (root / "src").iterdir() if p.is_dir())

# The table rows: | `src/x` | ... | may call |
allowed = {}
for line in (root / "docs" / "ARCHITECTURE.md").read_text().splitlines():
    m = re.match(r"\|\s*`src/(\w+)`\s*\|.*\|([^|]*)\|\s*$", line)
    if not m:
        continue
    cells = m.group(2)
    if "everything above" in cells:  # src/cli
        allowed[m.group(1)] = set(modules)
        continue
    allowed[m.group(1)] = {w for w in re.findall(r"[a-z]+", cells) if w in modules}

missing = [m for m in modules if m not in allowed]
if missing:
    print("docs/ARCHITECTURE.md has no row for: " + ", ".join("src/" + m for m in missing))
    sys.exit(1)


def closure(module, seen=None):
    seen = set() if seen is None else seen
    for other in allowed[module]:
        if other not in seen:
            seen.add(other)
            closure(other, seen)
    return seen


reach = {m: closure(m) | {m, "core"} for m in modules}
include = re.compile(r'^\s*#\s*include\s+"(\w+)/')
violations = []
for top in ("src",):
    for path in sorted((root / top).rglob("*")):
        if path.suffix not in (".h", ".cc") or not path.is_file():
            continue
        parts = path.relative_to(root / top).parts
        module = parts[0]
        if module not in modules:
            continue
        for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = include.match(text)
            if m and m.group(1) in modules and m.group(1) not in reach[module]:
                violations.append(
                    f"{path.relative_to(root)}:{number}: {module} includes {m.group(1)}/... "
                    "which docs/ARCHITECTURE.md does not let it call")
for v in violations:
    print(v)
sys.exit(1 if violations else 0)
