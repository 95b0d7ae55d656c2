#!/usr/bin/env python3
"""A synthetic depression cohort for one clinic, as a CSV `ketareg import` reads (Scripts/hub).

Usage: Scripts/hub_cohort.py FILE --patients N --response-rate P --seed S [--mrn-prefix X]

Every patient is invented: an enrolment, baseline PHQ-9 and MADRS, an induction of six infusions
over two weeks, the same scales after the course and at two follow-ups. A patient responds with
probability P (clinics differ, so the pooled analysis has heterogeneity to find); a responder's
scores fall by more than half, and most stay well at follow-up. About one patient in eight misses
each follow-up visit, as in practice; a summary hides a scale's outcome rows when so few are missing
that they would be a small cell.
"""
import argparse
import csv
import datetime
import random

COLUMNS = ["record", "mrn", "on", "given", "family", "birth-date", "sex", "condition", "research-consent",
           "for", "dose-mg-per-kg", "minutes", "scale", "timepoint", "answers"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--patients", type=int, required=True)
    parser.add_argument("--response-rate", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--mrn-prefix", default="S")
    parser.add_argument("--today", default=datetime.date.today().isoformat())
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    today = datetime.date.fromisoformat(arguments.today)
    with open(arguments.file, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        for patient in range(arguments.patients):
            first = today - datetime.timedelta(days=150 + rng.randrange(120))

            def day(offset):
                return (first + datetime.timedelta(days=offset)).isoformat()

            def row(**values):
                return [values.get(column, "") for column in COLUMNS]

            mrn = f"{arguments.mrn_prefix}-{patient:05d}"
            out.writerow(row(record="enrolment", mrn=mrn, on=day(-14), given="Synthetic", family=f"Patient {patient}",
                             **{"birth-date": f"{1950 + rng.randrange(50)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}",
                                "sex": rng.choice(["female", "male"]), "condition": "depression", "research-consent": "yes"}))
            responder = rng.random() < arguments.response_rate
            sustained = responder and rng.random() < 0.8

            def answers(scale, level):
                items, top = (9, 3) if scale == "phq9" else (10, 6)
                values = [max(0, min(top, level + rng.choice([-1, 0, 0, 1]))) for _ in range(items)]
                # No thoughts of self-harm (PHQ-9 item 9, MADRS item 10): the cohort is for
                # outcomes, and a flag for every patient would bury the clinic's review list.
                values[-1] = 0 if scale == "phq9" else min(values[-1], 2)
                return ";".join(str(value) for value in values)

            for scale, baseline in (("phq9", 2), ("madrs", 4)):
                out.writerow(row(record="assessment", mrn=mrn, on=day(-2), scale=scale, timepoint="baseline", answers=answers(scale, baseline)))
            for offset in (0, 2, 4, 7, 9, 11):
                out.writerow(row(record="infusion", mrn=mrn, on=day(offset), **{"for": "depression", "dose-mg-per-kg": "0.5", "minutes": "40"}))
            for timepoint, offset, well in (("post-infusion", 13, responder), ("follow-up", 60, sustained), ("follow-up", 110, sustained)):
                if timepoint == "follow-up" and rng.random() < 0.125:
                    continue
                for scale, low, high in (("phq9", 0, 2), ("madrs", 1, 3)):
                    out.writerow(row(record="assessment", mrn=mrn, on=day(offset), scale=scale, timepoint=timepoint,
                                     answers=answers(scale, low if well else high)))


main()
