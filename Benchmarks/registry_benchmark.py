#!/usr/bin/env python3
"""Registry benchmark: a clinic-shaped registry of N patients, each command timed against the
same work done by the `sqlite3` command line on the same file, in one run.

For each patient: an enrolment (depression, migraine or neuropathic pain, a third each), three
infusions and nine assessments on the condition's scales (baseline, end of course, follow-up),
imported through `ketareg import`. Then each command below runs against its reference query
(`Benchmarks/reference_queries.sql`, one labelled query per command), interleaved, three times
after one untimed run of each (thirty times when the command takes under 50 ms); the table
reports medians, the ratio ketareg/sqlite3 and ketareg's peak resident memory. The import, too,
runs three times (each into a new registry) against `.import` into a new bare table.

With --floor it also builds `Benchmarks/StartupFloor`, a program that parses its command line with
ArgumentParser as ketareg does and does nothing else, built as ketareg is, and times its `--version`
in the same way: the start-up any such command line has on the machine, under ketareg's own.

Usage: Benchmarks/registry_benchmark.py [--patients N] [--binary PATH] [--runs 3] [--json FILE] [--floor]
       (default 100,000 patients; build first with `Scripts/build-release`)
"""
import argparse
import csv
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONDITIONS = {
    "depression": [("phq9", 9, 3), ("madrs", 10, 6)],
    "migraine": [("headache-nrs", 1, 10), ("mhd", 1, 28)],
    "neuropathic-pain": [("pain-nrs", 1, 10), ("dn4", 10, 1)],
}


def write_clinic(path, patients):
    """Enrolments, infusions and assessments in the long CSV format; returns the row count."""
    columns = ["record", "mrn", "on", "given", "family", "birth-date", "sex", "condition", "research-consent",
               "for", "dose-mg-per-kg", "minutes", "scale", "timepoint", "answers"]
    rows = 0
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        for patient in range(patients):
            condition = list(CONDITIONS)[patient % 3]
            first = datetime.date(2025, 1, 1) + datetime.timedelta(days=patient % 300)
            def date(offset):
                return (first + datetime.timedelta(days=offset)).isoformat()
            mrn = f"B-{patient}"
            def row(**values):
                return [values.get(column, "") for column in columns]
            out.writerow(row(record="enrolment", mrn=mrn, on=date(-7), given="Bench", family=f"Patient {patient}",
                             **{"birth-date": f"{1940 + patient % 60}-0{1 + patient % 9}-1{patient % 9}", "sex": ["female", "male"][patient % 2],
                                "condition": condition, "research-consent": "yes"}))
            scales = CONDITIONS[condition]
            for scale, items, top in scales:
                out.writerow(row(record="assessment", mrn=mrn, on=date(-1), scale=scale, timepoint="baseline",
                                 answers=";".join(str((patient + item) % (top + 1)) for item in range(items))))
            for offset in (0, 3, 6):
                out.writerow(row(record="infusion", mrn=mrn, on=date(offset), **{"for": condition, "dose-mg-per-kg": "0.5", "minutes": "40"}))
            for timepoint, offset in (("post-infusion", 8), ("follow-up", 40), ("follow-up", 100)):
                for scale, items, top in scales[:1] if timepoint == "follow-up" and offset == 100 else scales:
                    out.writerow(row(record="assessment", mrn=mrn, on=date(offset), scale=scale, timepoint=timepoint,
                                     answers=";".join(str((patient + item + offset) % (top + 1) // 2) for item in range(items))))
            rows += 1 + len(scales) + 3 + 2 * len(scales) + 1
    return rows


def measure(command, env=None, stdin=None):
    """Wall seconds and peak resident memory (MiB) of one command, in a child of its own."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "stdin = open(sys.argv[1]) if sys.argv[1] != '-' else None\n"
        "start = time.perf_counter()\n"
        "result = subprocess.run(sys.argv[2:], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "elapsed = time.perf_counter() - start\n"
        "if result.returncode != 0: sys.stderr.write(result.stderr.decode()); sys.exit(result.returncode)\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    output = subprocess.run([sys.executable, "-c", probe, stdin or "-"] + command, env=env, check=True, capture_output=True, text=True).stdout
    seconds, megabytes = output.split()
    return float(seconds), float(megabytes)


def duration(seconds):
    """Seconds for the table: milliseconds (one decimal) under a second."""
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def reference_queries():
    """The labelled queries of reference_queries.sql: `-- name` then the SQL up to the next label."""
    queries, name, lines = {}, None, []
    for line in open(os.path.join(HERE, "reference_queries.sql")):
        if line.startswith("-- @"):
            if name: queries[name] = "".join(lines)
            name, lines = line[4:].strip(), []
        elif name:
            lines.append(line)
    if name: queries[name] = "".join(lines)
    return queries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--binary", default=os.path.join(HERE, "..", ".build", "release", "ketareg"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--floor", action="store_true",
                        help="also build Benchmarks/StartupFloor (ArgumentParser alone, built as ketareg is) and time its --version: "
                             "the start-up any ArgumentParser command line has here before it does any work")
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)
    queries = reference_queries()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "clinic.csv")
        rows = write_clinic(data, arguments.patients)
        # The import runs --runs times, each into a new registry, interleaved with `.import` into a
        # new bare table; the median of each goes in the table. The last registry stays for the
        # commands below.
        registry = os.path.join(folder, "registry.sqlite")
        env = dict(os.environ, KETAREG_REGISTRY=registry, KETAREG_TODAY="2026-11-26", KETAREG_CONDITIONS=os.path.join(folder, "none"))
        os.makedirs(env["KETAREG_CONDITIONS"])
        token = os.path.join(folder, "token")
        with open(token, "w") as handle: handle.write("benchmark\n")
        os.chmod(token, 0o600)
        mine, theirs, memories = [], [], []
        for _ in range(arguments.runs):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(registry + suffix): os.remove(registry + suffix)
            subprocess.run([binary, "init", "--clinic", "Benchmark clinic"], env=env, check=True, stdout=subprocess.DEVNULL)
            for name, profile in (("summary", "summary"), ("records", "records")):
                subprocess.run([binary, "endpoint", "add", name, "--url", "https://research.invalid/x", "--token-file", token, "--profile", profile],
                               env=env, check=True, stdout=subprocess.DEVNULL)
            seconds, memory = measure([binary, "import", data], env=env)
            mine.append(seconds); memories.append(memory)
            bare = os.path.join(folder, "bare.sqlite")
            if os.path.exists(bare): os.remove(bare)
            theirs.append(measure(["sqlite3", bare, ".mode csv", f".import {data} import_rows"])[0])
        results.append({"command": f"import, clinic-shaped file ({rows:,} rows)", "ketareg": statistics.median(mine),
                        "sqlite3": statistics.median(theirs), "peakMiB": max(memories)})
        commands = [
            ("patients --condition depression --json", [binary, "patients", "--condition", "depression", "--json"], "patients"),
            ("patient show (one patient)", [binary, "patient", "show", "P-000001"], "patient-show"),
            ("outcomes --json", [binary, "outcomes", "--json"], "outcomes"),
            ("due", [binary, "due"], "due"),
            ("export preview (summary)", [binary, "export", "preview", "summary"], "summary"),
            ("export preview (records)", [binary, "export", "preview", "records"], "records"),
            ("--version (start-up)", [binary, "--version"], None),
        ]
        floor_label = "--version of ArgumentParser alone (Benchmarks/StartupFloor)"
        if arguments.floor:
            package = os.path.join(HERE, "StartupFloor")
            built = subprocess.run([os.path.join(HERE, "..", "Scripts", "build-release"), "--package-path", package],
                                   capture_output=True, text=True)
            if built.returncode != 0:
                sys.exit(f"cannot build {package}:\n{built.stdout}{built.stderr}")
            floor = [os.path.join(package, ".build", "release", "startup-floor"), "--version"]
            commands.append((floor_label, floor, None))
        for label, command, query in commands:
            if query:
                sql = os.path.join(folder, f"{query}.sql")
                with open(sql, "w") as handle: handle.write(queries[query])
                reference = (["sqlite3", registry], sql)
            else:
                reference = (["sqlite3", ":memory:", "select 1"], None)
            # One untimed run of each side first. A command that takes milliseconds is then run ten
            # times as often: one run of it varies by about a millisecond on this machine.
            first, _ = measure(command, env=env)
            measure(reference[0], stdin=reference[1])
            repeats = arguments.runs * (10 if first < 0.05 else 1)
            mine, theirs, memories = [], [], []
            for _ in range(repeats):
                seconds, memory = measure(command, env=env)
                mine.append(seconds); memories.append(memory)
                theirs.append(measure(reference[0], stdin=reference[1])[0])
            results.append({"command": label, "ketareg": statistics.median(mine), "sqlite3": statistics.median(theirs), "peakMiB": max(memories)})
    # Issue 12's goals: a ratio to sqlite3 (and to sqlite3 with start-up taken from both), memory.
    goals = {"import": 8, "patients": 3, "patient show": 3, "outcomes": 3, "due": 3, "export preview (summary)": 3, "export preview (records)": 4}
    flat_memory = ("outcomes", "due", "export preview")
    startup = next(r for r in results if r["command"].startswith("--version"))
    print(f"Registry benchmark, {datetime.date.today()}: {arguments.patients:,} patients, medians of {arguments.runs} interleaved runs "
          f"({arguments.runs * 10} for commands under 50 ms)\n")
    print("| command | ketareg | sqlite3 | ratio | start-up excluded | peak memory | goal |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        result["ratio"] = result["ketareg"] / max(result["sqlite3"], 1e-9)
        label = result["command"]
        excluded = None
        if not label.startswith(("import", "--version")):
            excluded = max(result["ketareg"] - startup["ketareg"], 1e-9) / max(result["sqlite3"] - startup["sqlite3"], 1e-9)
            result["ratioWithoutStartup"] = excluded
        if label == floor_label:
            goal, met = "reference: the floor under ketareg's start-up", None
        elif label.startswith("--version"):
            goal, met = "<= 5 ms", result["ketareg"] <= 0.005
        else:
            limit = next(value for key, value in goals.items() if label.startswith(key))
            goal, met = f"<= {limit}x", result["ratio"] <= limit
            if label.startswith("patient"):
                goal, met = goal + ", <= 2x without start-up", met and excluded is not None and excluded <= 2
            if label.startswith(flat_memory):
                goal, met = goal + ", <= 60 MiB", met and result["peakMiB"] <= 60
        result["goal"], result["met"] = goal, met
        print(f"| {label} | {duration(result['ketareg'])} | {duration(result['sqlite3'])} | {result['ratio']:.1f}x | "
              f"{'-' if excluded is None else f'{excluded:.1f}x'} | {result['peakMiB']:.0f} MiB | {goal}{'' if met is None else ': met' if met else ': not met'} |")
    if arguments.json:
        with open(arguments.json, "w") as handle:
            json.dump({"date": str(datetime.date.today()), "patients": arguments.patients, "runs": arguments.runs, "results": results}, handle, indent=2)


if __name__ == "__main__":
    main()
