// Posterior densities of a bandit's arms, computed from the parameters the results API gives
// (Bernoulli arms: Beta(alpha, beta); Gaussian arms: Normal(mean, sd)).

// ln Γ(x) for x > 0: Lanczos approximation (g = 7, n = 9), |relative error| < 1e-13 for x >= 0.5
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

export function lnGamma(x) {
  if (x < 0.5) {
    // reflection: Γ(x) Γ(1 - x) = π / sin(πx)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  }
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) {
    a += LANCZOS[i] / (x + i);
  }
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Beta(a, b) density at p in (0, 1); 0 outside. */
export function betaDensity(p, a, b) {
  if (p <= 0 || p >= 1) {
    return 0;
  }
  const ln = (a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p) + lnGamma(a + b) - lnGamma(a) - lnGamma(b);
  return Math.exp(ln);
}

/** Normal(mean, sd) density at x; sd <= 0 gives 0 everywhere. */
export function normalDensity(x, mean, sd) {
  if (!(sd > 0)) {
    return 0;
  }
  const z = (x - mean) / sd;
  return Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI));
}

/**
 * Where to draw the densities of {@code arms} ([{arm, posterior}]): a grid of {@code n} points covering each
 * posterior's bulk (mean ± 5 sd), clipped to (0, 1) for Beta posteriors. Null when no arm has usable parameters.
 */
export function grid(kind, arms, n = 121) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arms) {
    const m = moments(kind, a.posterior);
    if (m) {
      lo = Math.min(lo, m.mean - 5 * m.sd);
      hi = Math.max(hi, m.mean + 5 * m.sd);
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) {
    return null;
  }
  if (kind === 'bernoulli') {
    lo = Math.max(lo, 1e-6);
    hi = Math.min(hi, 1 - 1e-6);
  }
  const xs = [];
  for (let i = 0; i < n; i++) {
    xs.push(lo + (hi - lo) * i / (n - 1));
  }
  return xs;
}

/** Mean and sd of a posterior, or null when its parameters are missing. */
export function moments(kind, posterior) {
  if (!posterior) {
    return null;
  }
  if (kind === 'bernoulli' && posterior.alpha > 0 && posterior.beta > 0) {
    const a = posterior.alpha;
    const b = posterior.beta;
    return { mean: a / (a + b), sd: Math.sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))) };
  }
  if (kind === 'gaussian' && Number.isFinite(posterior.mean) && posterior.sd > 0) {
    return { mean: posterior.mean, sd: posterior.sd };
  }
  return null;
}

/** The density of one arm's posterior at x. */
export function density(kind, posterior, x) {
  if (kind === 'bernoulli') {
    return betaDensity(x, posterior.alpha, posterior.beta);
  }
  return normalDensity(x, posterior.mean, posterior.sd);
}
