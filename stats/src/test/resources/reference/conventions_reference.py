"""Reference values for the standard error / critical value fields and the directly set mSPRT mixing variance
(issue 19). Computed with SciPy 1.17.1 / NumPy 2.4 / mpmath 1.3.0 (Python 3.11); same approach as
scipy_reference.py: closed forms in SciPy, the mSPRT formula at 40 digits in mpmath.

Run: python3 conventions_reference.py   (prints NAME = value lines, kept in conventions_reference.out)
"""
import math
import numpy as np
import mpmath as mp
from scipy import stats
from data import WELCH_C, WELCH_T

mp.mp.dps = 40


def out(name, value):
    print(f"{name} = {float(value)!r}")


# ---- standard error of the difference and critical value
# binary 1000/100 vs 1000/130: unpooled (Wald) se, normal quantiles
out("SE_BIN", math.sqrt(0.1 * 0.9 / 1000 + 0.13 * 0.87 / 1000))
out("CRIT_Z_TWO_SIDED", stats.norm.isf(0.025))
out("CRIT_Z_ONE_SIDED_10", stats.norm.isf(0.10))
# Welch on the raw samples: se = sqrt(sC^2/nC + sT^2/nT), t quantile at the Welch-Satterthwaite df
c, t = np.array(WELCH_C), np.array(WELCH_T)
vc, vt = c.var(ddof=1) / len(c), t.var(ddof=1) / len(t)
df = (vc + vt) ** 2 / (vc ** 2 / (len(c) - 1) + vt ** 2 / (len(t) - 1))
out("SE_WELCH", math.sqrt(vc + vt))
out("DF_WELCH", df)
out("CRIT_WELCH_TWO_SIDED", stats.t.isf(0.025, df))
r = stats.ttest_ind(t, c, equal_var=False)
ci = r.confidence_interval(0.95)
out("WELCH_CI_LO", ci.low)
out("WELCH_CI_HI", ci.high)


# ---- mSPRT with the mixing variance tau^2 set directly (not tied to the pooled sd)
def msprt(d, v, tau2, alpha):
    d, v, tau2 = mp.mpf(d), mp.mpf(v), mp.mpf(tau2)
    lam = mp.sqrt(v / (v + tau2)) * mp.exp(tau2 * d * d / (2 * v * (v + tau2)))
    half = mp.sqrt(v * (v + tau2) / tau2 * (2 * mp.log(1 / mp.mpf(alpha)) + mp.log((v + tau2) / v)))
    return min(mp.mpf(1), 1 / lam), half


# binary look: control 10000/1000, treatment 10000/1100, tau^2 = 1e-4 (tau = 1 percentage point)
pc, pt = mp.mpf(1000) / 10000, mp.mpf(1100) / 10000
v = pc * (1 - pc) / 10000 + pt * (1 - pt) / 10000
p, half = msprt(pt - pc, v, mp.mpf("1e-4"), 0.05)
out("MSPRT_TAU2_BIN_P", p)
out("MSPRT_TAU2_BIN_HALF", half)
# continuous look from summaries: control n 5000 mean 10 sd 4, treatment n 4000 mean 10.3 sd 5, tau^2 = 0.25
v = mp.mpf(16) / 5000 + mp.mpf(25) / 4000
p, half = msprt(mp.mpf("10.3") - 10, v, mp.mpf("0.25"), 0.05)
out("MSPRT_TAU2_CONT_P", p)
out("MSPRT_TAU2_CONT_HALF", half)
