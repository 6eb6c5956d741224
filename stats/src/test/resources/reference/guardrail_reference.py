"""Reference values for GuardrailsTest: the guardrail formulas evaluated independently with mpmath at 40 digits.

Run: python3 guardrail_reference.py   (mpmath 1.3; prints NAME = value lines pasted into GuardrailsTest)

Definitions (stats/README, "Rollout guardrails"):
  binary:      Agresti-Caffo rates p = (x + 1) / (n + 2), n' = n + 2; s = +1 lower-is-better, -1 higher-is-better;
               k = 1 + s m; D = s (pT - k pC); V = pT(1-pT)/n'T + k^2 pC(1-pC)/n'C; tau = sd sqrt(pBar(1-pBar)),
               pBar = (xC + xT + 2) / (n'C + n'T); the sequence on D against 0, reported as D / pC + m.
  continuous:  same with sample means and variances (divisor n - 1) and n.
  latency:     d = mean ln T - mean ln C, V = var ln T / nT + var ln C / nC; margin ln(1 + m), tau = ln(1 + sd);
               bounds reported as exp(.) - 1.
  sequence:    half-width at a = 2 alpha: sqrt(V (V + tau^2) / tau^2 * (2 ln(1/a) + ln((V + tau^2) / V)));
  e-value:     Lambda at the margin = sqrt(V / (V + tau^2)) exp(tau^2 (d - m)^2 / (2 V (V + tau^2)));
  p-value:     min(1, 1 / (2 Lambda)) when d > m, else 1.
"""
import mpmath as mp

mp.mp.dps = 40


def out(name, value):
    print(f"{name} = {float(value)!r}")


def sequence(name, d, v, m, tau, alpha, log_scale, scale=None):
    tau2 = tau * tau
    a = 2 * alpha
    h = mp.sqrt(v * (v + tau2) / tau2 * (2 * mp.log(1 / a) + mp.log((v + tau2) / v)))
    lam = mp.sqrt(v / (v + tau2)) * mp.exp(tau2 * (d - m) ** 2 / (2 * v * (v + tau2)))
    p = min(mp.mpf(1), 1 / (2 * lam)) if d > m else mp.mpf(1)
    f = scale if scale is not None else (lambda x: mp.expm1(x)) if log_scale else (lambda x: x)
    out(name + "_EST", f(d))
    out(name + "_LO", f(d - h))
    out(name + "_HI", f(d + h))
    out(name + "_E", lam)
    out(name + "_P", p)


def binary(name, nc, xc, nt, xt, margin, higher_is_better, alpha, sd):
    nc, nt = mp.mpf(nc) + 2, mp.mpf(nt) + 2
    pc, pt = (xc + 1) / nc, (xt + 1) / nt
    s = -1 if higher_is_better else 1
    m = mp.mpf(margin)
    k = 1 + s * m
    d = s * (pt - k * pc)
    v = pt * (1 - pt) / nt + k ** 2 * pc * (1 - pc) / nc
    pbar = (xc + xt + 2) / (nc + nt)
    tau = mp.mpf(sd) * mp.sqrt(pbar * (1 - pbar))
    sequence(name, d, v, mp.mpf(0), tau, mp.mpf(alpha), False, scale=lambda x: x / pc + m)


def moments(values):
    n = len(values)
    mean = mp.fsum(values) / n
    var = mp.fsum((x - mean) ** 2 for x in values) / (n - 1)
    return n, mean, var


def continuous(name, c, t, margin, higher_is_better, alpha, sd):
    nc, mc, vc = moments([mp.mpf(x) for x in c])
    nt, mt, vt = moments([mp.mpf(x) for x in t])
    s = -1 if higher_is_better else 1
    r = s * (mt - mc) / abs(mc)
    v = vt / (nt * mc ** 2) + mt ** 2 * vc / (nc * mc ** 4)
    sequence(name, r, v, mp.mpf(margin), mp.mpf(sd), mp.mpf(alpha), False)


def latency(name, c, t, margin, alpha, sd):
    nc, mc, vc = moments([mp.log(x) for x in c])
    nt, mt, vt = moments([mp.log(x) for x in t])
    sequence(name, mt - mc, vt / nt + vc / nc, mp.log1p(margin), mp.log1p(sd), mp.mpf(alpha), True)


# error rate 2.0 % vs 1.0 %: harm
binary("BIN_HARM", 40000, 400, 10000, 200, 0.2, False, 0.05 / 3, 0.4)
# equal rates, large n: non-inferior
binary("BIN_NI", 200000, 2000, 100000, 1000, 0.2, False, 0.05 / 3, 0.2)
# higher is better, 10 % vs 9.5 %, margin 5 %: inconclusive
binary("BIN_INC", 10000, 1000, 5000, 475, 0.05, True, 0.01, 0.05)
# zero events in the champion
binary("BIN_ZERO", 300, 0, 150, 6, 0.2, False, 0.025, 0.2)

# continuous, higher is better: deterministic values (i % 7, i % 5 patterns)
C = [10 + (i % 7) for i in range(400)]
T = [9 + (i % 5) for i in range(300)]
continuous("CONT", C, T, 0.05, True, 0.025, 0.05)

# latency: small integers are recorded exactly by a 3-digit HdrHistogram (unit-wide buckets below 2048)
LC = [100 + (i * 37) % 900 for i in range(500)]
LT = [130 + (i * 53) % 1200 for i in range(400)]
latency("LAT", LC, LT, 0.1, 0.025, 0.1)
