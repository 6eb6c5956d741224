"""Reference values for ResponseResultsTest (drift from the production sketches), SciPy 1.17.1 / NumPy 2.4.

Writes drift_sketch_data.txt (the three samples the test records, one per line: name, then the values with 4
decimals) and prints the figures pasted into the test (drift_sketch_reference.out).

Run: python3 drift_sketch_reference.py > drift_sketch_reference.out
"""
import math
import numpy as np
from scipy import stats

rng = np.random.default_rng(6)
# control, a treatment shifted by 0.2 sd, and a treatment from the control's own distribution; N(4, 1) keeps every
# value above 0 (the sketch holds values >= 0 only)
SAMPLES = {
    "control": np.round(rng.normal(4.0, 1.0, 1200), 4),
    "shifted": np.round(rng.normal(4.2, 1.0, 1000), 4),
    "same": np.round(rng.normal(4.0, 1.0, 1000), 4),
}
assert all(s.min() > 0 for s in SAMPLES.values())
with open("drift_sketch_data.txt", "w") as f:
    for name, s in SAMPLES.items():
        f.write(name + " " + ",".join(f"{v:.4f}" for v in s) + "\n")
# what the test reads back: the same doubles
SAMPLES = {k: np.array([float(f"{v:.4f}") for v in s]) for k, s in SAMPLES.items()}


def bucket(v):
    """The lowest value of v's HdrHistogram bucket at 2 significant digits, after the gateway's round(v x 1000):
    2^k wide where k = max(0, bitlength - 8), independently of the Java library."""
    raw = math.floor(v * 1000 + 0.5)  # Java's Math.round for v >= 0
    k = max(0, raw.bit_length() - 8)
    return (raw >> k) << k


def out(name, value):
    print(f"{name} = {float(value)!r}")


a = SAMPLES["control"]
for name in ("shifted", "same"):
    b = SAMPLES[name]
    n, m = len(a), len(b)
    en = n * m / (n + m)
    raw = stats.ks_2samp(a, b)
    asymp = stats.ks_2samp(a, b, method="asymp")
    ba = np.array([bucket(v) for v in a])
    bb = np.array([bucket(v) for v in b])
    sketched = stats.ks_2samp(ba, bb)
    # the largest share either sample has in one bucket: D on the raw values exceeds D on the buckets by at most this
    share = 0.0
    for s, bs in ((a, ba), (b, bb)):
        _, counts = np.unique(bs, return_counts=True)
        share = max(share, counts.max() / len(s))
    out(f"{name.upper()}_KS_D_RAW", raw.statistic)
    out(f"{name.upper()}_KS_P_ASYMP", asymp.pvalue)
    out(f"{name.upper()}_KS_D_BUCKETS", sketched.statistic)
    out(f"{name.upper()}_KSTWOBIGN_P_BUCKETS", stats.kstwobign.sf(math.sqrt(en) * sketched.statistic))
    out(f"{name.upper()}_KSTWOBIGN_P_RAW", stats.kstwobign.sf(math.sqrt(en) * raw.statistic))
    out(f"{name.upper()}_MAX_BUCKET_SHARE", share)
