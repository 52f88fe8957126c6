#!/usr/bin/python3
"""Writes the golden cases of the analysis module: tests/golden/<case>/{input.csv,args.json,
expected.json}.

The expected outputs are computed here from the written input.csv with pandas/numpy and the
standard library, following the definitions in src/analysis/*.h, and never by importing or
running our C++ code. Distribution tails use closed forms that differ from the C++ algorithms
(which use continued fractions): chi-square with integer df via the Poisson/erfc series, Student t
with integer df via the trigonometric series, the normal tail via math.erfc.

Run with Debian's python3 (which has pandas): /usr/bin/python3 tests/golden/make_expected.py
Input data is generated from fixed seeds, so the script is deterministic.
"""
import bisect
import csv
import json
import math
import os
import random
import re

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ID_COLUMNS = ("PersonId", "MetricDate")
Z975 = 1.959963984540054


# ----------------------------------------------------------------------------------------------
# Distribution tails (independent closed forms)

def normal_sf(z):
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def chi2_sf(x, k):
    """P(X > x), X ~ chi-square with integer k degrees of freedom."""
    assert k >= 1 and int(k) == k
    if x <= 0:
        return 1.0
    h = x / 2.0
    if k % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, k // 2):
            term *= h / i
            total += term
        return math.exp(-h) * total
    total = math.erfc(math.sqrt(h))
    # + e^{-h} sum_{i=1}^{(k-1)/2} h^{i-1/2} / Gamma(i+1/2)
    term = math.sqrt(h) / math.gamma(1.5)
    acc = 0.0
    for i in range(1, (k - 1) // 2 + 1):
        if i > 1:
            term *= h / (i - 0.5)
        acc += term
    return total + math.exp(-h) * acc


def t_two_sided_p(t, nu):
    """P(|T| > |t|), T ~ Student t with integer nu degrees of freedom."""
    assert nu >= 1 and int(nu) == nu
    theta = math.atan(abs(t) / math.sqrt(nu))
    s, c = math.sin(theta), math.cos(theta)
    if nu % 2 == 1:
        if nu == 1:
            a = 2 * theta / math.pi
        else:
            term, series = 1.0, 1.0
            for j in range(1, (nu - 3) // 2 + 1):
                term *= (2 * j) / (2 * j + 1) * c * c
                series += term
            a = 2 / math.pi * (theta + s * c * series)
    else:
        term, series = 1.0, 1.0
        for j in range(1, (nu - 2) // 2 + 1):
            term *= (2 * j - 1) / (2 * j) * c * c
            series += term
        a = s * series
    return max(0.0, 1.0 - a)


# ----------------------------------------------------------------------------------------------
# Helpers

def num(v):
    """JSON value for a float: None for NaN/inf."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def label_number(v):
    if v == math.inf:
        return "inf"
    if v == -math.inf:
        return "-inf"
    return "%.10g" % v


def shortest(v):
    """fmt's "{}" of a double for the simple literals used in the cases."""
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


def read_input(case_dir):
    return pd.read_csv(os.path.join(case_dir, "input.csv"), keep_default_na=False,
                       na_values=[""], dtype={"PersonId": str, "MetricDate": str})


def is_numeric(df, col):
    return col not in ID_COLUMNS and pd.api.types.is_numeric_dtype(df[col])


def average_ranks(values):
    return pd.Series(values).rank(method="average").to_numpy()


def pearson(x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 2:
        return math.nan
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float((dx * dx).sum()), float((dy * dy).sum())
    if sxx == 0 or syy == 0:
        return math.nan
    return max(-1.0, min(1.0, float((dx * dy).sum()) / math.sqrt(sxx * syy)))


def quantile7(sorted_values, p):
    return float(np.quantile(np.asarray(sorted_values, dtype=float), p))  # numpy default: linear


# ----------------------------------------------------------------------------------------------
# Information value

OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b,
       "<=": lambda a, b: a <= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def parse_outcome(expr):
    m = re.fullmatch(r"\s*([A-Za-z0-9_,]+)\s*(>=|<=|==|!=|>|<)\s*([-+]?[0-9.eE+-]+)\s*", expr)
    assert m, expr
    return m.group(1), m.group(2), float(m.group(3))


def iv_cuts(xs, bins):
    n = len(xs)
    if n < 2 or bins < 2:
        return []
    cuts = []
    for k in range(1, bins):
        p = k / bins
        a = (n + 1) * p
        j = math.floor(min(max(a, 1), n - 1))
        g = min(max(a - j, 0), 1)
        cuts.append((1 - g) * xs[j - 1] + g * xs[j])
    return sorted(set(cuts))


def finish_bins(bins, n1_total, n0_total):
    total = n1_total + n0_total
    degenerate = n1_total == 0 or n0_total == 0
    iv = 0.0
    for b in bins:
        n, n1 = b["n"], b["n1"]
        n0 = n - n1
        woe = 0.0
        if not degenerate and n1 > 0 and n0 > 0:
            woe = math.log((n1 / n1_total) / (n0 / n0_total))
            iv += woe * (n1 / n1_total - n0 / n0_total)
        b.update(share=n / total, woe=woe, iv_cumulative=iv, event_rate=n1 / n if n else 0.0)
    return iv


def mann_whitney_p(x, y):
    x = list(x)
    y = list(y)
    n = len(x)
    n1 = sum(y)
    n0 = n - n1
    if n1 == 0 or n0 == 0:
        return math.nan
    ranks = average_ranks(x)
    r1 = sum(r for r, yy in zip(ranks, y) if yy)
    u1 = r1 - n1 * (n1 + 1) / 2
    ties = pd.Series(x).value_counts().to_numpy()
    tie_term = float(sum(t ** 3 - t for t in ties))
    var = n1 * n0 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    if not var > 0:
        return math.nan
    z = max(abs(u1 - n1 * n0 / 2) - 0.5, 0) / math.sqrt(var)
    return min(1.0, 2 * normal_sf(z))


def chi2_independence_p(counts1, counts0):
    rows = [(a, b) for a, b in zip(counts1, counts0) if a + b > 0]
    t1 = sum(a for a, _ in rows)
    t0 = sum(b for _, b in rows)
    if len(rows) < 2 or t1 == 0 or t0 == 0:
        return math.nan
    total = t1 + t0
    stat = 0.0
    for a, b in rows:
        e1 = (a + b) * t1 / total
        e0 = (a + b) * t0 / total
        stat += (a - e1) ** 2 / e1 + (b - e0) ** 2 / e0
    return chi2_sf(stat, len(rows) - 1)


def numeric_iv(name, x, y, bins):
    x = [float(v) for v in x]
    y = [int(v) for v in y]
    cuts = iv_cuts(sorted(x), bins)
    counts = {}
    for xv, yv in zip(x, y):
        b = bisect.bisect_right(cuts, xv)
        c = counts.setdefault(b, [0, 0])
        c[0] += 1
        c[1] += yv
    out_bins = []
    for b in sorted(counts):
        lo = -math.inf if b == 0 else cuts[b - 1]
        hi = math.inf if b == len(cuts) else cuts[b]
        out_bins.append({"label": "[%s, %s)" % (label_number(lo), label_number(hi)),
                         "n": counts[b][0], "n1": counts[b][1]})
    n1 = sum(y)
    iv = finish_bins(out_bins, n1, len(y) - n1)
    return {"name": name, "kind": "numeric", "iv": iv, "p_value": mann_whitney_p(x, y),
            "bins": out_bins}


def categorical_iv(name, labels, y):
    counts = {}
    for lv, yv in zip(labels, y):
        c = counts.setdefault(lv, [0, 0])
        c[0] += 1
        c[1] += int(yv)
    out_bins = [{"label": k, "n": counts[k][0], "n1": counts[k][1]} for k in sorted(counts)]
    n1 = int(sum(y))
    iv = finish_bins(out_bins, n1, len(y) - n1)
    p = chi2_independence_p([b["n1"] for b in out_bins], [b["n"] - b["n1"] for b in out_bins])
    return {"name": name, "kind": "categorical", "iv": iv, "p_value": p, "bins": out_bins}


def expected_iv(df, args):
    col, op, value = parse_outcome(args["outcome"])
    bins = args.get("bins", 5)
    predictors = args.get("predictors") or [
        c for c in df.columns if is_numeric(df, c) and c != col and c not in ID_COLUMNS]
    d = df.dropna(subset=[col] + predictors)
    y = [1 if OPS[op](v, value) else 0 for v in d[col]]
    n1 = sum(y)
    n0 = len(y) - n1
    outcome = "%s%s%s" % (col, op, shortest(value))
    warnings = []
    if n1 == 0 or n0 == 0:
        warnings.append(
            "outcome '%s' is %s for every one of the %d rows used; information value is 0 for "
            "every predictor" % (outcome, "false" if n1 == 0 else "true", len(y)))
    preds = []
    for p in predictors:
        if is_numeric(df, p):
            preds.append(numeric_iv(p, d[p].tolist(), y, bins))
        else:
            preds.append(categorical_iv(p, d[p].tolist(), y))
    preds.sort(key=lambda r: (-r["iv"], r["name"]))
    for p in preds:
        p["iv"] = num(p["iv"])
        p["p_value"] = num(p["p_value"])
        for b in p["bins"]:
            for k in ("share", "woe", "iv_cumulative", "event_rate"):
                b[k] = num(b[k])
    return {"analysis": "iv", "outcome": outcome, "rows_used": len(y),
            "rows_dropped": len(df) - len(y), "n1": n1, "n0": n0,
            "outcome_degenerate": n1 == 0 or n0 == 0, "warnings": warnings,
            "predictors": preds}


# ----------------------------------------------------------------------------------------------
# Drivers

def correlation_test(r, n, se_factor):
    lo = hi = p = math.nan
    if not math.isnan(r):
        if n > 3:
            z = math.atanh(r) if abs(r) < 1 else math.copysign(math.inf, r)
            se = se_factor / math.sqrt(n - 3)
            lo, hi = math.tanh(z - Z975 * se), math.tanh(z + Z975 * se)
        if n > 2:
            p = 0.0 if abs(r) >= 1 else t_two_sided_p(r * math.sqrt((n - 2) / (1 - r * r)), n - 2)
    return lo, hi, p


def driver_row(name, x, y, iv_bins):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    r = pearson(x, y)
    rho = pearson(average_ranks(x), average_ranks(y)) if n >= 2 else math.nan
    plo, phi, pp = correlation_test(r, n, 1.0)
    slo, shi, sp = correlation_test(rho, n, 1.03)
    q1, q3 = np.quantile(x, 0.25), np.quantile(x, 0.75)
    qd = float(y[x >= q3].mean() - y[x <= q1].mean())
    med = float(np.median(y))
    iv = numeric_iv(name, x.tolist(), [1 if v > med else 0 for v in y], iv_bins)["iv"]
    sign = 0 if math.isnan(rho) or rho == 0 else (1 if rho > 0 else -1)
    return {"behaviour": name, "n": n, "sign": sign, "pearson_r": r, "pearson_ci_low": plo,
            "pearson_ci_high": phi, "pearson_p": pp, "spearman_rho": rho,
            "spearman_ci_low": slo, "spearman_ci_high": shi, "spearman_p": sp,
            "quartile_diff": qd, "iv": iv}


def rank_driver_rows(rows, by="spearman"):
    key = "partial_r" if by == "partial" else "spearman_rho"
    rows.sort(key=lambda r: (math.isnan(r[key]), -abs(r[key]) if not math.isnan(r[key]) else 0,
                             r["behaviour"]))
    for i, r in enumerate(rows):
        r["rank"] = i + 1
        v = r[key]
        r["sign"] = 0 if math.isnan(v) or v == 0 else (1 if v > 0 else -1)
    return rows


def json_rows(rows):
    out = []
    for r in rows:
        o = {"rank": r["rank"]}
        o.update({k: v for k, v in r.items() if k != "rank"})
        for k, v in o.items():
            if isinstance(v, float):
                o[k] = num(v)
        out.append(o)
    return out


def add_partials(rows, d, outcome):
    """Partial correlations (drivers.h) by ordinary least squares with numpy, over the complete
    cases d, behaviours entered in the order of rows (the Spearman ranking); a behaviour whose
    residual variance after regressing it on those kept before it is <= 1e-7 of its own is
    aliased (NaN)."""
    n = len(d)
    for r in rows:
        r.update({"partial_n": n, "partial_r": math.nan, "partial_ci_low": math.nan,
                  "partial_ci_high": math.nan, "partial_p": math.nan})
    y = d[outcome].to_numpy(dtype=float)
    if n < 2 or np.all(y == y[0]):
        return
    kept = []
    for r in rows:
        x = d[r["behaviour"]].to_numpy(dtype=float)
        xc = x - x.mean()
        ss = float(xc @ xc)
        if ss == 0:
            continue
        if kept:
            a = np.column_stack([d[k].to_numpy(dtype=float) for k in kept])
            a = a - a.mean(axis=0)
            res = xc - a @ np.linalg.lstsq(a, xc, rcond=None)[0]
        else:
            res = xc
        if float(res @ res) / ss <= 1e-7:
            continue
        kept.append(r["behaviour"])
    k = len(kept)
    if n < k + 3:
        return
    xk = np.column_stack([np.ones(n)] + [d[b].to_numpy(dtype=float) for b in kept])
    beta = np.linalg.lstsq(xk, y, rcond=None)[0]
    resid = y - xk @ beta
    dof = n - k - 1
    cov = float(resid @ resid) / dof * np.linalg.inv(xk.T @ xk)
    by_name = {r["behaviour"]: r for r in rows}
    for i, b in enumerate(kept):
        t = beta[i + 1] / math.sqrt(cov[i + 1, i + 1])
        pr = t / math.sqrt(t * t + dof)
        lo, hi, p = correlation_test(pr, n - k + 1, 1.0)
        by_name[b].update({"partial_r": pr, "partial_ci_low": lo, "partial_ci_high": hi,
                           "partial_p": p})


def expected_drivers(df, args):
    outcome = args["outcome"]
    iv_bins = args.get("iv_bins", 5)
    rank_by = args.get("rank_by", "spearman")
    behaviours = args.get("behaviours") or [
        c for c in df.columns if is_numeric(df, c) and c != outcome and c not in ID_COLUMNS]
    pw, pl = [], []
    for b in behaviours:
        d = df.dropna(subset=[b, outcome])
        pw.append(driver_row(b, d[b], d[outcome], iv_bins))
        pm = d.dropna(subset=["PersonId"]).groupby("PersonId")[[b, outcome]].mean()
        pl.append(driver_row(b, pm[b], pm[outcome], iv_bins))
    # The Spearman order first (the order behaviours enter the regression), then the partials.
    complete = df.dropna(subset=behaviours + [outcome])
    persons = (complete.dropna(subset=["PersonId"])
               .groupby("PersonId")[behaviours + [outcome]].mean())
    out = {}
    for level, rows, d in (("person_week", pw, complete), ("person", pl, persons)):
        rank_driver_rows(rows)
        add_partials(rows, d, outcome)
        out[level] = json_rows(rank_driver_rows(rows, rank_by))
    return {"analysis": "drivers", "outcome": outcome, "rank_by": rank_by,
            "person_week": out["person_week"], "person": out["person"]}


# ----------------------------------------------------------------------------------------------
# Group summaries

def expected_groups(df, args):
    metrics = args["metrics"]
    attrs = args.get("group_by", ["Organization"])
    mingroup = args.get("min_group_size", 5)
    rows = []
    for m in metrics:
        per_metric = []
        for a in attrs:
            d = df.dropna(subset=["PersonId", a, m])
            pm = d.groupby(["PersonId", a])[m].mean().reset_index()
            for g, sub in pm.groupby(a):
                v = sub[m].to_numpy(dtype=float)
                if len(v) < mingroup:
                    continue
                per_metric.append({"metric": m, "attribute": a, "group": g, "n": len(v),
                                   "mean": float(v.mean()),
                                   "sd": float(np.std(v, ddof=1)) if len(v) > 1 else math.nan,
                                   "median": float(np.median(v)), "min": float(v.min()),
                                   "max": float(v.max())})
        key = lambda r: (-r["mean"], r["attribute"], r["group"])
        for i, r in enumerate(sorted(per_metric, key=key)):
            r["rank_overall"] = i + 1
        for a in attrs:
            mine = sorted([r for r in per_metric if r["attribute"] == a], key=key)
            for i, r in enumerate(mine):
                r["rank_in_attribute"] = i + 1
            for r in mine:
                rows.append({k: (num(r[k]) if isinstance(r[k], float) else r[k]) for k in
                             ("metric", "attribute", "group", "n", "mean", "sd", "median", "min",
                              "max", "rank_in_attribute", "rank_overall")})
    return {"analysis": "groups", "min_group_size": mingroup, "rows": rows}


# ----------------------------------------------------------------------------------------------
# Hygiene

def week_key(df):
    weeks = sorted(df["MetricDate"].dropna().unique())  # ISO dates: text order is date order
    return {w: i for i, w in enumerate(weeks)}


def sort_exclusions(ex, wk):
    ex.sort(key=lambda e: (wk[e["week"]] if e["week"] else -1, e["person"]))
    for e in ex:
        e["value"] = num(e["value"])
        e["score"] = num(e["score"])
    return ex


def hyg_holiday(df, metric, zmax):
    d = df.dropna(subset=["MetricDate", metric])
    means = d.groupby("MetricDate")[metric].mean()
    out = []
    if len(means) >= 2:
        sd = float(means.std(ddof=1))
        if sd > 0:
            mu = float(means.mean())
            for w, m in means.items():
                z = (m - mu) / sd
                if z < zmax:
                    out.append({"kind": "holiday_week", "person": "", "week": w, "value": m,
                                "score": z})
    return out


def hyg_inactive(df, metric, zmax):
    d = df.dropna(subset=["PersonId", metric])
    out = []
    for p, sub in d.groupby("PersonId"):
        v = sub[metric].to_numpy(dtype=float)
        if len(v) < 2:
            continue
        sd = float(np.std(v, ddof=0))  # population sd, as vivainsights' identify_inactiveweeks
        if not sd > 0:
            continue
        mu = float(v.mean())
        for w, x in zip(sub["MetricDate"], v):
            z = (x - mu) / sd
            if z <= zmax:
                out.append({"kind": "inactive_person_week", "person": p, "week": w, "value": x,
                            "score": z})
    return out


def hyg_nkw(df, metric, threshold):
    d = df.dropna(subset=["PersonId", metric])
    pm = d.groupby("PersonId")[metric].mean()
    return [{"kind": "non_knowledge_worker", "person": p, "week": "", "value": m,
             "score": math.nan} for p, m in pm.items() if m < threshold]


def hyg_outlier(df, metric, mult):
    v = np.sort(df[metric].dropna().to_numpy(dtype=float))
    q1, q3 = np.quantile(v, 0.25), np.quantile(v, 0.75)
    fence = float(q3 + mult * (q3 - q1))
    d = df.dropna(subset=[metric])
    return [{"kind": "outlier_person_week", "person": p, "week": w, "value": x, "score": fence}
            for p, w, x in zip(d["PersonId"], d["MetricDate"], d[metric]) if x > fence]


def expected_hygiene(df, args):
    metric = args.get("metric", "Collaboration_hours")
    wk = week_key(df)
    rules = {
        "holiday": lambda: hyg_holiday(df, metric, args.get("holiday_z", -1)),
        "inactive": lambda: hyg_inactive(df, metric, args.get("inactive_z", -2)),
        "nkw": lambda: hyg_nkw(df, metric, args.get("nkw_threshold", 5)),
        "outlier": lambda: hyg_outlier(df, metric, args.get("outlier_iqr_multiplier", 3)),
    }
    rule = args["rule"]
    if rule != "all":
        return {"analysis": "hygiene", "exclusions": sort_exclusions(rules[rule](), wk)}
    ex = []
    drop = pd.Series(False, index=df.index)
    for name in ("holiday", "inactive", "nkw", "outlier"):
        found = rules[name]()
        for e in found:
            if e["kind"] == "holiday_week":
                drop |= df["MetricDate"] == e["week"]
            elif e["kind"] == "non_knowledge_worker":
                drop |= df["PersonId"] == e["person"]
            else:
                drop |= (df["PersonId"] == e["person"]) & (df["MetricDate"] == e["week"])
        ex.extend(sort_exclusions(found, wk))
    return {"analysis": "hygiene", "exclusions": ex, "rows_removed": int(drop.sum()),
            "rows_kept": int((~drop).sum())}


# ----------------------------------------------------------------------------------------------
# Patterns

def expected_trend(df, args):
    metric = args.get("metric", "Collaboration_hours")
    group_by = args.get("group_by", "Organization")
    mingroup = args.get("min_group_size", 5)
    d = df.copy()
    if not group_by:
        d["__g"] = "Total"
        group_by = "__g"
    weeks = sorted(df["MetricDate"].dropna().unique())
    d = d.dropna(subset=[group_by, "MetricDate", metric])
    points = []
    for g in sorted(d[group_by].unique()):
        prev = math.nan
        for w in weeks:
            cell = d[(d[group_by] == g) & (d["MetricDate"] == w)]
            n = cell["PersonId"].dropna().nunique()
            if len(cell) == 0 or n < mingroup:
                prev = math.nan
                continue
            m = float(cell[metric].mean())
            points.append({"group": g, "week": w, "n": int(n), "mean": m,
                           "change": num(m - prev)})
            prev = m
    return {"analysis": "trend", "metric": metric, "points": points}


def expected_habits(df, args):
    metric = args.get("metric", "Collaboration_hours")
    thr = args.get("threshold", 0)
    w = args.get("min_weeks", 3)
    k = args.get("last_weeks", 4)
    group_by = args.get("group_by", "Organization")
    mingroup = args.get("min_group_size", 5)
    members, habit = {}, {}
    for p, sub in df.dropna(subset=["PersonId", "MetricDate"]).groupby("PersonId"):
        grouped = sub.dropna(subset=[group_by]).sort_values("MetricDate")
        if len(grouped) == 0:
            continue
        g = grouped[group_by].iloc[-1]
        vals = sub.dropna(subset=[metric]).sort_values("MetricDate")[metric].tolist()[-k:]
        members[g] = members.get(g, 0) + 1
        habit[g] = habit.get(g, 0) + (1 if sum(v >= thr for v in vals) >= w else 0)
    groups = [{"group": g, "persons": members[g], "with_habit": habit[g],
               "share": habit[g] / members[g]} for g in sorted(members) if members[g] >= mingroup]
    return {"analysis": "habits", "metric": metric, "groups": groups}


def expected_gini(df, args):
    metric = args.get("metric", "Collaboration_hours")
    pm = df.dropna(subset=["PersonId", metric]).groupby("PersonId")[metric].mean()
    x = sorted(pm.tolist())
    n = len(x)
    total = sum(x)
    mean = total / n
    # The double sum of the definition, literally (O(n^2) is fine for a test).
    gini = sum(abs(a - b) for a in x for b in x) / (2 * n * n * mean)
    lorenz = [[0.0, 0.0]]
    cum = 0.0
    for i, v in enumerate(x):
        cum += v
        lorenz.append([(i + 1) / n, cum / total])
    return {"analysis": "gini", "metric": metric, "persons": n, "mean": mean, "gini": gini,
            "lorenz": lorenz}


EXPECTED = {"iv": expected_iv, "drivers": expected_drivers, "groups": expected_groups,
            "hygiene": expected_hygiene, "trend": expected_trend, "habits": expected_habits,
            "gini": expected_gini}


# ----------------------------------------------------------------------------------------------
# Case inputs (fixed seeds)

def weeks(n, start="2024-01-07"):
    base = pd.Timestamp(start)
    return [(base + pd.Timedelta(days=7 * i)).strftime("%Y-%m-%d") for i in range(n)]


def r2(v):
    return round(v, 2)


def iv_rows(seed, n=40):
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        meet = r2(rnd.uniform(2, 20))
        email = r2(rnd.uniform(1, 10))
        focus = r2(rnd.uniform(0, 15))
        after = r2(0.5 * meet + 0.2 * email + rnd.gauss(0, 2))
        rows.append({"PersonId": "p%02d" % (i % 10), "MetricDate": weeks(4)[i // 10],
                     "Meeting_hours": meet, "Email_hours": email, "Focus_hours": focus,
                     "After_hours_collaboration_hours": after})
    return rows


def person_week_rows(seed, orgs, n_weeks, extra=None):
    """orgs: list of (org, n_persons, level). One row per person-week."""
    rnd = random.Random(seed)
    rows = []
    pid = 0
    for org, count, level in orgs:
        for _ in range(count):
            pid += 1
            base = rnd.uniform(8, 30)
            for w in weeks(n_weeks):
                row = {"PersonId": "e%03d" % pid, "MetricDate": w, "Organization": org,
                       "LevelDesignation": level,
                       "Collaboration_hours": r2(max(0.0, base + rnd.gauss(0, 3))),
                       "Meeting_hours": r2(max(0.0, base / 2 + rnd.gauss(0, 2)))}
                if extra:
                    extra(row, rnd, pid)
                rows.append(row)
    return rows


def write_case(name, rows, args, columns=None):
    case_dir = os.path.join(HERE, name)
    os.makedirs(case_dir, exist_ok=True)
    columns = columns or list(rows[0].keys())
    with open(os.path.join(case_dir, "input.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    with open(os.path.join(case_dir, "args.json"), "w") as f:
        json.dump(args, f, indent=2)
        f.write("\n")
    df = read_input(case_dir)
    expected = EXPECTED[args["analysis"]](df, args)
    with open(os.path.join(case_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, allow_nan=False)
        f.write("\n")


def main():
    # IV: numeric predictors, default 5 bins.
    write_case("iv_basic", iv_rows(1), {"analysis": "iv",
                                        "outcome": "After_hours_collaboration_hours>=5"})
    # IV: bins = 2.
    write_case("iv_bins2", iv_rows(2), {"analysis": "iv", "bins": 2,
                                        "outcome": "After_hours_collaboration_hours>5"})
    # IV: a single bin (bins = 1): IV 0, but the Mann-Whitney p-value still defined.
    write_case("iv_single_bin", iv_rows(3), {"analysis": "iv", "bins": 1,
                                             "outcome": "After_hours_collaboration_hours>=5"})
    # IV: a constant column (one bin, IV 0, p undefined) next to a real one.
    rows = iv_rows(4)
    for r in rows:
        r["Constant_hours"] = 7.5
    write_case("iv_constant_column", rows, {"analysis": "iv",
                                            "outcome": "After_hours_collaboration_hours<6"})
    # IV: outcome true everywhere: degenerate, warning, IV 0 for all.
    write_case("iv_all_one_outcome", iv_rows(5), {"analysis": "iv",
                                                  "outcome": "Meeting_hours>=0"})
    # IV: heavy ties: duplicate cuts removed, empty bins skipped.
    rnd = random.Random(6)
    rows = [{"PersonId": "p%d" % i, "Ties": rnd.choice([0, 0, 0, 0, 1, 1, 2, 5]),
             "Half": float(i % 2), "Outcome": rnd.choice([0, 1, 2, 3])} for i in range(30)]
    write_case("iv_ties", rows, {"analysis": "iv", "outcome": "Outcome>=2", "bins": 5})
    # IV: missing values in the outcome and in predictors: rows dropped.
    rows = iv_rows(7)
    for i, r in enumerate(rows):
        if i % 7 == 3:
            r["Email_hours"] = None
        if i % 11 == 5:
            r["After_hours_collaboration_hours"] = None
        if i == 17:
            r["Focus_hours"] = None
    write_case("iv_missing_values", rows, {"analysis": "iv",
                                           "outcome": "After_hours_collaboration_hours>4",
                                           "bins": 3})
    # IV: categorical predictor (chi-square p-value) with a numeric one.
    rnd = random.Random(8)
    rows = []
    for i in range(60):
        org = rnd.choice(["Sales", "Finance", "IT", "HR"])
        base = {"Sales": 0.7, "Finance": 0.3, "IT": 0.5, "HR": 0.2}[org]
        rows.append({"PersonId": "p%d" % i, "Organization": org,
                     "Meeting_hours": r2(rnd.uniform(0, 20)),
                     "Won": 1 if rnd.random() < base else 0})
    write_case("iv_categorical", rows, {"analysis": "iv", "outcome": "Won==1",
                                        "predictors": ["Organization", "Meeting_hours"]})

    # Drivers: outcome related to two behaviours, one with ties.
    def revenue(row, rnd, pid):
        row["Emails_sent"] = rnd.choice([5, 10, 10, 15, 20])
        row["Revenue"] = r2(100 + 3 * row["Collaboration_hours"] - 2 * row["Emails_sent"]
                            + rnd.gauss(0, 10))
    rows = person_week_rows(9, [("Sales", 8, "IC"), ("IT", 6, "Manager")], 5, revenue)
    rows[3]["Revenue"] = None
    rows[10]["Emails_sent"] = None
    write_case("drivers_basic", rows, {"analysis": "drivers", "outcome": "Revenue",
                                       "behaviours": ["Collaboration_hours", "Meeting_hours",
                                                      "Emails_sent"]})

    # Drivers ranked by partial correlation: Email_hours moves with External_hours but has no
    # effect of its own (a strong marginal, a null partial); Collaboration_hours is the exact sum
    # of three behaviours and is aliased by whichever of them enters last; one missing value.
    def partial_extra(row, rnd, pid):
        external = r2(rnd.uniform(0, 10))
        row["External_hours"] = external
        row["Email_hours"] = r2(0.8 * external + rnd.gauss(0, 1))
        row["Focus_hours"] = r2(rnd.uniform(0, 15))
        row["Collaboration_hours"] = r2(external + row["Email_hours"] + row["Meeting_hours"])
        row["Revenue"] = r2(100 + 5 * external + 3 * row["Focus_hours"]
                            - 2 * row["Meeting_hours"] + rnd.gauss(0, 8))
    rows = person_week_rows(13, [("Sales", 7, "IC"), ("IT", 5, "Manager")], 6, partial_extra)
    rows[5]["Focus_hours"] = None
    write_case("drivers_partial", rows, {"analysis": "drivers", "outcome": "Revenue",
                                         "rank_by": "partial",
                                         "behaviours": ["Collaboration_hours", "Meeting_hours",
                                                        "Email_hours", "External_hours",
                                                        "Focus_hours"]})

    # Groups: one org exactly at the minimum (5), one just below (4): absent everywhere.
    rows = person_week_rows(10, [("Sales", 7, "IC"), ("Finance", 5, "Manager"),
                                 ("Legal", 4, "IC"), ("IT", 6, "Manager")], 3)
    write_case("groups_min_size", rows, {"analysis": "groups",
                                         "metrics": ["Collaboration_hours", "Meeting_hours"],
                                         "group_by": ["Organization", "LevelDesignation"],
                                         "min_group_size": 5})
    # Groups: a person who moves org mid-period contributes a person mean to each org; a missing
    # metric value reduces a group below the minimum for that metric only.
    rows = person_week_rows(11, [("Sales", 5, "IC"), ("IT", 6, "IC")], 4)
    for r in rows:
        if r["PersonId"] == "e003" and r["MetricDate"] >= "2024-01-21":
            r["Organization"] = "IT"
    for r in rows:
        if r["PersonId"] == "e001":
            r["Meeting_hours"] = None
    write_case("groups_moves_and_missing", rows, {"analysis": "groups",
                                                  "metrics": ["Collaboration_hours",
                                                              "Meeting_hours"],
                                                  "group_by": ["Organization"],
                                                  "min_group_size": 5})

    # Hygiene: a holiday week, an inactive week, a non-knowledge worker, an outlier week.
    rows = person_week_rows(12, [("Sales", 6, "IC"), ("IT", 6, "IC")], 8)
    for r in rows:
        if r["MetricDate"] == "2024-02-04":
            r["Collaboration_hours"] = r2(r["Collaboration_hours"] * 0.4)
        if r["PersonId"] == "e002" and r["MetricDate"] == "2024-01-21":
            r["Collaboration_hours"] = 0.5
        if r["PersonId"] == "e007":
            r["Collaboration_hours"] = r2(r["Collaboration_hours"] / 8)
        if r["PersonId"] == "e009" and r["MetricDate"] == "2024-02-18":
            r["Collaboration_hours"] = 140.0
        if r["PersonId"] == "e011":
            r["Collaboration_hours"] = 12.0  # sd 0: never inactive
    rows[5]["Collaboration_hours"] = None
    for rule in ("holiday", "inactive", "nkw", "outlier", "all"):
        write_case("hygiene_" + rule, rows, {"analysis": "hygiene", "rule": rule})

    # Trend: IT has 5 persons except one week where one is missing (suppressed that week).
    rows = person_week_rows(13, [("Sales", 6, "IC"), ("IT", 5, "IC"), ("HR", 3, "IC")], 5)
    rows = [r for r in rows if not (r["PersonId"] == "e008" and r["MetricDate"] == "2024-01-21")]
    write_case("trend_suppression", rows, {"analysis": "trend", "metric": "Collaboration_hours",
                                           "group_by": "Organization", "min_group_size": 5})
    write_case("trend_total", rows, {"analysis": "trend", "metric": "Meeting_hours",
                                     "group_by": "", "min_group_size": 5})

    # Habits: >= 15 collaboration hours in at least 3 of the last 4 weeks.
    rows = person_week_rows(14, [("Sales", 6, "IC"), ("IT", 5, "IC"), ("HR", 4, "IC")], 6)
    rows = [r for r in rows if not (r["PersonId"] == "e002" and r["MetricDate"] >= "2024-01-28")]
    write_case("habits_basic", rows, {"analysis": "habits", "metric": "Collaboration_hours",
                                      "threshold": 15, "min_weeks": 3, "last_weeks": 4,
                                      "group_by": "Organization", "min_group_size": 5})

    # Gini and Lorenz curve of person means.
    rows = person_week_rows(15, [("Sales", 9, "IC"), ("IT", 4, "IC")], 3)
    rows[0]["Collaboration_hours"] = None
    write_case("gini_basic", rows, {"analysis": "gini", "metric": "Collaboration_hours"})


if __name__ == "__main__":
    main()
