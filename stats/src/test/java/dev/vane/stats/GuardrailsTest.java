package dev.vane.stats;

import static dev.vane.stats.internal.Near.CLOSED_FORM;
import static dev.vane.stats.internal.Near.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.stats.GuardrailResult.Verdict;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Reference: src/test/resources/reference/guardrail_reference.py (the formulas evaluated independently with mpmath
 * at 40 digits; output in guardrail_reference.out). Tolerance 1e-9 relative.
 */
class GuardrailsTest {
    private static final double ALPHA3 = 0.05 / 3;

    private static void assertMatches(GuardrailResult r, double est, double lo, double hi, double e, double p) {
        assertNear(est, r.estimate(), CLOSED_FORM, "estimate");
        assertNear(lo, r.lower(), CLOSED_FORM, "lower");
        assertNear(hi, r.upper(), CLOSED_FORM, "upper");
        assertNear(e, r.eValue(), CLOSED_FORM, "e-value");
        assertNear(p, r.pValue(), CLOSED_FORM, "p-value");
    }

    @Test
    void errorRateDoubledIsHarmAndMatchesMpmath() {
        GuardrailResult r = Guardrails.binary(BinaryStats.of(40000, 400), BinaryStats.of(10000, 200),
                GuardrailOptions.of(0.2, false, ALPHA3).withMixingSd(0.4));
        assertMatches(r, 1.0046868431799925, 0.44512024775265263, 1.5642534386073323, 40777.15169474294, 1.226176864296436e-05);
        assertEquals(Verdict.HARM, r.verdict());
        assertEquals(40000, r.championCount());
        assertEquals(10000, r.canaryCount());
        assertEquals(ALPHA3, r.alpha());
    }

    @Test
    void equalErrorRatesAtLargeCountsAreNonInferior() {
        GuardrailResult r = Guardrails.binary(BinaryStats.of(200000, 2000), BinaryStats.of(100000, 1000),
                GuardrailOptions.of(0.2, false, ALPHA3).withMixingSd(0.2));
        assertMatches(r, 0.0004897453275322299, -0.1569532450476607, 0.15793273570272515, 2463.978653868292, 1.0);
        assertEquals(Verdict.NON_INFERIOR, r.verdict());
    }

    @Test
    void higherIsBetterCountsADropAsHarm() {
        GuardrailResult r = Guardrails.binary(BinaryStats.of(10000, 1000), BinaryStats.of(5000, 475),
                GuardrailOptions.of(0.05, true, 0.01).withMixingSd(0.05));
        assertMatches(r, 0.04914118268776405, -0.11961118891714094, 0.21789355429266904, 0.32020680282499475, 1.0);
        assertEquals(Verdict.INCONCLUSIVE, r.verdict());
    }

    @Test
    void championWithoutEventsGivesAFiniteWideInterval() {
        GuardrailResult r = Guardrails.binary(BinaryStats.of(300, 0), BinaryStats.of(150, 6),
                GuardrailOptions.of(0.2, false, 0.025).withMixingSd(0.2));
        assertMatches(r, 12.907894736842104, -4.041583353718767, 29.85737282740298, 4.15558490092495, 0.12032000594879194);
        assertEquals(Verdict.INCONCLUSIVE, r.verdict());
        assertEquals(Set.of(), r.reasons());
    }

    @Test
    void continuousRelativeHarmMatchesMpmath() {
        ContinuousStats c = ContinuousStats.ofValues(IntStream.range(0, 400).mapToDouble(i -> 10 + i % 7).toArray());
        ContinuousStats t = ContinuousStats.ofValues(IntStream.range(0, 300).mapToDouble(i -> 9 + i % 5).toArray());
        GuardrailResult r = Guardrails.continuous(c, t, GuardrailOptions.of(0.05, true, 0.025).withMixingSd(0.05));
        assertMatches(r, 0.15335770636905907, 0.12502878256902572, 0.18168663016909245, 3.391886389672539e+26,
                1.4741059769052915e-27);
        assertEquals(Verdict.HARM, r.verdict());
    }

    @Test
    void latencyIsJudgedOnTheLogScaleAndMatchesMpmath() {
        // values below 2048 are stored exactly by a 3-digit histogram, so the reference uses the raw values
        LatencyStats c = LatencyStats.ofValues(IntStream.range(0, 500).mapToLong(i -> 100 + (i * 37) % 900).toArray());
        LatencyStats t = LatencyStats.ofValues(IntStream.range(0, 400).mapToLong(i -> 130 + (i * 53) % 1200).toArray());
        GuardrailResult r = Guardrails.latency(c, t, GuardrailOptions.of(0.1, false, 0.025).withMixingSd(0.1));
        assertMatches(r, 0.3257020405506646, 0.17353323144338947, 0.4976021583628891, 3999.6464299727336,
                0.00012501105004009282);
        assertEquals(Verdict.HARM, r.verdict());
        assertEquals(500, r.championCount());
    }

    @Test
    void logMomentsOfLargeValuesAreWithinTheHistogramsPrecision() {
        long[] values = IntStream.range(0, 2000).mapToLong(i -> 50_000 + (long) i * i * 7 % 900_000).toArray();
        double sum = 0;
        for (long v : values) {
            sum += Math.log(v);
        }
        double mean = sum / values.length;
        double m2 = 0;
        for (long v : values) {
            m2 += (Math.log(v) - mean) * (Math.log(v) - mean);
        }
        ContinuousStats m = Guardrails.logMoments(LatencyStats.ofValues(values));
        assertEquals(2000, m.count());
        assertTrue(Math.abs(m.mean() - mean) < 1e-3, () -> "mean " + m.mean() + " vs " + mean);
        assertTrue(Math.abs(m.variance() / (m2 / 1999) - 1) < 1e-2, () -> "variance " + m.variance());
    }

    @Test
    void pValueBelowAlphaExactlyWhenTheLowerBoundExceedsTheMargin() {
        GuardrailOptions o = GuardrailOptions.of(0.2, false, 0.01);
        for (int errors = 100; errors <= 260; errors += 2) {
            GuardrailResult r = Guardrails.binary(BinaryStats.of(20000, 200), BinaryStats.of(10000, errors), o);
            assertEquals(r.pValue() < o.alpha(), r.lower() > o.margin(), "errors = " + errors);
            assertEquals(r.verdict() == Verdict.HARM, r.pValue() < o.alpha(), "errors = " + errors);
        }
    }

    @Test
    void fewerObservationsThanTheMinimumIsNotEnoughData() {
        GuardrailResult r = Guardrails.binary(BinaryStats.of(5000, 50), BinaryStats.of(99, 50),
                GuardrailOptions.of(0.2, false, 0.05));
        assertEquals(Verdict.NOT_ENOUGH_DATA, r.verdict());
        assertTrue(Double.isNaN(r.estimate()) && Double.isNaN(r.lower()) && Double.isNaN(r.upper()));
        assertEquals(1.0, r.pValue());
        assertEquals(99, r.canaryCount());
        GuardrailResult empty = Guardrails.latency(LatencyStats.empty(), LatencyStats.empty(),
                GuardrailOptions.of(0.1, false, 0.05));
        assertEquals(Verdict.NOT_ENOUGH_DATA, empty.verdict());
    }

    @Test
    void zeroChampionMeanIsNotEnoughDataWithAReason() {
        ContinuousStats zero = ContinuousStats.ofValues(new double[200]);
        ContinuousStats t = ContinuousStats.ofValues(IntStream.range(0, 200).mapToDouble(i -> i % 3).toArray());
        GuardrailResult r = Guardrails.continuous(zero, t, GuardrailOptions.of(0.1, true, 0.05));
        assertEquals(Verdict.NOT_ENOUGH_DATA, r.verdict());
        assertEquals(Set.of(ReasonCode.ZERO_CONTROL_MEAN), r.reasons());
    }

    @Test
    void constantValuesGiveAPointIntervalAndAVerdictFromTheEstimate() {
        ContinuousStats c = ContinuousStats.ofValues(IntStream.range(0, 200).mapToDouble(i -> 10).toArray());
        ContinuousStats t = ContinuousStats.ofValues(IntStream.range(0, 200).mapToDouble(i -> 12).toArray());
        GuardrailResult r = Guardrails.continuous(c, t, GuardrailOptions.of(0.1, false, 0.05));
        assertEquals(Verdict.HARM, r.verdict());
        assertEquals(0.2, r.lower(), 1e-15);
        assertEquals(0.2, r.upper(), 1e-15);
        assertEquals(0.0, r.pValue());
        assertEquals(Set.of(ReasonCode.ZERO_VARIANCE), r.reasons());
    }

    @Test
    void alphaIsSplitEvenlyAcrossGuardrails() {
        assertEquals(0.0125, Guardrails.perGuardrailAlpha(0.05, 4), 1e-18);
        assertEquals("guardrails: 0 (expected: >= 1)",
                assertThrows(IllegalArgumentException.class, () -> Guardrails.perGuardrailAlpha(0.05, 0))
                        .getMessage());
    }

    @Test
    void misuseNamesTheValueAndTheRule() {
        assertEquals("alpha: 0.5 (expected: > 0 and < 0.5)", assertThrows(IllegalArgumentException.class,
                () -> GuardrailOptions.of(0.1, false, 0.5)).getMessage());
        assertEquals("margin: -0.1 (expected: finite and >= 0)", assertThrows(IllegalArgumentException.class,
                () -> GuardrailOptions.of(-0.1, false, 0.05)).getMessage());
        assertEquals("minCount: 1 (expected: >= 2)", assertThrows(IllegalArgumentException.class,
                () -> GuardrailOptions.of(0.1, false, 0.05).withMinCount(1)).getMessage());
    }

    @Test
    void describeIsOneReadableLine() {
        GuardrailResult r = Guardrails.binary(BinaryStats.of(40000, 400), BinaryStats.of(10000, 200),
                GuardrailOptions.of(0.2, false, ALPHA3).withMixingSd(0.4));
        assertEquals("HARM: harm +100% [+44.5%, +156%] vs margin 20.0%, p=1.23e-05, n=40000/10000", r.describe());
    }
}
