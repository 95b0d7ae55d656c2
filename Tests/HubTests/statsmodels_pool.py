#!/usr/bin/env python3
"""The independent implementation the hub's pooling is checked against.

Reads {"sets": [[[events, total], ...], ...], "wilson": [[events, total], ...]} on standard input and
prints, for each set, statsmodels' inverse-variance fixed-effect and DerSimonian-Laird random-effects
estimates of the log-odds (combine_effects with method_re="dl", which its authors verify against R's
metafor), with their 95% intervals, tau^2, I^2 and Q; and for each "wilson" pair, statsmodels'
Wilson score interval. The logit and its variance are worked out here, with 0.5 added to both
cells only when a clinic has none or all.

statsmodels 0.15 leaves its DerSimonian-Laird tau^2 (and I^2) negative when Q is below its degrees
of freedom. DerSimonian and Laird's estimator, and metafor's, is truncated at 0, and random effects
then equal the fixed effect: so in that case this script reports tau^2 = 0, I^2 = 0 and statsmodels'
own fixed-effect estimate as the random-effects one.
"""
import json
import warnings
import math
import sys

import numpy as np
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint


def logit(events, total):
    if events == 0 or events == total:
        a, b = events + 0.5, total - events + 0.5
    else:
        a, b = float(events), float(total - events)
    return math.log(a / b), 1 / a + 1 / b


def main():
    # Its square roots of negative variances, when tau^2 is negative, are replaced above.
    warnings.simplefilter("ignore", RuntimeWarning)
    request = json.load(sys.stdin)
    results = []
    for clinics in request["sets"]:
        effects = np.array([logit(e, n)[0] for e, n in clinics])
        variances = np.array([logit(e, n)[1] for e, n in clinics])
        r = combine_effects(effects, variances, method_re="dl")
        fe_low, fe_high = r.conf_int(use_t=False)[0]
        re_low, re_high = r.conf_int(use_t=False)[1]
        fixed = {"logit": float(r.mean_effect_fe), "se": float(r.sd_eff_w_fe), "low": float(fe_low), "high": float(fe_high)}
        if r.tau2 < 0:
            random, tau2, i2 = dict(fixed), 0.0, 0.0
        else:
            random = {"logit": float(r.mean_effect_re), "se": float(r.sd_eff_w_re), "low": float(re_low), "high": float(re_high)}
            tau2, i2 = float(r.tau2), float(max(0.0, r.i2))
        results.append({"fixed": fixed, "random": random, "tau2": tau2, "i2": i2, "q": float(r.q), "truncated": bool(r.tau2 < 0)})
    wilson = []
    for e, n in request.get("wilson", []):
        low, high = proportion_confint(e, n, alpha=0.05, method="wilson")
        wilson.append({"low": float(low), "high": float(high)})
    json.dump({"sets": results, "wilson": wilson}, sys.stdout)


main()
