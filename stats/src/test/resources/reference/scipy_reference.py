"""Reference values for the stats tests, computed with SciPy 1.10 / NumPy 1.24 / mpmath 1.2 (Debian bookworm).

Run: /usr/bin/python3 scipy_reference.py   (prints NAME = value lines pasted into the tests)
"""
import math
import numpy as np
import mpmath as mp
from scipy import stats
from data import *

mp.mp.dps = 40


def out(name, value):
    print(f"{name} = {float(value)!r}")


# ---- chi-square k x 2 (no continuity correction), k = 2..5
TABLES = {
    "K2": [(1000, 100), (1000, 130)],
    "K3": [(5000, 400), (5100, 455), (4950, 380)],
    "K4": [(200, 20), (210, 35), (190, 18), (205, 25)],
    "K5": [(10_000_000, 500_000), (10_000_000, 501_500), (9_999_000, 499_000), (10_001_000, 502_200), (10_000_000, 500_900)],
}
for name, rows in TABLES.items():
    obs = np.array([[s, n - s] for n, s in rows], dtype=float)
    chi2, p, dof, _ = stats.chi2_contingency(obs, correction=False)
    out(f"CHI_{name}_STAT", chi2)
    out(f"CHI_{name}_P", p)

# ---- SRM: chi-square goodness of fit
SRM = {
    "EVEN_OK": ([50_123, 49_877], [0.5, 0.5]),
    "EVEN_BAD": ([50_800, 49_200], [0.5, 0.5]),
    "THREE": ([33_000, 33_500, 33_500], [1, 1, 1]),
    "WEIGHTED": ([90_500, 4_700, 4_800], [90, 5, 5]),
    "FIVE": ([10_000, 10_100, 9_950, 10_050, 9_800], [0.2, 0.2, 0.2, 0.2, 0.2]),
}
for name, (obs, w) in SRM.items():
    w = np.array(w, dtype=float)
    exp = np.sum(obs) * w / w.sum()
    chi2, p = stats.chisquare(obs, exp)
    out(f"SRM_{name}_STAT", chi2)
    out(f"SRM_{name}_P", p)

# ---- Welch from raw samples (difference = treatment - control)
r = stats.ttest_ind(WELCH_T, WELCH_C, equal_var=False)
out("WELCH_RAW_T", r.statistic)
out("WELCH_RAW_P", r.pvalue)
r = stats.ttest_ind(WELCH_T, WELCH_C, equal_var=False, alternative="greater")
out("WELCH_RAW_P_GREATER", r.pvalue)
# from summaries, n ~ 1e7
r = stats.ttest_ind_from_stats(20.05, 4.1, 10_000_000, 20.0, 4.0, 9_000_000, equal_var=False)
out("WELCH_BIG_T", r.statistic)
out("WELCH_BIG_P", r.pvalue)
# tiny: n = 2 and 3
r = stats.ttest_ind([1.0, 2.5, 4.0], [0.5, 1.0], equal_var=False)
out("WELCH_TINY_T", r.statistic)
out("WELCH_TINY_P", r.pvalue)

# ---- Mann-Whitney U, asymptotic; U of treatment = mannwhitneyu(treatment, control)
for name, (c, t) in {"TIES": (TIES_C, TIES_T), "SKEW": (SKEW_C, SKEW_T)}.items():
    for cc in (True, False):
        for alt in ("two-sided", "greater", "less"):
            r = stats.mannwhitneyu(t, c, use_continuity=cc, alternative=alt, method="asymptotic")
            tag = f"MW_{name}_{'CC' if cc else 'NOCC'}_{alt.replace('-', '_').upper()}"
            out(tag + "_U", r.statistic)
            out(tag + "_P", r.pvalue)
    out(f"MW_{name}_HL", np.median(np.subtract.outer(np.array(t), np.array(c))))

# ---- CUPED: theta from both arms pooled, then Welch on y - theta (x - mean x)
x = np.array(CUPED_XC + CUPED_XT)
y = np.array(CUPED_YC + CUPED_YT)
theta = np.cov(x, y, ddof=1)[0, 1] / np.var(x, ddof=1)
xbar = x.mean()
yc = np.array(CUPED_YC) - theta * (np.array(CUPED_XC) - xbar)
yt = np.array(CUPED_YT) - theta * (np.array(CUPED_XT) - xbar)
r = stats.ttest_ind(yt, yc, equal_var=False)
out("CUPED_THETA", theta)
out("CUPED_DIFF", yt.mean() - yc.mean())
out("CUPED_T", r.statistic)
out("CUPED_P", r.pvalue)
r = stats.ttest_ind(CUPED_YT, CUPED_YC, equal_var=False)
out("CUPED_UNADJUSTED_P", r.pvalue)

# ---- power, continuous (normal approximation)
za = stats.norm.isf(0.025)
zb = stats.norm.ppf(0.8)
out("POWER_CONT_N", 2 * 3.0 ** 2 * (za + zb) ** 2 / 0.5 ** 2)
out("POWER_CONT_MDE", (za + zb) * 3.0 * math.sqrt(2 / 1000))
za1 = stats.norm.isf(0.05)
zb9 = stats.norm.ppf(0.9)
out("POWER_CONT_N_ONE_SIDED", 2 * 1.0 ** 2 * (za1 + zb9) ** 2 / 0.1 ** 2)

# ---- mSPRT (Johari et al.), with mpmath
def msprt(d, v, tau2, alpha):
    d, v, tau2 = mp.mpf(d), mp.mpf(v), mp.mpf(tau2)
    lam = mp.sqrt(v / (v + tau2)) * mp.exp(tau2 * d * d / (2 * v * (v + tau2)))
    half = mp.sqrt(v * (v + tau2) / tau2 * (2 * mp.log(1 / mp.mpf(alpha)) + mp.log((v + tau2) / v)))
    return min(mp.mpf(1), 1 / lam), half

# binary look: control 10000/1000, treatment 10000/1100, effect size 0.1
pc, pt = 0.1, 0.11
v = pc * (1 - pc) / 10000 + pt * (1 - pt) / 10000
pool = 2100 / 20000
tau2 = 0.1 ** 2 * pool * (1 - pool)
p, half = msprt(pt - pc, v, tau2, 0.05)
out("MSPRT_BIN_P", p)
out("MSPRT_BIN_HALF", half)

# ---- Beta-Binomial (mpmath quadrature, 40 digits)
def beta_pdf(a, b):
    lb = mp.log(mp.beta(a, b))
    return lambda x: mp.exp((a - 1) * mp.log(x) + (b - 1) * mp.log(1 - x) - lb)

def p_greater(a1, b1, a2, b2):
    """P(X > Y), X ~ Beta(a1, b1), Y ~ Beta(a2, b2) = int f_X(x) I_x(a2, b2) dx."""
    f = beta_pdf(a1, b1)
    m = mp.mpf(a1) / (a1 + b1)
    s = mp.sqrt(mp.mpf(a1) * b1 / ((a1 + b1) ** 2 * (a1 + b1 + 1)))
    pts = [0] + [x for x in [m - 12 * s, m - 4 * s, m, m + 4 * s, m + 12 * s] if 0 < x < 1] + [1]
    return mp.quad(lambda x: f(x) * mp.betainc(a2, b2, 0, x, regularized=True), pts)

def loss(a1, b1, a2, b2):
    """E[max(Y - X, 0)] = int f_X(x) int_x^1 (y - x) f_Y(y) dy dx."""
    f = beta_pdf(a1, b1)
    mY = mp.mpf(a2) / (a2 + b2)
    # int_x^1 (y - x) f_Y(y) dy = mY (1 - I_x(a2+1, b2)) - x (1 - I_x(a2, b2))
    g = lambda x: mY * (1 - mp.betainc(a2 + 1, b2, 0, x, regularized=True)) - x * (1 - mp.betainc(a2, b2, 0, x, regularized=True))
    m = mp.mpf(a1) / (a1 + b1)
    s = mp.sqrt(mp.mpf(a1) * b1 / ((a1 + b1) ** 2 * (a1 + b1 + 1)))
    pts = [0] + [x for x in [m - 12 * s, m - 4 * s, m, m + 4 * s, m + 12 * s] if 0 < x < 1] + [1]
    return mp.quad(lambda x: f(x) * g(x), pts)

BETA = {
    # name: (treatment a, b, control a, b) with Beta(1,1) prior + data
    "SMALL": (1 + 12, 1 + 88, 1 + 8, 1 + 92),
    "ZERO": (1 + 0, 1 + 50, 1 + 0, 1 + 50),
    "ALL": (1 + 20, 1 + 0, 1 + 19, 1 + 1),
    "N1": (1 + 1, 1 + 0, 1 + 0, 1 + 1),
    "JEFFREYS": (0.5 + 7, 0.5 + 43, 0.5 + 3, 0.5 + 47),
}
for name, (aT, bT, aC, bC) in BETA.items():
    out(f"BETA_{name}_P", p_greater(aT, bT, aC, bC))
    out(f"BETA_{name}_LOSS_T", loss(aT, bT, aC, bC))
    out(f"BETA_{name}_LOSS_C", loss(aC, bC, aT, bT))
# larger counts: mpmath's betainc does not converge there; SciPy's adaptive quad at double precision
from scipy import integrate

def quad_p_greater(aT, bT, aC, bC, width=15):
    f = lambda x: stats.beta.pdf(x, aT, bT) * stats.beta.cdf(x, aC, bC)
    mT = aT / (aT + bT)
    sT = math.sqrt(aT * bT / ((aT + bT) ** 2 * (aT + bT + 1)))
    pts = [mT - 4 * sT, mT, mT + 4 * sT]
    val, err = integrate.quad(f, max(0, mT - width * sT), min(1, mT + width * sT), points=pts,
                              epsabs=1e-14, epsrel=1e-13, limit=500)
    return val

out("BETA_MEDIUM_P", quad_p_greater(1 + 1100, 1 + 8900, 1 + 1000, 1 + 9000))
aT, bT, aC, bC = 1 + 502_000, 1 + 9_498_000, 1 + 500_000, 1 + 9_500_000
out("BETA_HUGE_P", quad_p_greater(aT, bT, aC, bC))
# credible interval
out("BETA_CRED_LO", stats.beta.ppf(0.025, 13, 89))
out("BETA_CRED_HI", stats.beta.isf(0.025, 13, 89))

# ---- normal posterior for continuous metrics
m, v = 0.3, 0.04
out("NORMAL_P_BETTER", stats.norm.cdf(m / math.sqrt(v)))
out("NORMAL_LOSS_T", math.sqrt(v) * stats.norm.pdf(m / math.sqrt(v)) - m * stats.norm.cdf(-m / math.sqrt(v)))

# ---- P(best) among 3 Beta arms by quadrature: P(A best) = int f_A(x) F_B(x) F_C(x) dx
arms = [(1 + 100, 1 + 900), (1 + 110, 1 + 890), (1 + 95, 1 + 905)]
for i in range(3):
    a, b = arms[i]
    others = [arms[j] for j in range(3) if j != i]
    g = lambda x: stats.beta.pdf(x, a, b) * stats.beta.cdf(x, *others[0]) * stats.beta.cdf(x, *others[1])
    val, err = integrate.quad(g, 0, 1, points=[0.08, 0.1, 0.12], limit=200)
    out(f"PBEST_{i}", val)

# ---- relative lift pT/pC - 1, delta-method interval (mpmath, 40 digits)
def lift(nc, sc, nt, st, z):
    pc, pt = mp.mpf(sc) / nc, mp.mpf(st) / nt
    vc, vt = pc * (1 - pc) / nc, pt * (1 - pt) / nt
    l = pt / pc - 1
    se = mp.sqrt(vt / pc ** 2 + pt ** 2 * vc / pc ** 4)
    return l, l - z * se, l + z * se

l, lo, hi = lift(1000, 100, 1000, 130, mp.mpf(stats.norm.isf(0.025)))
out("LIFT_BASIC", l)
out("LIFT_BASIC_LO", lo)
out("LIFT_BASIC_HI", hi)
