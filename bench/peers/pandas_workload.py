#!/usr/bin/python3
"""The peer benchmark's workload in pandas (Debian's /usr/bin/python3), with the definitions
vivalink uses, so that the numbers must agree with vivalink's and DuckDB's (see
duckdb_workload.mjs for the workload in words). Prints the result as JSON on stdout.

    /usr/bin/python3 bench/peers/pandas_workload.py groups|iv DATA_DIR
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd


def addresses(path):
    """e-mail -> object id over mail, UPN and every smtp: proxy address; ambiguous ones dropped."""
    users = pd.read_json(path, lines=True, dtype=False)
    pid = users["id"].astype(str).str.strip().str.lower()
    parts = []
    for col in ("mail", "userPrincipalName"):
        if col in users:
            parts.append(pd.DataFrame({"pid": pid, "email": users[col]}))
    if "proxyAddresses" in users:
        p = pd.DataFrame({"pid": pid, "p": users["proxyAddresses"]}).explode("p").dropna()
        p["p"] = p["p"].astype(str).str.strip()
        p = p[p["p"].str.lower().str.startswith("smtp:")]
        parts.append(pd.DataFrame({"pid": p["pid"], "email": p["p"].str[5:]}))
    a = pd.concat(parts).dropna()
    a["email"] = a["email"].astype(str).str.strip().str.lower()
    a = a[(a["email"] != "") & (a["pid"] != "")].drop_duplicates()
    claims = a.groupby("email")["pid"].nunique()
    return a[a["email"].isin(claims[claims == 1].index)].set_index("email")["pid"]


def week_start(dates):
    """The Sunday starting the Viva Insights week of each date."""
    d = pd.to_datetime(dates.astype(str).str[:10])
    return d - pd.to_timedelta((d.dt.dayofweek + 1) % 7, unit="D")


def joined(data):
    emails = addresses(os.path.join(data, "users.jsonl"))
    crm = pd.read_csv(os.path.join(data, "crm.csv")).drop_duplicates()
    crm["pid"] = crm["Email"].astype(str).str.strip().str.lower().map(emails)
    crm = crm.dropna(subset=["pid"])
    crm["week"] = week_start(crm["Week"])
    partner = crm.groupby(["pid", "week"])["Revenue"].sum(min_count=1).reset_index()
    pq = pd.read_csv(os.path.join(data, "person_query.csv"),
                     usecols=["PersonId", "MetricDate", "Organization", "Collaboration_hours",
                              "After_hours_collaboration_hours"])
    pq["pid"] = pq["PersonId"].astype(str).str.strip().str.lower()
    pq["week"] = week_start(pq["MetricDate"])
    return pq.merge(partner, on=["pid", "week"], how="inner")


def groups(j):
    out = []
    for metric in ("Revenue", "Collaboration_hours"):
        d = j.dropna(subset=["Organization", metric])
        pm = d.groupby(["Organization", "pid"])[metric].mean()
        for g, v in pm.groupby(level=0):
            v = v.to_numpy(dtype=float)
            if len(v) < 5:
                continue
            out.append({"metric": metric, "group": g, "n": int(len(v)), "mean": float(v.mean()),
                        "sd": float(np.std(v, ddof=1)) if len(v) > 1 else None,
                        "median": float(np.median(v)), "min": float(v.min()),
                        "max": float(v.max())})
    return out


def iv(j):
    d = j.dropna(subset=["After_hours_collaboration_hours", "Revenue"])
    x = d["After_hours_collaboration_hours"].to_numpy(dtype=float)
    y = (d["Revenue"].to_numpy(dtype=float) > 5000).astype(int)
    xs = np.sort(x)
    n = len(xs)
    cuts = set()
    if n >= 2:
        for k in range(1, 5):
            a = (n + 1) * (k / 5)
            jj = math.floor(min(max(a, 1.0), n - 1))
            g = min(max(a - jj, 0.0), 1.0)
            cuts.add((1 - g) * xs[jj - 1] + g * xs[jj])
    cuts = np.array(sorted(cuts))
    b = np.searchsorted(cuts, x, side="right")  # number of cuts <= x
    n1_total, n0_total = int(y.sum()), int(n - y.sum())
    bins, total = [], 0.0
    for k in range(len(cuts) + 1):
        mask = b == k
        bn, bn1 = int(mask.sum()), int(y[mask].sum())
        if bn == 0:
            continue
        bn0 = bn - bn1
        woe = (math.log((bn1 / n1_total) / (bn0 / n0_total))
               if bn1 > 0 and bn0 > 0 and n1_total > 0 and n0_total > 0 else 0.0)
        if n1_total > 0 and n0_total > 0:
            total += woe * (bn1 / n1_total - bn0 / n0_total)
        bins.append({"n": bn, "n1": bn1, "woe": woe})
    return {"rows_used": n, "n1": n1_total, "n0": n0_total, "iv": total, "bins": bins}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("groups", "iv"):
        print("usage: pandas_workload.py groups|iv DATA_DIR", file=sys.stderr)
        sys.exit(2)
    workload, data = sys.argv[1], sys.argv[2]
    j = joined(data)
    out = {"tool": "pandas", "workload": workload, "joined_rows": int(len(j)),
           "matched_persons": int(j["pid"].nunique())}
    if workload == "groups":
        out["groups"] = groups(j)
    else:
        out.update(iv(j))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
