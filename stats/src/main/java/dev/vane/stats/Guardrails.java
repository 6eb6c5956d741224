package dev.vane.stats;

import dev.vane.stats.internal.Checks;
import dev.vane.stats.internal.MixtureSprt;
import dev.vane.stats.internal.WeightedSample;
import java.util.EnumSet;
import java.util.Set;

/**
 * Always-valid one-sided guardrail tests with a margin: "the canary is worse than the champion by more than
 * {@code margin} (relative)", safe to evaluate after every batch of traffic (continuous monitoring).
 *
 * <p><b>Construction.</b> Each test has an estimate {@code d} of the harm on a test scale with plug-in variance
 * {@code V}: the relative harm for binary and continuous metrics (delta method, below), the difference of mean log
 * latencies for latency. The normal-mixture mSPRT of Johari et al. (see {@code internal.MixtureSprt}) with mixing
 * variance {@code tau^2} gives, at every look, the interval
 * <pre>
 *   d -/+ sqrt( (V (V + tau^2) / tau^2) * (2 log(1/a) + log((V + tau^2) / V)) )
 * </pre>
 * which covers the true harm at all looks simultaneously with probability {@code >= 1 - a} (Ville's inequality on
 * the mixture likelihood ratio {@code Lambda}). We take {@code a = 2 alpha} and use one side of it: under the null
 * the two sides are mirror images, so each side is crossed with probability at most {@code alpha} plus half the
 * (order {@code alpha^2}) chance of crossing both. HARM when the lower bound exceeds the margin, NON_INFERIOR when
 * the upper bound is below it. Each look's interval is used on its own (no running intersection), so the result
 * depends only on the cumulative figures passed in and a controller needs no per-guardrail state.
 *
 * <p><b>Rates</b> ({@link #binary}): harm beyond the margin is tested on the linear statistic
 * {@code D = s (pT - (1 + s m) pC)} (positive exactly when the relative harm exceeds {@code m}) with
 * {@code V = pT(1-pT)/nT + (1 + s m)^2 pC(1-pC)/nC} and mixing sd {@code mixingSd * sqrt(pBar (1 - pBar))} (the
 * module's convention: an effect size times the pooled sd), on Agresti-Caffo rates {@code (x + 1) / (n + 2)}.
 * Unlike the ratio's delta method, its variance stays bounded when the champion has no events at all. The
 * estimate and bounds are reported as relative harm, {@code D / pC + m}.
 *
 * <p><b>Relative harm of means</b> ({@link #continuous}): {@code R = s (mT - mC) / |mC|} with
 * {@code s = +1} for lower-is-better and {@code -1} for higher-is-better. Its variance is the delta method's
 * {@code V = vT / (nT mC^2) + mT^2 vC / (nC mC^4)}, which counts the champion's own noise; treating the
 * champion's mean as known would drop the second term, which is half of V at a 50 % step. Binary metrics use
 * Agresti-Caffo rates {@code (successes + 1) / (exposures + 2)} in R and V, so that 0 events (common for error
 * rates at a 5 % canary) give a finite, slightly conservative answer instead of a zero variance or a zero
 * baseline.
 *
 * <p><b>Latency</b> ({@link #latency}) is tested on the log scale: {@code d = mean(ln canary) - mean(ln champion)},
 * {@code V = var(ln T)/nT + var(ln C)/nC}, margin {@code ln(1 + margin)}, mixing sd {@code ln(1 + mixingSd)}, and
 * the bounds are reported as {@code exp(.) - 1}. Latency is right-skewed, a slower model usually slows every
 * request by a factor, and "+10 %" means a factor of 1.1 to an operator; on the log scale such an effect is a shift
 * and the skew is mostly gone, so the normal approximation holds at small counts. The result is the ratio of
 * geometric means. The log moments come from the histogram's buckets ({@link #logMoments}).
 */
public final class Guardrails {
    private Guardrails() {}

    /**
     * Bonferroni split of a rollout's false-rollback rate across its guardrails: {@code alpha / guardrails}. The
     * rollout then rolls back a harmless canary with probability at most alpha (union bound), however the
     * guardrails are correlated.
     */
    public static double perGuardrailAlpha(double alpha, int guardrails) {
        Checks.openUnit("alpha", alpha);
        Checks.atLeast("guardrails", guardrails, 1);
        return alpha / guardrails;
    }

    /** Relative harm of a conversion rate (error rate: {@code higherIsBetter = false}), Agresti-Caffo rates. */
    public static GuardrailResult binary(BinaryStats champion, BinaryStats canary, GuardrailOptions options) {
        Checks.notNull("champion", champion);
        Checks.notNull("canary", canary);
        Checks.notNull("options", options);
        Set<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        if (champion.exposures() < options.minCount() || canary.exposures() < options.minCount()) {
            return notEnough(options, champion.exposures(), canary.exposures(), why);
        }
        double nC = champion.exposures() + 2.0;
        double nT = canary.exposures() + 2.0;
        double pC = (champion.successes() + 1.0) / nC;
        double pT = (canary.successes() + 1.0) / nT;
        // harm beyond the margin is linear in the two rates: s (pT - k pC) > 0 with k = 1 + s m, i.e. pT > (1+m) pC
        // for an error rate and pT < (1-m) pC for a conversion. Its variance needs no division by pC, so a
        // champion with no events (an error rate of 0 is common) does not blow it up as the ratio's delta method
        // does (there the champion's term grows like n^2 as pC ~ 1/n).
        double s = options.higherIsBetter() ? -1 : 1;
        double m = options.margin();
        double k = 1 + s * m;
        double d = s * (pT - k * pC);
        double v = pT * (1 - pT) / nT + k * k * pC * (1 - pC) / nC;
        double pBar = (champion.successes() + canary.successes() + 2.0) / (nC + nT);
        double tau = options.mixingSd() * Math.sqrt(pBar * (1 - pBar));
        GuardrailResult r = judge(d, v, 0, tau * tau, false, options, champion.exposures(), canary.exposures(), why);
        // shown as relative harm R = s (pT - pC) / pC = d / pC + m (the champion's rate taken as known for display)
        return new GuardrailResult(r.verdict(), d / pC + m, r.lower() / pC + m, r.upper() / pC + m, m, r.alpha(),
                r.pValue(), r.eValue(), r.championCount(), r.canaryCount(), r.reasons());
    }

    /** Relative harm of a mean (delta method); CUPED moments, if any, are ignored. */
    public static GuardrailResult continuous(ContinuousStats champion, ContinuousStats canary,
                                             GuardrailOptions options) {
        Checks.notNull("champion", champion);
        Checks.notNull("canary", canary);
        Checks.notNull("options", options);
        Set<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        if (champion.count() < options.minCount() || canary.count() < options.minCount()) {
            return notEnough(options, champion.count(), canary.count(), why);
        }
        if (champion.mean() == 0) {
            why.add(ReasonCode.ZERO_CONTROL_MEAN);
            return notEnough(options, champion.count(), canary.count(), why);
        }
        return relative(champion.mean(), champion.variance(), champion.count(), canary.mean(), canary.variance(),
                canary.count(), options, champion.count(), canary.count(), why);
    }

    /** Latency harm as a ratio of geometric means, from the histograms ({@code higherIsBetter} is ignored). */
    public static GuardrailResult latency(LatencyStats champion, LatencyStats canary, GuardrailOptions options) {
        Checks.notNull("champion", champion);
        Checks.notNull("canary", canary);
        return logLatency(logMoments(champion), logMoments(canary), options);
    }

    /**
     * Latency harm from log moments ({@link #logMoments}), e.g. merged across rollout steps with
     * {@link ContinuousStats#merge}: slower is worse, whatever {@code higherIsBetter} says.
     */
    public static GuardrailResult logLatency(ContinuousStats championLog, ContinuousStats canaryLog,
                                             GuardrailOptions options) {
        Checks.notNull("championLog", championLog);
        Checks.notNull("canaryLog", canaryLog);
        Checks.notNull("options", options);
        Set<ReasonCode> why = EnumSet.noneOf(ReasonCode.class);
        long nC = championLog.count();
        long nT = canaryLog.count();
        if (nC < options.minCount() || nT < options.minCount()) {
            return notEnough(options, nC, nT, why);
        }
        double d = canaryLog.mean() - championLog.mean();
        double v = championLog.variance() / nC + canaryLog.variance() / nT;
        double tau = Math.log1p(options.mixingSd());
        return judge(d, v, Math.log1p(options.margin()), tau * tau, true, options, nC, nT, why);
    }

    /**
     * Count, mean and centred second moment of {@code ln(value)} over a histogram's recorded values, each value
     * taken as its bucket's midpoint (HdrHistogram's median-equivalent value). At 3 significant digits a bucket is
     * at most about 0.1 % wide, so each ln(value) is within about 0.001 of the exact one (and the mean is
     * within that too). Values below 1 (a recorded 0) count as 1, i.e. ln = 0.
     */
    public static ContinuousStats logMoments(LatencyStats latency) {
        Checks.notNull("latency", latency);
        WeightedSample s = latency.toWeightedSample();
        long n = s.total();
        if (n == 0) {
            return ContinuousStats.EMPTY;
        }
        int k = s.distinct();
        double[] logs = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            logs[i] = Math.log(Math.max(1.0, s.value(i)));
            sum += s.count(i) * logs[i];
        }
        double mean = sum / n;
        double m2 = 0;
        double comp = 0;
        for (int i = 0; i < k; i++) {
            double dev = logs[i] - mean;
            m2 += s.count(i) * dev * dev;
            comp += s.count(i) * dev;
        }
        m2 = Math.max(0, m2 - comp * comp / n);
        return ContinuousStats.of(n, mean + comp / n, m2);
    }

    private static GuardrailResult relative(double mC, double vC, double nC, double mT, double vT, double nT,
                                            GuardrailOptions options, long countC, long countT,
                                            Set<ReasonCode> why) {
        double sign = options.higherIsBetter() ? -1 : 1;
        double r = sign * (mT - mC) / Math.abs(mC);
        double v = vT / (nT * mC * mC) + mT * mT * vC / (nC * mC * mC * mC * mC);
        double tau = options.mixingSd();
        return judge(r, v, options.margin(), tau * tau, false, options, countC, countT, why);
    }

    /** The verdict from the test-scale estimate d, variance v and margin m; log scale when {@code logScale}. */
    private static GuardrailResult judge(double d, double v, double m, double tau2, boolean logScale,
                                         GuardrailOptions o, long countC, long countT, Set<ReasonCode> why) {
        double alpha = o.alpha();
        if (!Double.isFinite(d) || !(v >= 0) || !Double.isFinite(v)) {
            return notEnough(o, countC, countT, why);
        }
        double lo;
        double hi;
        double eValue;
        if (v == 0) {
            why.add(ReasonCode.ZERO_VARIANCE);
            lo = d;
            hi = d;
            eValue = d == m ? 1 : Double.POSITIVE_INFINITY;
        } else {
            double h = MixtureSprt.halfWidth(v, tau2, 2 * alpha);
            lo = d - h;
            hi = d + h;
            eValue = Math.exp(logLambda(d - m, v, tau2));
        }
        double p = d > m ? Math.min(1, 0.5 / eValue) : 1;
        GuardrailResult.Verdict verdict = lo > m ? GuardrailResult.Verdict.HARM
                : hi < m ? GuardrailResult.Verdict.NON_INFERIOR : GuardrailResult.Verdict.INCONCLUSIVE;
        return new GuardrailResult(verdict, rel(d, logScale), rel(lo, logScale), rel(hi, logScale), o.margin(),
                alpha, p, eValue, countC, countT, why);
    }

    /** log Lambda of the normal mixture at distance {@code x} from the null value (uncapped; MixtureSprt caps 1/Lambda). */
    static double logLambda(double x, double v, double tau2) {
        return 0.5 * Math.log(v / (v + tau2)) + tau2 * x * x / (2 * v * (v + tau2));
    }


    private static double rel(double x, boolean logScale) {
        return logScale ? Math.expm1(x) : x;
    }

    private static GuardrailResult notEnough(GuardrailOptions o, long countC, long countT, Set<ReasonCode> why) {
        return new GuardrailResult(GuardrailResult.Verdict.NOT_ENOUGH_DATA, Double.NaN, Double.NaN, Double.NaN,
                o.margin(), o.alpha(), 1.0, 1.0, countC, countT, why);
    }
}
