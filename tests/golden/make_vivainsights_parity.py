#!/usr/bin/python3
"""Writes the parity cases tests/golden/parity_*: expected outputs produced by vivainsights-py
itself (Microsoft's package that Viva Insights analysts use), not by a re-implementation.

Procedure (facts and numbers come from vivainsights-py; none of its code is committed here):
  1. Fetch https://github.com/microsoft/vivainsights-py (tested at commit 08e3ac4) and pass the
     folder holding its `vivainsights/` package as the first argument.
  2. Run with Debian's python3 (python3-pandas, python3-scipy; matplotlib is not needed: the
     plotting module is replaced by an empty stand-in, only non-plot return types are used):
         /usr/bin/python3 tests/golden/make_vivainsights_parity.py /path/to/vivainsights-py \
             [/path/to/shared/data]
  3. Cases written:
     parity_pq_hygiene   ../shared/data/pq_data.csv (the package's own sample person query)
     parity_sim_hygiene  a vivasim person query (input.csv here: 60 people, 10 weeks, seed 5,
                         the columns the rules read)
     Each runs identify_holidayweeks(sd=1, "labelled_data"), identify_inactiveweeks(sd=2, "data")
     and identify_nkw(collab_threshold=5 and 15, "data_with_flag"), and compute_gini on the
     persons' means of one metric, and records the flagged weeks,
     person-weeks and persons (sorted). golden_test.cc runs vivalink's FindHolidayWeeks (with
     holiday_min_weeks = 2, vivainsights has no minimum), FindInactiveWeeks and
     FindNonKnowledgeWorkers on the same input and compares.
"""
import ast
import importlib.util
import json
import os
import sys
import types

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))


def FunctionFrom(checkout, file_name, function):
    """One function of a package module, compiled from the package's own source (the module's
    top-level imports, plotting included, are not run)."""
    with open(os.path.join(checkout, "vivainsights", file_name)) as f:
        tree = ast.parse(f.read())
    body = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    namespace = {"pd": pd, "np": np}
    exec(compile(ast.Module(body=body, type_ignores=[]), file_name, "exec"), namespace)
    return namespace[function]


def load_vivainsights(checkout):
    # Stand-ins for the plotting library and for the package's __init__ (which imports every
    # module, plotting included); each rule module is loaded from its own file.
    for name in ["matplotlib", "matplotlib.pyplot", "matplotlib.ticker"]:
        mod = types.ModuleType(name)
        mod.FixedLocator = object
        sys.modules[name] = mod
    package = types.ModuleType("vivainsights")
    package.__path__ = [os.path.join(checkout, "vivainsights")]
    sys.modules["vivainsights"] = package
    # create_bar.py imports the plotting library at the top: only its create_bar_calc function is
    # taken (compiled from the package's own source), which identify_inactiveweeks calls.
    bar = types.ModuleType("vivainsights.create_bar")
    bar.create_bar_calc = FunctionFrom(checkout, "create_bar.py", "create_bar_calc")
    sys.modules["vivainsights.create_bar"] = bar
    rules = {"compute_gini": FunctionFrom(checkout, "create_lorenz.py", "compute_gini")}
    for name in ["identify_holidayweeks", "identify_inactiveweeks", "identify_nkw"]:
        path = os.path.join(checkout, "vivainsights", name + ".py")
        spec = importlib.util.spec_from_file_location("vivainsights." + name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rules[name] = getattr(module, name)
    return rules


def flags(rules, data, gini_metric):
    weeks = rules["identify_holidayweeks"](data.copy(), sd=1, return_type="labelled_data")
    holiday = sorted({d.strftime("%Y-%m-%d") for d in weeks.loc[weeks.holidayweek, "MetricDate"]})
    inactive = rules["identify_inactiveweeks"](data.copy(), sd=2, return_type="data")
    person_weeks = sorted(
        "%s %s" % (p, pd.Timestamp(d).strftime("%Y-%m-%d"))
        for p, d in inactive.loc[inactive.inactiveweek, ["PersonId", "MetricDate"]].values)
    nkw = rules["identify_nkw"](data.copy(), collab_threshold=5, return_type="data_with_flag")
    persons = sorted(set(nkw.loc[nkw.flag_nkw == "nkw", "PersonId"]))
    nkw15 = rules["identify_nkw"](data.copy(), collab_threshold=15, return_type="data_with_flag")
    persons15 = sorted(set(nkw15.loc[nkw15.flag_nkw == "nkw", "PersonId"]))
    return {"analysis": "parity_hygiene", "holiday_weeks": holiday,
            "inactive_person_weeks": person_weeks, "non_knowledge_workers": persons,
            "non_knowledge_workers_15": persons15, "gini_metric": gini_metric,
            # compute_gini over the persons' means (vivalink's Gini is of person means; the
            # package's create_lorenz applies the same formula to person-week rows).
            "gini_of_person_means": float(rules["compute_gini"](
                data.groupby("PersonId")[gini_metric].mean().to_numpy()))}


def write_case(name, args, expected):
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "args.json"), "w") as f:
        json.dump(args, f, indent=2)
        f.write("\n")
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


def main():
    rules = load_vivainsights(sys.argv[1])
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "..", "shared",
                                                                 "data")
    pq = pd.read_csv(os.path.join(shared, "pq_data.csv"))
    write_case("parity_pq_hygiene", {"analysis": "parity_hygiene", "shared_input":
                                     "data/pq_data.csv", "gini_metric": "Emails_sent"},
               flags(rules, pq, "Emails_sent"))
    sim = pd.read_csv(os.path.join(HERE, "parity_sim_hygiene", "input.csv"),
                      keep_default_na=False, na_values=[""])
    write_case("parity_sim_hygiene", {"analysis": "parity_hygiene",
                                      "gini_metric": "Collaboration_hours"},
               flags(rules, sim, "Collaboration_hours"))


if __name__ == "__main__":
    main()
