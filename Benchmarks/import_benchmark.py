#!/usr/bin/env python3
"""Import benchmark: `ketareg import` of N assessment rows against the sqlite3 command line's
`.import` of the same rows into a bare table, timed in one run, reported as a ratio.

It also imports a file a tenth the size and compares peak memory: the importer streams, so its
peak resident memory should not grow with the file. Then a clinic-shaped file (enrolments,
infusions and assessments of several scales, as `registry_benchmark.py` writes it) gets the same
comparison: infusions cost more than assessments (condition checks, vital-sign flags, the age at
the first infusion).

Usage: Benchmarks/import_benchmark.py [--rows N] [--clinic-patients N] [--binary PATH]
       (default 1,000,000 rows and a clinic of 100,000 patients; --clinic-patients 0 skips it)
"""
import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time

PATIENTS = 1000


def write_file(path, rows):
    """An enrolment row per patient, then `rows` PHQ-9 assessments spread over them."""
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["record", "mrn", "on", "given", "family", "birth-date", "sex", "condition", "scale", "timepoint", "answers"])
        for patient in range(PATIENTS):
            out.writerow(["enrolment", f"B-{patient}", "2020-01-01", "Bench", f"Patient {patient}", "1970-01-01", "female", "depression", "", "", ""])
        for row in range(rows):
            answers = ";".join(str((row + item) % 4) for item in range(9))
            day = 1 + row % 28
            out.writerow(["assessment", f"B-{row % PATIENTS}", f"2021-{1 + row % 12:02d}-{day:02d}", "", "", "", "", "", "phq9",
                          "follow-up", answers])


def measure(command, env=None):
    """Wall seconds and peak resident memory (MiB) of one command, run in a child of its own."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "elapsed = time.perf_counter() - start\n"
        "if result.returncode != 0: sys.stderr.write(result.stderr.decode()); sys.exit(result.returncode)\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    output = subprocess.run([sys.executable, "-c", probe] + command, env=env, check=True, capture_output=True, text=True).stdout
    seconds, megabytes = output.split()
    return float(seconds), float(megabytes)


def ketareg_import(binary, folder, data, name):
    registry = os.path.join(folder, f"{name}.sqlite")
    env = dict(os.environ, KETAREG_REGISTRY=registry)
    subprocess.run([binary, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    return measure([binary, "import", data], env=env)


def sqlite_import(folder, data, name):
    database = os.path.join(folder, f"{name}-bare.sqlite")
    subprocess.run(["sqlite3", database, "CREATE TABLE import (record, mrn, \"on\", given, family, \"birth-date\", sex, condition, scale, timepoint, answers);"], check=True)
    return measure(["sqlite3", database, ".mode csv", f".import --skip 1 {data} import"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clinic-patients", type=int, default=100_000)
    parser.add_argument("--binary", default=".build/release/ketareg")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ketareg-bench-") as folder:
        results = {}
        for label, rows in (("small", options.rows // 10), ("full", options.rows)):
            data = os.path.join(folder, f"{label}.csv")
            write_file(data, rows)
            total = rows + PATIENTS
            print(f"{label}: {total:,} rows ({os.path.getsize(data) / 2**20:.0f} MiB)", flush=True)
            seconds, memory = ketareg_import(options.binary, folder, data, label)
            reference, reference_memory = sqlite_import(folder, data, label)
            results[label] = (total, seconds, memory, reference, reference_memory)
            print(f"  ketareg import: {total / seconds:>10,.0f} rows/s  {seconds:7.1f} s  peak {memory:6.0f} MiB", flush=True)
            print(f"  sqlite3 .import:{total / reference:>10,.0f} rows/s  {reference:7.1f} s  peak {reference_memory:6.0f} MiB", flush=True)
            print(f"  ratio: ketareg takes {seconds / reference:.1f}x the time of sqlite3's bare .import", flush=True)
        small, full = results["small"], results["full"]
        print(f"peak memory: {small[2]:.0f} MiB for {small[0]:,} rows, {full[2]:.0f} MiB for {full[0]:,} rows "
              f"({full[2] / small[2]:.2f}x for {full[0] / small[0]:.0f}x the rows)")
        if options.clinic_patients > 0:
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            from registry_benchmark import write_clinic
            data = os.path.join(folder, "clinic.csv")
            total = write_clinic(data, options.clinic_patients)
            print(f"clinic-shaped: {options.clinic_patients:,} patients, {total:,} rows ({os.path.getsize(data) / 2**20:.0f} MiB)", flush=True)
            seconds, memory = ketareg_import(options.binary, folder, data, "clinic")
            bare = os.path.join(folder, "clinic-bare.sqlite")
            reference, reference_memory = measure(["sqlite3", bare, ".mode csv", f".import {data} import_rows"])
            print(f"  ketareg import: {total / seconds:>10,.0f} rows/s  {seconds:7.1f} s  peak {memory:6.0f} MiB", flush=True)
            print(f"  sqlite3 .import:{total / reference:>10,.0f} rows/s  {reference:7.1f} s  peak {reference_memory:6.0f} MiB", flush=True)
            print(f"  ratio: ketareg takes {seconds / reference:.1f}x the time of sqlite3's bare .import", flush=True)


if __name__ == "__main__":
    main()
