#!/usr/bin/python3
"""Checks that vivalink, DuckDB and pandas computed the same numbers for one workload.

    /usr/bin/python3 bench/peers/compare.py groups|iv RESULTS_DIR

RESULTS_DIR holds vivalink-<w>.json (the raw `vivalink analyze ... --format json` output),
vivalink-<w>.join.json (its --join-report) and <tool>-<w>.json from the peer scripts (one JSON
object each). Counts must be equal; numbers equal within 1e-9 relative (sums are added in a
different order by each tool). Prints one line per tool; exits 1 on any difference.
"""
import glob
import json
import math
import os
import sys

REL = 1e-9


def vivalink(results, workload):
    raw = json.load(open(os.path.join(results, "vivalink-%s.json" % workload)))
    join = json.load(open(os.path.join(results, "vivalink-%s.join.json" % workload)))
    out = {"tool": "vivalink", "workload": workload, "joined_rows": join["joined_rows"],
           "matched_persons": join["matched_persons"]}
    if workload == "groups":
        out["groups"] = [{k: r[k] for k in ("metric", "group", "n", "mean", "sd", "median", "min",
                                            "max")} for r in raw["rows"]]
    else:
        p = raw["predictors"][0]
        out.update({"rows_used": raw["rows_used"], "n1": raw["n1"], "n0": raw["n0"],
                    "iv": p["iv"],
                    "bins": [{"n": b["n"], "n1": b["n1"], "woe": b["woe"]} for b in p["bins"]]})
    return out


def canonical(r):
    if "groups" in r:
        r["groups"] = sorted(r["groups"], key=lambda g: (g["metric"], g["group"]))
    return r


def diff(a, b, where=""):
    """The differences between two JSON values, as strings."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k == "tool":
                continue
            if k not in a or k not in b:
                out.append("%s.%s: only in one" % (where, k))
            else:
                out += diff(a[k], b[k], "%s.%s" % (where, k))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return ["%s: %d vs %d items" % (where, len(a), len(b))]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in diff(x, y, "%s[%d]" % (where, i))]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not (
            isinstance(a, bool) or isinstance(b, bool)):
        if isinstance(a, int) and isinstance(b, int):
            return [] if a == b else ["%s: %d vs %d" % (where, a, b)]
        if math.isclose(a, b, rel_tol=REL, abs_tol=1e-12):
            return []
        return ["%s: %r vs %r" % (where, a, b)]
    return [] if a == b else ["%s: %r vs %r" % (where, a, b)]


def main():
    workload, results = sys.argv[1], sys.argv[2]
    reference = canonical(vivalink(results, workload))
    failed = False
    for path in sorted(glob.glob(os.path.join(results, "*-%s.json" % workload))):
        name = os.path.basename(path)[:-len("-%s.json" % workload)]
        if name == "vivalink":
            continue
        other = canonical(json.load(open(path)))
        problems = diff(reference, other)
        if problems:
            failed = True
            print("%s %s: DIFFERS from vivalink: %s" % (workload, name, "; ".join(problems[:8])))
        else:
            print("%s %s: same numbers as vivalink (%d joined rows, %d matched persons)"
                  % (workload, name, other["joined_rows"], other["matched_persons"]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
