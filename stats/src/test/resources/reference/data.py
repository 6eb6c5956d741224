"""Shared sample data for the reference scripts (values rounded so Java literals parse to the same doubles)."""
import numpy as np

rng = np.random.default_rng(20240605)
WELCH_C = [round(float(v), 4) for v in rng.normal(10.0, 2.0, 25)]
WELCH_T = [round(float(v), 4) for v in rng.normal(11.0, 3.5, 31)]
# heavy ties: integers 0..4
TIES_C = [int(v) for v in rng.integers(0, 5, 40)]
TIES_T = [int(v) for v in rng.integers(1, 6, 35)]
# skewed latency-like values
SKEW_C = [round(float(v), 3) for v in rng.lognormal(3.0, 0.6, 60)]
SKEW_T = [round(float(v), 3) for v in rng.lognormal(3.2, 0.6, 45)]
# CUPED: pre-period covariate x, metric y = 2 + 0.8 x + noise (+ 0.3 in treatment)
CUPED_XC = [round(float(v), 4) for v in rng.normal(5, 1.5, 50)]
CUPED_XT = [round(float(v), 4) for v in rng.normal(5, 1.5, 55)]
CUPED_YC = [round(2 + 0.8 * x + float(e), 4) for x, e in zip(CUPED_XC, rng.normal(0, 0.7, 50))]
CUPED_YT = [round(2.3 + 0.8 * x + float(e), 4) for x, e in zip(CUPED_XT, rng.normal(0, 0.7, 55))]


def java(name, values):
    body = ", ".join(repr(v) for v in values)
    kind = "double"
    return f"static final {kind}[] {name} = {{{body}}};"


if __name__ == "__main__":
    for n in ["WELCH_C", "WELCH_T", "TIES_C", "TIES_T", "SKEW_C", "SKEW_T", "CUPED_XC", "CUPED_XT", "CUPED_YC", "CUPED_YT"]:
        print(java(n, globals()[n]))
