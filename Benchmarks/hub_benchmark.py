#!/usr/bin/env python3
"""Hub benchmark: ketareg-hub receiving many clinics' payloads, against bare PostgreSQL INSERTs.

Starts a PostgreSQL cluster of its own (Scripts/postgres) and `ketareg-hub serve` on loopback,
registers N clinics, then a load generator sends N clinics x M summary payloads (each with its own
Idempotency-Key) from C concurrent connections, and reports payloads per second and the p99
latency. The reference is pgbench running the same rows as bare INSERTs (the payload's bytes, and
one row per outcome it carries) in one transaction each, from the same number of clients, on the
same cluster: the ratio is what authentication, validation, unpacking and HTTP cost.

Then it fills the database with 1,000 clinics x 24 months of summaries (SQL, not HTTP) and times
`ketareg-hub outcomes --json` against psql running the query behind it on the same data.

Usage: Benchmarks/hub_benchmark.py [--clinics 20] [--payloads 25] [--concurrency 8]
       [--outcome-clinics 1000] [--months 24] [--binary .build/release/ketareg-hub] [--json FILE]
(build first with `swift build -c release --product ketareg-hub`)
"""
import argparse
import datetime
import glob
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONDITIONS = {
    "depression": [("response", "phq9"), ("remission", "phq9"), ("madrs-response", "madrs"), ("madrs-remission", "madrs")],
    "migraine": [("response", "headache-nrs"), ("monthly-days-response", "mhd")],
    "neuropathic-pain": [("moderate-improvement", "pain-nrs"), ("substantial-improvement", "pain-nrs")],
}


def summary(clinic, period, seed):
    """A summary payload shaped like a clinic's: three conditions, an outcome row per outcome,
    window and visit, timepoints per scale."""
    conditions = []
    for index, (condition, outcomes) in enumerate(CONDITIONS.items()):
        rows = []
        for outcome, scale in outcomes:
            for window, visit in (("immediate", None), ("sustained", "visit-1"), ("sustained", "visit-2")):
                assessed = 40 + (seed * 7 + index * 13) % 160
                met = 11 + (seed * 5 + len(rows) * 3) % (assessed - 21)
                row = {"outcome": outcome, "protocol": "module/1.0", "scale": scale,
                       "rule": "at least 50% lower than baseline", "window": window,
                       "eligible": assessed, "assessed": assessed, "missing": 0, "met": met, "rate": met / assessed,
                       "rateMissingAsNonResponse": met / assessed, "suppressed": False, "computedIn": period}
                if visit:
                    row["visit"] = visit
                rows.append(row)
        scales = sorted({scale for _, scale in outcomes})
        conditions.append({
            "condition": condition, "patients": 200, "suppressed": False, "computedIn": period, "suppressedCells": 0,
            "scales": [{"scale": scale, "timepoints": [
                {"timepoint": timepoint, "patients": 150, "mean": 14.2, "median": 14.0, "q1": 9.0, "q3": 19.0, "suppressed": False,
                 "computedIn": period} for timepoint in ("baseline", "post-infusion", "follow-up")]} for scale in scales],
            "outcomes": rows, "adverseEvents": [{"term": "nausea", "grade": "mild", "patients": 20, "events": 24, "suppressed": False}],
            "coInterventions": [],
        })
    return {"schema": "ketareg-summary/5", "generator": "hub benchmark", "clinic": clinic, "period": period,
            "minimumCellSize": 11, "roundingBase": 1, "auditChainHead": secrets.token_hex(32), "conditions": conditions}


def period(month_index):
    year, month = divmod(month_index, 12)
    return f"{2024 + year}-{month + 1:02d}"


def psql(url, sql, *extra):
    result = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atq", *extra, "-c", sql], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"psql: {result.stderr}")
    return result.stdout


def send_all(url, jobs, concurrency):
    """Sends (token, key, body) jobs from `concurrency` keep-alive connections; returns latencies."""
    target = url.split("//", 1)[1]
    host, rest = target.split(":", 1)
    port, path = int(rest.split("/", 1)[0]), "/" + rest.split("/", 1)[1]
    latencies, failures, lock = [], [], threading.Lock()
    queue = list(jobs)

    def worker():
        connection = http.client.HTTPConnection(host, port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                token, key, body = queue.pop()
            start = time.perf_counter()
            connection.request("POST", path, body=body, headers={
                "Content-Type": "application/json", "Authorization": "Bearer " + token, "Idempotency-Key": key})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if response.status != 202:
                    failures.append(response.status)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies, failures


def p99(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clinics", type=int, default=20)
    parser.add_argument("--payloads", type=int, default=25, help="payloads per clinic")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--outcome-clinics", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/ketareg-hub"))
    parser.add_argument("--json")
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)
    work = tempfile.mkdtemp(prefix="ketareg-hub-bench-")
    os.chmod(work, 0o755)
    cluster_dir = os.path.join(work, "postgres")
    server = None
    try:
        cluster = subprocess.run([os.path.join(ROOT, "Scripts/postgres"), "start", cluster_dir], check=True,
                                 capture_output=True, text=True).stdout.strip()
        psql(cluster, "CREATE DATABASE hub")
        url = cluster.replace("/postgres?", "/hub?")
        env = dict(os.environ, KETAREG_HUB_DATABASE=url)
        subprocess.run([binary, "init"], env=env, check=True, capture_output=True)
        tokens = []
        for clinic in range(arguments.clinics):
            token = secrets.token_hex(32)
            path = os.path.join(work, f"{clinic}.token")
            with open(path, "w") as handle:
                handle.write(token)
            subprocess.run([binary, "clinic", "add", f"Clinic {clinic:04d}", "--token-file", path], env=env, check=True, capture_output=True)
            tokens.append(token)
        with open(os.path.join(work, "serve.log"), "w") as log:
            server = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0"], env=env, stdout=subprocess.PIPE, stderr=log, text=True)
            line = server.stdout.readline()
        hub_url = line.split("listening on ", 1)[1].strip()

        jobs = []
        bodies = []
        for clinic in range(arguments.clinics):
            for month in range(arguments.payloads):
                body = json.dumps(summary(f"Clinic {clinic:04d}", period(month), clinic * 31 + month)).encode()
                jobs.append((tokens[clinic], f"bench-{clinic}-{month}", body))
                bodies.append(body)
        total = len(jobs)
        outcome_rows = sum(len(c["outcomes"]) for c in json.loads(bodies[0])["conditions"])
        seconds, latencies, failures = send_all(hub_url, jobs, arguments.concurrency)
        if failures:
            sys.exit(f"{len(failures)} payloads were not stored: {sorted(set(failures))}")
        stored = int(psql(url, "SELECT count(*) FROM payloads"))
        if stored != total:
            sys.exit(f"{stored} payloads stored, {total} sent")
        hub_rate = total / seconds

        # The reference: the same rows as bare INSERTs, one transaction per payload, from pgbench.
        psql(url, "CREATE TABLE bench_payloads (id bigserial PRIMARY KEY, clinic integer, key text, body bytea)")
        psql(url, "CREATE TABLE bench_outcomes (payload_id bigint, condition text, outcome text, scale text, outcome_window text, "
                  "visit text, assessed bigint, met bigint)")
        sample = json.loads(bodies[0])
        literal = bodies[0].decode().replace("'", "''")
        script = ["BEGIN;", f"INSERT INTO bench_payloads (clinic, key, body) VALUES (:client_id, 'k' || :client_id, convert_to('{literal}', 'UTF8'));"]
        for condition in sample["conditions"]:
            for row in condition["outcomes"]:
                script.append(f"INSERT INTO bench_outcomes VALUES (currval('bench_payloads_id_seq'), '{condition['condition']}', "
                              f"'{row['outcome']}', '{row['scale']}', '{row['window']}', '{row.get('visit', '')}', {row['assessed']}, {row['met']});")
        script.append("COMMIT;")
        script_path = os.path.join(work, "reference.sql")
        with open(script_path, "w") as handle:
            handle.write("\n".join(script) + "\n")
        pgbench = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))[-1]
        per_client = max(1, total // arguments.concurrency)
        log_prefix = os.path.join(work, "pgbench")
        result = subprocess.run([pgbench, "-n", "-f", script_path, "-c", str(arguments.concurrency), "-j", str(min(2, arguments.concurrency)),
                                 "-t", str(per_client), "--log", "--log-prefix", log_prefix, url], check=True, capture_output=True, text=True).stdout
        reference_rate = float([line for line in result.splitlines() if line.startswith("tps")][0].split("=")[1].split()[0])
        reference_latencies = []
        for path in glob.glob(log_prefix + "*"):
            for line in open(path):
                fields = line.split()
                reference_latencies.append(int(fields[2]) / 1e6)

        # outcomes at scale: 1,000 clinics x 24 months of summaries, loaded with SQL.
        psql(url, f"""
            INSERT INTO clinics (name, token_sha256)
            SELECT 'Scale clinic ' || lpad(c::text, 5, '0'), sha256(('scale-token-' || c)::bytea) FROM generate_series(1, {arguments.outcome_clinics}) c;
            INSERT INTO payloads (clinic_id, idempotency_key, digest, schema, kind, period, size_bytes, body)
            SELECT cl.id, 'scale-' || m, md5(cl.id || '-' || m), 'ketareg-summary/5', 'summary',
                   to_char(date '2024-01-01' + (m || ' months')::interval, 'YYYY-MM'), 2, '{{}}'::bytea
            FROM clinics cl, generate_series(0, {arguments.months - 1}) m WHERE cl.name LIKE 'Scale clinic %';
            INSERT INTO summary_outcomes (payload_id, clinic_id, period, condition, protocol, outcome, scale, subscore, outcome_window, visit, rule,
                                          eligible, assessed, missing, met, rate, suppressed, computed_in)
            SELECT p.id, p.clinic_id, p.period, o.condition, 'module/1.0', o.outcome, o.scale, '', w.win, w.visit, 'rule',
                   40 + (p.id % 150), 40 + (p.id % 150), 0, 11 + (p.id * 7 + o.n) % 29, 0.5, (p.id % 17 = 0), p.period
            FROM payloads p
            CROSS JOIN (VALUES ('depression', 'response', 'phq9', 1), ('depression', 'remission', 'phq9', 2),
                               ('depression', 'madrs-response', 'madrs', 3), ('depression', 'madrs-remission', 'madrs', 4),
                               ('migraine', 'response', 'headache-nrs', 5), ('migraine', 'monthly-days-response', 'mhd', 6),
                               ('neuropathic-pain', 'moderate-improvement', 'pain-nrs', 7),
                               ('neuropathic-pain', 'substantial-improvement', 'pain-nrs', 8)) AS o(condition, outcome, scale, n)
            CROSS JOIN (VALUES ('immediate', ''), ('sustained', 'visit-1'), ('sustained', 'visit-2')) AS w(win, visit)
            WHERE p.idempotency_key LIKE 'scale-%';
            ANALYZE;
            """)
        outcome_rows_total = int(psql(url, "SELECT count(*) FROM summary_outcomes"))
        query = ("SELECT clinic, period, condition, outcome, scale, subscore, outcome_window, visit, assessed, met, suppressed "
                 "FROM latest_summary_outcomes ORDER BY condition, outcome, scale, outcome_window, visit, clinic")

        def timed(command, env=None):
            best = None
            for _ in range(3):
                start = time.perf_counter()
                subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
                elapsed = time.perf_counter() - start
                best = elapsed if best is None else min(best, elapsed)
            return best

        hub_outcomes = timed([binary, "outcomes", "--json"], env=env)
        reference_outcomes = timed(["psql", url, "-Atq", "-c", query])

        results = {
            "date": str(datetime.date.today()),
            "receive": {"clinics": arguments.clinics, "payloadsPerClinic": arguments.payloads, "concurrency": arguments.concurrency,
                        "payloads": total, "outcomeRowsPerPayload": outcome_rows, "bytesPerPayload": len(bodies[0]),
                        "hubPayloadsPerSecond": hub_rate, "referencePayloadsPerSecond": reference_rate,
                        "throughputRatio": reference_rate / hub_rate,
                        "hubP99Ms": p99(latencies) * 1000, "referenceP99Ms": p99(reference_latencies) * 1000,
                        "p99Ratio": p99(latencies) / p99(reference_latencies),
                        "hubMedianMs": statistics.median(latencies) * 1000},
            "outcomes": {"clinics": arguments.outcome_clinics + arguments.clinics, "months": arguments.months, "outcomeRows": outcome_rows_total,
                         "hubSeconds": hub_outcomes, "referenceSeconds": reference_outcomes, "ratio": hub_outcomes / reference_outcomes},
        }
        r, o = results["receive"], results["outcomes"]
        print(f"Hub benchmark, {results['date']}: {total} summary payloads ({r['bytesPerPayload']:,} bytes, {outcome_rows} outcome rows each) "
              f"from {arguments.clinics} clinics over {arguments.concurrency} connections\n")
        print("| measure | ketareg-hub | bare PostgreSQL | ratio |")
        print("|---|---|---|---|")
        print(f"| payloads per second | {hub_rate:.0f} | {reference_rate:.0f} (pgbench INSERTs) | {reference_rate / hub_rate:.1f}x slower |")
        print(f"| p99 latency | {r['hubP99Ms']:.1f} ms | {r['referenceP99Ms']:.1f} ms | {r['p99Ratio']:.1f}x |")
        print(f"| `outcomes --json`, {o['clinics']:,} clinics x {arguments.months} months ({outcome_rows_total:,} outcome rows) "
              f"| {hub_outcomes:.2f} s | {reference_outcomes:.2f} s (psql, the same query) | {o['ratio']:.1f}x |")
        if arguments.json:
            with open(arguments.json, "w") as handle:
                json.dump(results, handle, indent=2)
    finally:
        if server:
            server.terminate()
            server.wait()
        subprocess.run([os.path.join(ROOT, "Scripts/postgres"), "stop", cluster_dir], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


main()
