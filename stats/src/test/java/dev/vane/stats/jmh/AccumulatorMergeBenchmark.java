package dev.vane.stats.jmh;

import dev.vane.stats.BinaryStats;
import dev.vane.stats.Comparison;
import dev.vane.stats.ComparisonResult;
import dev.vane.stats.ContinuousStats;
import dev.vane.stats.LatencyStats;
import dev.vane.stats.Options;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Merging per-node accumulators, and one full comparison (what the results endpoint pays per metric). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class AccumulatorMergeBenchmark {
    BinaryStats binaryA;
    BinaryStats binaryB;
    ContinuousStats continuousA;
    ContinuousStats continuousB;
    LatencyStats latencyA;
    LatencyStats latencyB;
    byte[] latencyEncoded;

    @Setup
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(1);
        binaryA = BinaryStats.of(5_000_000, 500_000);
        binaryB = BinaryStats.of(5_000_000, 510_000);
        double[] y = new double[10_000];
        double[] x = new double[10_000];
        for (int i = 0; i < y.length; i++) {
            x[i] = rng.nextGaussian();
            y[i] = 2 * x[i] + rng.nextGaussian();
        }
        continuousA = ContinuousStats.ofValues(y, x);
        continuousB = ContinuousStats.ofValues(x, y);
        long[] la = new long[100_000];
        long[] lb = new long[100_000];
        for (int i = 0; i < la.length; i++) {
            la[i] = (long) (1000 * Math.exp(rng.nextGaussian()));
            lb[i] = (long) (1100 * Math.exp(rng.nextGaussian()));
        }
        latencyA = LatencyStats.ofValues(la);
        latencyB = LatencyStats.ofValues(lb);
        latencyEncoded = latencyA.encode();
    }

    @Benchmark
    public BinaryStats binaryMerge() {
        return binaryA.merge(binaryB);
    }

    @Benchmark
    public ContinuousStats continuousMergeWithCovariate() {
        return continuousA.merge(continuousB);
    }

    @Benchmark
    public LatencyStats latencyHistogramMerge() {
        return latencyA.merge(latencyB);
    }

    @Benchmark
    public LatencyStats latencyHistogramDecode() {
        return LatencyStats.decode(latencyEncoded);
    }

    @Benchmark
    public ComparisonResult binaryCompareTenMillion() {
        return Comparison.compare(binaryA, binaryB, Options.defaults());
    }

    @Benchmark
    public ComparisonResult continuousCompareWithCuped() {
        return Comparison.compare(continuousA, continuousB, Options.defaults());
    }
}
