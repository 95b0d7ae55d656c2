"""An attacker on one summary: solves for every suppressed count from everything published.

    python3 summary_attack.py PUBLISHED.json TRUTH.json

PUBLISHED is a ketareg-summary payload as sent; TRUTH is the same summary built with a minimum cell
size of 1 (nothing suppressed, nothing rounded), which only the test has. The attacker knows:
- every published count, as the interval of counts its rounding could stand for;
- the suppression rules, as what a hidden count implies: a hidden condition, timepoint or
  co-intervention is small; a hidden outcome count means some eligible, assessed or missing of
  that scale is small; a hidden met beside a shown assessed, that some met or not-met of that rule
  is small; a hidden adverse event, that one of its counts is small; hidden routes, that a route is;
- more about the data than a real attacker could: every relation between counts (equal, one part
  of another, parts adding up to a total, across rows and across timepoints) that holds in the
  truth.
For each hidden count that is small (1 up to the largest count never shown), it finds by integer
programming (scipy's HiGHS) the smallest and largest values consistent with all of that, and
prints one JSON line: {"cell": ..., "truth": n, "low": a, "high": b}. The test asserts low < high
(not pinned) and low <= truth <= high (the attacker is sound). The last line counts what was used.
"""
import json
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

published, truth = (json.load(open(path)) for path in sys.argv[1:3])
k = published["minimumCellSize"]
base = published["roundingBase"]
BIG = 10**5


def small(count):
    """The builder's rule: hidden unless every count its rounded value could stand for is >= k."""
    return count > 0 and (count + base // 2) // base * base - base // 2 < k


largest_small = max(x for x in range(1, k + 2 * base) if small(x))

names, true_values, bounds = [], [], []  # one integer variable per count


def variable(name, true_value, shown=None, hidden_bounds=(0, BIG)):
    """shown: the published count, or None when hidden (then anything the rules allow)."""
    names.append(name)
    true_values.append(true_value)
    if shown is not None:
        # Rounded to the nearest multiple of base: base // 2 below to (base + 1) // 2 - 1 above.
        bounds.append((0, 0) if shown == 0 else (shown - base // 2, shown + (base + 1) // 2 - 1))
    else:
        bounds.append(hidden_bounds)
    return len(names) - 1


def must_be_small(i):
    bounds[i] = (1, largest_small)


constraints = []  # (coefficients {index: c}, low, high)


def one_is_small(cells):
    """At least one of these counts is from 1 to largest_small: a binary z per count."""
    flags = []
    for i in cells:
        z = variable(f"{names[i]} is small", int(small(true_values[i])), hidden_bounds=(0, 1))
        constraints.append(({i: 1, z: -1}, 0, BIG))  # x >= z
        constraints.append(({i: 1, z: BIG}, -BIG, largest_small + BIG))  # x <= largest_small when z
        flags.append(z)
    constraints.append(({z: 1 for z in flags}, 1, len(flags)))


def by(items, *fields):
    return {tuple(item.get(f) for f in fields): item for item in items}


def relation(terms, low, high):
    """A relation the attacker is assumed to know: kept only when the truth satisfies it."""
    value = sum(c * true_values[i] for i, c in terms.items())
    if low <= value <= high:
        constraints.append((terms, low, high))


hidden = []
for condition in truth["conditions"]:
    shown_condition = by(published["conditions"], "condition")[(condition["condition"],)]
    n = variable(f'{condition["condition"]} patients', condition["patients"], shown_condition.get("patients"))
    if shown_condition.get("patients") is None:
        must_be_small(n)
        hidden.append(n)
        continue
    shown_scales = by(shown_condition["scales"], "scale")
    shown_rows = by(shown_condition["outcomes"], "outcome", "scale", "subscore", "window", "visit")
    family = {}  # scale: its rows' eligible, assessed and missing
    family_hidden = set()
    rows = []
    for row in condition["outcomes"]:
        shown = shown_rows.get((row["outcome"], row["scale"], row.get("subscore"), row["window"], row.get("visit")))
        if shown is None:
            continue
        label = f'{condition["condition"]} {row["outcome"]} {row["scale"]} {row["window"]} {row.get("visit", "")}'
        cells = {f: variable(f"{label} {f}", row[f], shown.get(f)) for f in ("eligible", "assessed", "missing", "met")}
        cells["not met"] = variable(f"{label} not met", row["assessed"] - row["met"])
        constraints.append(({cells["not met"]: 1, cells["assessed"]: -1, cells["met"]: 1}, 0, 0))
        hidden += [i for f, i in cells.items() if f != "not met" and shown.get(f) is None]
        family.setdefault(row["scale"], []).extend(cells[f] for f in ("eligible", "assessed", "missing"))
        if shown.get("eligible") is None or shown.get("assessed") is None:
            family_hidden.add(row["scale"])
        relation({cells["eligible"]: 1, cells["assessed"]: -1, cells["missing"]: -1}, 0, 0)
        relation({cells["met"]: 1, cells["assessed"]: -1}, -BIG, 0)
        relation({cells["eligible"]: 1, n: -1}, -BIG, 0)
        relation({cells["eligible"]: 1, n: -1}, 0, 0)
        rows.append((row, shown, cells))
    for scale in family_hidden:
        one_is_small(family[scale])
    # A hidden met beside a shown assessed: some met or not-met of that rule is small.
    for rule in {(row["scale"], row["outcome"]) for row, shown, _ in rows if shown.get("met") is None and shown.get("assessed") is not None}:
        one_is_small([c[f] for row, _, c in rows if (row["scale"], row["outcome"]) == rule for f in ("met", "not met")])
    timepoints = {}
    for scale in condition["scales"]:
        shown_points = by(shown_scales.get((scale["scale"],), {"timepoints": []})["timepoints"], "timepoint")
        for point in scale["timepoints"]:
            shown = shown_points.get((point["timepoint"],))
            if shown is None:
                continue
            i = variable(f'{condition["condition"]} {scale["scale"]} {point["timepoint"]} patients', point["patients"], shown.get("patients"))
            if shown.get("patients") is None:
                hidden.append(i)
                if scale["scale"] in family_hidden:
                    one_is_small([i] + family[scale["scale"]])
                else:
                    must_be_small(i)
            timepoints[(scale["scale"], point["timepoint"])] = i
            relation({i: 1, n: -1}, -BIG, 0)
            relation({i: 1, n: -1}, 0, 0)
    for row, _, cells in rows:
        # Against the timepoints: the eligible - end-of-course patients = missing, and more.
        for (scale, point), t in timepoints.items():
            if scale != row["scale"]:
                continue
            for f in ("eligible", "assessed", "missing", "met"):
                relation({cells[f]: 1, t: -1}, 0, 0)
                relation({cells[f]: 1, t: -1}, -BIG, 0)
                relation({cells[f]: 1, t: -1}, 0, BIG)
    # Rows sharing a population: equal counts, or one part of the other.
    for _, _, a in rows:
        for _, _, b in rows:
            if a is b:
                continue
            for f in ("eligible", "assessed", "missing", "met", "not met"):
                relation({a[f]: 1, b[f]: -1}, 0, 0)
                relation({a[f]: 1, b[f]: -1}, -BIG, 0)
    treatment, shown_treatment = condition.get("treatment") or {}, shown_condition.get("treatment") or {}
    shown_routes = by(shown_treatment.get("routes", []), "route")
    routes = []
    for route in treatment.get("routes", []):
        shown = shown_routes.get((route["route"],))
        i = variable(f'{condition["condition"]} route {route["route"]}', route["patients"], None if shown is None else shown["patients"])
        if shown is None:
            hidden.append(i)
        routes.append(i)
        relation({i: 1, n: -1}, -BIG, 0)
    if routes and shown_treatment.get("routesSuppressed"):
        one_is_small(routes)
    if routes:
        relation({**{i: 1 for i in routes}, n: -1}, 0, 0)
        relation({**{i: 1 for i in routes}, n: -1}, 0, BIG)
    shown_events = by(shown_condition["adverseEvents"], "term", "grade")
    for event in condition["adverseEvents"]:
        shown = shown_events.get((event["term"], event["grade"]), {})
        cells = {f: variable(f'{condition["condition"]} {event["term"]} {event["grade"]} {f}', event[f], shown.get(f)) for f in ("patients", "events", "serious")}
        if shown.get("patients") is None:
            hidden += list(cells.values())
            one_is_small([i for i in cells.values() if true_values[i] > 0] or list(cells.values()))
        relation({cells["patients"]: 1, cells["events"]: -1}, -BIG, 0)
        relation({cells["serious"]: 1, cells["events"]: -1}, -BIG, 0)
        relation({cells["patients"]: 1, n: -1}, -BIG, 0)
    shown_others = by(shown_condition["coInterventions"], "kind")
    for item in condition["coInterventions"]:
        shown = shown_others.get((item["kind"],), {})
        i = variable(f'{condition["condition"]} {item["kind"]} patients', item["patients"], shown.get("patients"))
        if shown.get("patients") is None:
            must_be_small(i)
            hidden.append(i)
        relation({i: 1, n: -1}, -BIG, 0)

hidden_small = [i for i in sorted(set(hidden)) if small(true_values[i])]
count = len(names)
matrix = np.zeros((max(1, len(constraints)), count))
low = np.full(max(1, len(constraints)), -np.inf)
high = np.full(max(1, len(constraints)), np.inf)
for row, (terms, lo, hi) in enumerate(constraints):
    for i, c in terms.items():
        matrix[row, i] = c
    low[row], high[row] = lo, hi
box = Bounds([b[0] for b in bounds], [b[1] for b in bounds])
for i in hidden_small:
    ends = []
    for sign in (1, -1):
        objective = np.zeros(count)
        objective[i] = sign
        result = milp(objective, integrality=np.ones(count), bounds=box, constraints=LinearConstraint(matrix, low, high))
        if not result.success:
            print(json.dumps({"cell": names[i], "error": result.message}))
            sys.exit(2)
        ends.append(round(result.x[i]))
    print(json.dumps({"cell": names[i], "truth": true_values[i], "low": ends[0], "high": ends[1]}))
print(json.dumps({"variables": count, "relations": len(constraints), "smallHidden": len(hidden_small)}))
