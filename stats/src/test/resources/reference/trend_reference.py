# Reference for EffectTrendTest: inverse-variance weighted least squares slope, exact in rationals (fractions),
# p = erfc(|z| / sqrt 2) from the standard library. Run: python3 trend_reference.py
from fractions import Fraction as F
import math
def ref(x, y, se):
    w = [1 / (F(s) ** 2) for s in se]
    sw = sum(w); xb = sum(wi * F(xi) for wi, xi in zip(w, x)) / sw; yb = sum(wi * F(yi) for wi, yi in zip(w, y)) / sw
    sxx = sum(wi * (F(xi) - xb) ** 2 for wi, xi in zip(w, x))
    sxy = sum(wi * (F(xi) - xb) * (F(yi) - yb) for wi, xi, yi in zip(w, x, y))
    b = sxy / sxx
    se_b = math.sqrt(1 / sxx)  # sqrt of an exact rational
    z = float(b) / se_b
    return float(b), se_b, z, math.erfc(abs(z) / math.sqrt(2))
print(repr(ref([0,1,2,3,4,5,6], ["0.050","0.041","0.030","0.028","0.020","0.018","0.015"], ["0.010","0.011","0.012","0.012","0.013","0.015","0.016"])))
print(repr(ref([0,1,2,3,4], ["0.010","-0.004","0.012","0.001","0.006"], ["0.008","0.008","0.009","0.010","0.012"])))
print(repr(ref([0,2,5], ["1.5","1.0","-0.25"], ["0.5","0.25","1"])))
