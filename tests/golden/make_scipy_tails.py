#!/usr/bin/python3
"""Writes tests/golden/tails_scipy/: distribution tails computed by scipy.stats.

The C++ side (analysis/stats.h) uses Boost.Math; this case pins its p-values to scipy's, the
reference most analysts check against. Needs Debian's python3-scipy (scripts/setup.sh):

    /usr/bin/python3 tests/golden/make_scipy_tails.py
"""
import json
import os

from scipy import stats

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tails_scipy")

rows = []
for z in [-8.0, -3.0, -1.959963984540054, -0.5, 0.0, 0.3, 1.0, 2.5, 5.0, 9.0, 30.0]:
    rows.append(("normal_sf", z, 0.0, float(stats.norm.sf(z))))
for df in [1.0, 2.0, 3.0, 5.0, 17.0, 250.0]:
    for x in [0.001, 0.5, 1.0, 3.841458820694124, 10.0, 40.0, 200.0]:
        rows.append(("chi2_sf", x, df, float(stats.chi2.sf(x, df))))
for df in [1.0, 2.0, 4.0, 10.0, 29.0, 1000.0, 12345.0]:
    for t in [0.0, 0.2, 1.0, 2.0, 3.5, 8.0, 25.0]:
        rows.append(("t_two_sided", t, df, float(2 * stats.t.sf(abs(t), df))))
# scipy's t.ppf inverts iteratively to ~1e-9 relative (df = 3, p = 0.9 is off by 2e-9 while its
# own t.sf is exact there); two Newton steps on scipy's sf and pdf make it exact to rounding.
for df in [1.0, 3.0, 10.0, 100.0]:
    for p in [0.025, 0.5, 0.9, 0.975, 0.999]:
        q = float(stats.t.ppf(p, df))
        for _ in range(2):
            q += (stats.t.sf(q, df) - (1 - p)) / stats.t.pdf(q, df)
        rows.append(("t_quantile", p, df, float(q)))

os.makedirs(HERE, exist_ok=True)
with open(os.path.join(HERE, "input.csv"), "w") as f:
    f.write("Function,x,df\n")
    for kind, x, df, _ in rows:
        f.write("%s,%r,%r\n" % (kind, x, df))
with open(os.path.join(HERE, "args.json"), "w") as f:
    json.dump({"analysis": "tails"}, f, indent=2)
    f.write("\n")
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump({"analysis": "tails", "values": [v for *_, v in rows]}, f, indent=2)
    f.write("\n")
