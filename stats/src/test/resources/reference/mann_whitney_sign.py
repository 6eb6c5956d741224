"""Signed Mann-Whitney z (treatment - control scale), computed by hand with the Python standard library only.

The statistic follows SciPy's convention: U = mannwhitneyu(treatment, control).statistic = U of the treatment
(pairs with t > c, plus half the ties); mid-ranks; tie-corrected variance; continuity correction cc = 0.5.
SciPy does not return z, so the sign is the point of this script: z > 0 when the treatment tends to be larger.
    two-sided: z = sign(U - m) * max(|U - m| - cc, 0) / s,  p = 2 (1 - Phi(|z|))
    greater:   z = (U - m - cc) / s,                        p = 1 - Phi(z)
    less:      z = (U - m + cc) / s,                        p = Phi(z)
When SciPy is importable, its p-values and U are checked against these (they must agree to 1e-12).

Run: python3 mann_whitney_sign.py   (Python 3.8+; printed with Python 3.11.7 / SciPy 1.17.1 into mann_whitney_sign.out)
"""
import math
from statistics import NormalDist

# treatment tends to be SMALLER than control, with ties across and within arms
CONTROL = [12, 15, 15, 18, 20, 22, 22, 22, 25, 30, 31, 40]
TREATMENT = [10, 11, 12, 14, 15, 15, 17, 18, 19, 22, 23]


def mann_whitney(control, treatment, cc, alternative):
    values = sorted(control + treatment)
    n = len(values)
    rank = {}
    ties = 0.0
    i = 0
    while i < n:
        j = i
        while j < n and values[j] == values[i]:
            j += 1
        rank[values[i]] = (i + 1 + j) / 2  # mid-rank of positions i+1..j
        t = j - i
        ties += t ** 3 - t
        i = j
    nc, nt = len(control), len(treatment)
    u = sum(rank[v] for v in treatment) - nt * (nt + 1) / 2
    m = nc * nt / 2
    s = math.sqrt(nc * nt / 12 * ((n + 1) - ties / (n * (n - 1))))
    c = 0.5 if cc else 0.0
    phi = NormalDist()
    if alternative == "greater":
        z = (u - m - c) / s
        p = 1 - phi.cdf(z)
    elif alternative == "less":
        z = (u - m + c) / s
        p = phi.cdf(z)
    else:
        z = math.copysign(max(abs(u - m) - c, 0.0), u - m) / s if u != m else 0.0
        p = min(1.0, 2 * (1 - phi.cdf(abs(z))))
    return u, z, p


for cc in (True, False):
    for alt in ("two-sided", "greater", "less"):
        u, z, p = mann_whitney(CONTROL, TREATMENT, cc, alt)
        tag = f"MW_SIGN_{'CC' if cc else 'NOCC'}_{alt.replace('-', '_').upper()}"
        print(f"{tag}_U = {u!r}")
        print(f"{tag}_Z = {z!r}")
        print(f"{tag}_P = {p!r}")
        try:
            from scipy import stats
        except ImportError:
            continue
        r = stats.mannwhitneyu(TREATMENT, CONTROL, use_continuity=cc, alternative=alt, method="asymptotic")
        assert r.statistic == u, (tag, r.statistic, u)
        assert abs(r.pvalue - p) <= 1e-12 * max(p, 1e-300) + 1e-15, (tag, r.pvalue, p)
