package dev.vane.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ThompsonSamplerTest {

    private static ThompsonSampler tenArms(ThompsonConfig config) {
        BinaryStats[] batch = new BinaryStats[10];
        for (int i = 0; i < 10; i++) {
            batch[i] = BinaryStats.of(1000, i == 3 ? 110 : 95 + i);
        }
        return ThompsonSampler.bernoulli(10, config).withBatch(batch);
    }

    @Test
    void sameSeedGivesTheSameDecisions() {
        ThompsonSampler s = tenArms(ThompsonConfig.defaults());
        SplittableRandom a = new SplittableRandom(42);
        SplittableRandom b = new SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            assertEquals(s.choose(a), s.choose(b));
        }
        assertEquals(s.choose(123L), s.choose(123L));
    }

    @Test
    void allocationEqualsThePosteriorProbabilityOfBeingBest() {
        BinaryStats[] arms = {BinaryStats.of(1000, 100), BinaryStats.of(1000, 110), BinaryStats.of(1000, 95)};
        ThompsonSampler s = ThompsonSampler.bernoulli(3, ThompsonConfig.defaults()).withBatch(arms);
        double[] allocation = s.allocation(new SplittableRandom(5), 40_000);
        // P(best) by quadrature, scipy_reference.py
        assertArrayEquals(new double[] {0.20432178467473092, 0.702741504724113, 0.09293671060115692}, allocation,
                0.012);
    }

    @Test
    void explorationFloorGivesHopelessArmsTheirMinimumShare() {
        BinaryStats[] arms = {BinaryStats.of(100_000, 1000), BinaryStats.of(100_000, 20_000)};
        ThompsonSampler plain = ThompsonSampler.bernoulli(2, ThompsonConfig.defaults()).withBatch(arms);
        ThompsonSampler floored = ThompsonSampler.bernoulli(2, ThompsonConfig.defaults().withExplorationFloor(0.05))
                .withBatch(arms);
        assertEquals(0.0, plain.allocation(new SplittableRandom(1), 20_000)[0]);
        assertEquals(0.05, floored.allocation(new SplittableRandom(1), 20_000)[0], 0.006);
    }

    @Test
    void topTwoPlaysTheLeaderAboutHalfTheTime() {
        BinaryStats[] arms = {BinaryStats.of(10_000, 1000), BinaryStats.of(10_000, 1500), BinaryStats.of(10_000, 900)};
        ThompsonSampler s = ThompsonSampler.bernoulli(3, ThompsonConfig.defaults().withTopTwo(0.5)).withBatch(arms);
        double[] allocation = s.allocation(new SplittableRandom(3), 20_000);
        assertEquals(0.5, allocation[1], 0.02);
        assertTrue(allocation[0] > allocation[2]);
    }

    @Test
    void batchedUpdatesEqualOneOutcomeAtATime() {
        ThompsonSampler batched = ThompsonSampler.bernoulli(2, ThompsonConfig.defaults())
                .withBatch(new BinaryStats[] {BinaryStats.of(3, 2), BinaryStats.of(1, 0)});
        ThompsonSampler single = ThompsonSampler.bernoulli(2, ThompsonConfig.defaults())
                .withOutcome(0, true).withOutcome(0, false).withOutcome(0, true).withOutcome(1, false);
        assertEquals(batched.posteriorMean(0), single.posteriorMean(0));
        assertEquals(batched.posteriorMean(1), single.posteriorMean(1));
        assertEquals(3.0 / 5, batched.posteriorMean(0));
    }

    @Test
    void discountingForgetsOldRewardsSoTheSamplerFollowsAChange() {
        ThompsonConfig forgetful = ThompsonConfig.defaults().withDiscount(0.5);
        ThompsonSampler kept = ThompsonSampler.bernoulli(2, ThompsonConfig.defaults());
        ThompsonSampler discounted = ThompsonSampler.bernoulli(2, forgetful);
        BinaryStats[] before = {BinaryStats.of(1000, 200), BinaryStats.of(1000, 100)};
        BinaryStats[] after = {BinaryStats.of(100, 10), BinaryStats.of(100, 20)};
        kept = kept.withBatch(before);
        discounted = discounted.withBatch(before);
        for (int i = 0; i < 5; i++) {
            kept = kept.withBatch(after);
            discounted = discounted.withBatch(after);
        }
        assertTrue(kept.posteriorMean(0) > kept.posteriorMean(1));
        assertTrue(discounted.posteriorMean(1) > discounted.posteriorMean(0));
    }

    @Test
    void gaussianArmsUseTheConjugateNormalPosterior() {
        ThompsonConfig config = ThompsonConfig.defaults().withGaussianPrior(0, 10, 1);
        ThompsonSampler s = ThompsonSampler.gaussian(2, config).withBatch(new ContinuousStats[] {
            ContinuousStats.ofMeanAndSd(101, 5.0, 2.0), ContinuousStats.ofMeanAndSd(101, 5.5, 2.0)});
        // noise variance (M2 + 1) / 101 with M2 = 4 * 100; precision 1/100 + 101 / noise
        double noise = (400.0 + 1) / 101;
        double precision = 0.01 + 101 / noise;
        assertEquals((101 * 5.0 / noise) / precision, s.posteriorMean(0), 1e-12);
        double[] allocation = s.allocation(new SplittableRandom(8), 20_000);
        assertTrue(allocation[1] > 0.95, "allocation " + allocation[1]);
    }

    @Test
    void concurrentCallersWithTheirOwnGeneratorsGetTheSameDecisionsAsOneThread() throws Exception {
        ThompsonSampler s = tenArms(ThompsonConfig.defaults().withExplorationFloor(0.01).withTopTwo(0.5));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                futures.add(pool.submit(() -> picks(s, seed)));
            }
            for (int t = 0; t < 8; t++) {
                assertArrayEquals(picks(s, t), futures.get(t).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int[] picks(ThompsonSampler s, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] out = new int[2000];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.choose(rng);
        }
        return out;
    }

    @Test
    void decisionAllocatesNothing() {
        ThompsonSampler s = tenArms(ThompsonConfig.defaults().withExplorationFloor(0.01));
        SplittableRandom rng = new SplittableRandom(1);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += s.choose(rng);
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            sink += s.choose(rng);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(sink > 0);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 100,000 decisions");
    }

    @Test
    void misuseNamesTheBadValue() {
        assertEquals("explorationFloor: 0.2 (expected: <= 1/arms = 0.1)", assertThrows(IllegalArgumentException.class,
                () -> ThompsonSampler.bernoulli(10, ThompsonConfig.defaults().withExplorationFloor(0.2))).getMessage());
        assertEquals("arms: 0 (expected: >= 1)", assertThrows(IllegalArgumentException.class,
                () -> ThompsonSampler.bernoulli(0, ThompsonConfig.defaults())).getMessage());
        ThompsonSampler s = ThompsonSampler.bernoulli(2, ThompsonConfig.defaults());
        assertEquals("batch.length: 1 (expected: arms 2)", assertThrows(IllegalArgumentException.class,
                () -> s.withBatch(new BinaryStats[] {BinaryStats.EMPTY})).getMessage());
        assertEquals("arm: 2 (expected: >= 0 and < 2)", assertThrows(IllegalArgumentException.class,
                () -> s.withOutcome(2, true)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> s.withBatch(new ContinuousStats[] {ContinuousStats.EMPTY, ContinuousStats.EMPTY}));
        assertEquals("discount: 0.0 (expected: > 0 and <= 1)", assertThrows(IllegalArgumentException.class,
                () -> ThompsonConfig.defaults().withDiscount(0)).getMessage());
    }
}
