package dev.vane.stats.bench;

import dev.vane.stats.ThompsonConfig;
import dev.vane.stats.ThompsonSampler;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Bernoulli bandit benchmark (a command-line program, not a test): mean cumulative pseudo-regret
 * {@code sum_t (mu* - mu_{a_t})} of Thompson sampling, UCB1 and epsilon-greedy (0.1) over 20 seeds, beside the
 * Lai-Robbins asymptotic lower bound {@code ln T * sum_{i != *} (mu* - mu_i) / KL(mu_i, mu*)}.
 *
 * <p>Run: {@code mvn -q -pl stats test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.vane.stats.bench.BanditBenchmark} (optional args: horizon seeds).
 * All policies of one seed see the same reward stream (common random numbers: arm a pays at step t when
 * u_t &lt; mu_a).
 */
public final class BanditBenchmark {
    private static final String[] POLICIES = {"Thompson", "UCB1", "eps-greedy 0.1"};

    private BanditBenchmark() {}

    public static void main(String[] args) {
        int horizon = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        double[][] settings = {arms(10, 0.10, 0.08), arms(10, 0.10, 0.09), {0.05, 0.06}};
        String[] names = {"K=10, best 0.10, others 0.08", "K=10, best 0.10, others 0.09", "K=2, 0.05 vs 0.06"};
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "horizon %,d, %d seeds, mean cumulative regret (+- standard error)%n%n",
                horizon, seeds));
        table.append("| setting | Thompson | UCB1 | eps-greedy 0.1 | Lai-Robbins bound |\n");
        table.append("|---|---|---|---|---|\n");
        for (int s = 0; s < settings.length; s++) {
            double[] mu = settings[s];
            double[][] regret = IntStream.range(0, seeds).parallel()
                    .mapToObj(seed -> runSeed(mu, horizon, seed)).toArray(double[][]::new);
            table.append("| ").append(names[s]);
            for (int p = 0; p < POLICIES.length; p++) {
                double mean = 0;
                for (double[] r : regret) {
                    mean += r[p];
                }
                mean /= seeds;
                double var = 0;
                for (double[] r : regret) {
                    var += (r[p] - mean) * (r[p] - mean);
                }
                double se = Math.sqrt(var / (seeds - 1) / seeds);
                table.append(String.format(Locale.ROOT, " | %.1f +- %.1f", mean, se));
            }
            table.append(String.format(Locale.ROOT, " | %.1f |%n", laiRobbins(mu, horizon)));
        }
        System.out.print(table);
    }

    private static double[] arms(int k, double best, double others) {
        double[] mu = new double[k];
        java.util.Arrays.fill(mu, others);
        mu[0] = best;
        return mu;
    }

    private static double[] runSeed(double[] mu, int horizon, long seed) {
        double[] u = new double[horizon];
        SplittableRandom rewards = new SplittableRandom(1_000_003L * seed + 17);
        for (int t = 0; t < horizon; t++) {
            u[t] = rewards.nextDouble();
        }
        return new double[] {thompson(mu, u, seed), ucb1(mu, u), epsilonGreedy(mu, u, 0.1, seed)};
    }

    private static double best(double[] mu) {
        double b = 0;
        for (double m : mu) {
            b = Math.max(b, m);
        }
        return b;
    }

    private static double thompson(double[] mu, double[] u, long seed) {
        SplittableRandom rng = new SplittableRandom(seed * 31 + 1);
        ThompsonSampler sampler = ThompsonSampler.bernoulli(mu.length, ThompsonConfig.defaults());
        double top = best(mu);
        double regret = 0;
        for (int t = 0; t < u.length; t++) {
            int a = sampler.choose(rng);
            sampler = sampler.withOutcome(a, u[t] < mu[a]);
            regret += top - mu[a];
        }
        return regret;
    }

    private static double ucb1(double[] mu, double[] u) {
        int k = mu.length;
        long[] n = new long[k];
        double[] sum = new double[k];
        double top = best(mu);
        double regret = 0;
        for (int t = 0; t < u.length; t++) {
            int a;
            if (t < k) {
                a = t;
            } else {
                a = 0;
                double bestIndex = Double.NEGATIVE_INFINITY;
                double logT = Math.log(t);
                for (int i = 0; i < k; i++) {
                    double index = sum[i] / n[i] + Math.sqrt(2 * logT / n[i]);
                    if (index > bestIndex) {
                        bestIndex = index;
                        a = i;
                    }
                }
            }
            n[a]++;
            sum[a] += u[t] < mu[a] ? 1 : 0;
            regret += top - mu[a];
        }
        return regret;
    }

    private static double epsilonGreedy(double[] mu, double[] u, double epsilon, long seed) {
        SplittableRandom rng = new SplittableRandom(seed * 31 + 2);
        int k = mu.length;
        long[] n = new long[k];
        double[] sum = new double[k];
        double top = best(mu);
        double regret = 0;
        for (int t = 0; t < u.length; t++) {
            int a;
            if (rng.nextDouble() < epsilon) {
                a = rng.nextInt(k);
            } else {
                a = 0;
                double bestMean = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < k; i++) {
                    // untried arms first (optimistic 1.0), ties broken by index
                    double m = n[i] == 0 ? 1.0 : sum[i] / n[i];
                    if (m > bestMean) {
                        bestMean = m;
                        a = i;
                    }
                }
            }
            n[a]++;
            sum[a] += u[t] < mu[a] ? 1 : 0;
            regret += top - mu[a];
        }
        return regret;
    }

    /** ln T * sum over suboptimal arms of gap / KL(Bernoulli(mu_i) || Bernoulli(mu*)). */
    static double laiRobbins(double[] mu, int horizon) {
        double top = best(mu);
        double sum = 0;
        for (double m : mu) {
            if (m < top) {
                double kl = m * Math.log(m / top) + (1 - m) * Math.log((1 - m) / (1 - top));
                sum += (top - m) / kl;
            }
        }
        return sum * Math.log(horizon);
    }
}
