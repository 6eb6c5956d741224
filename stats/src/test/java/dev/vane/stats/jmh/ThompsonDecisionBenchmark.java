package dev.vane.stats.jmh;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.ThompsonConfig;
import dev.vane.stats.ThompsonSampler;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One Thompson-sampling decision among 10 arms, as the request path makes it: an immutable snapshot shared by all
 * threads, a per-thread generator.
 */
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ThompsonDecisionBenchmark {

    @State(Scope.Benchmark)
    public static class Snapshots {
        ThompsonSampler bernoulli;
        ThompsonSampler bernoulliTopTwoFloor;
        ThompsonSampler gaussian;

        @Setup
        public void setUp() {
            BinaryStats[] batch = new BinaryStats[10];
            ContinuousStats[] rewards = new ContinuousStats[10];
            for (int i = 0; i < 10; i++) {
                batch[i] = BinaryStats.of(100_000, 8_000 + 200L * i);
                rewards[i] = ContinuousStats.ofMeanAndSd(10_000, 1.0 + 0.01 * i, 2.0);
            }
            bernoulli = ThompsonSampler.bernoulli(10, ThompsonConfig.defaults()).withBatch(batch);
            bernoulliTopTwoFloor = ThompsonSampler.bernoulli(10,
                    ThompsonConfig.defaults().withExplorationFloor(0.005).withTopTwo(0.5)).withBatch(batch);
            gaussian = ThompsonSampler.gaussian(10, ThompsonConfig.defaults()).withBatch(rewards);
        }
    }

    @State(Scope.Thread)
    public static class Rng {
        final SplittableRandom random = new SplittableRandom(42);
    }

    @Benchmark
    public int bernoulliTenArms(Snapshots s, Rng rng) {
        return s.bernoulli.choose(rng.random);
    }

    @Benchmark
    public int bernoulliTenArmsTopTwoWithFloor(Snapshots s, Rng rng) {
        return s.bernoulliTopTwoFloor.choose(rng.random);
    }

    @Benchmark
    public int gaussianTenArms(Snapshots s, Rng rng) {
        return s.gaussian.choose(rng.random);
    }
}
