# Reference values computed with R 4.2.2 (Debian bookworm r-base-core).
# Run: Rscript r_reference.R   (prints NAME = value lines pasted into the tests)
source("data.R")
options(digits = 17)
out <- function(name, value) cat(name, "=", format(value, digits = 17), "\n")

# Two-proportion z-test: prop.test(correct = FALSE) gives X^2 = z^2, its p-value, and the unpooled Wald CI of
# p1 - p2 (first group = treatment, so the difference is treatment - control).
z <- function(name, nc, sc, nt, st, alt = "two.sided") {
  r <- prop.test(c(st, sc), c(nt, nc), correct = FALSE, alternative = alt)
  out(paste0(name, "_Z"), sign(st / nt - sc / nc) * sqrt(unname(r$statistic)))
  out(paste0(name, "_P"), r$p.value)
  out(paste0(name, "_LO"), r$conf.int[1])
  out(paste0(name, "_HI"), r$conf.int[2])
}
z("Z_BASIC", 1000, 100, 1000, 130)
z("Z_GREATER", 1000, 100, 1000, 130, "greater")
z("Z_LESS", 1000, 100, 1000, 130, "less")
z("Z_HUGE", 10000000, 500000, 10000000, 502000)
z("Z_TINY", 10, 1, 12, 5)
z("Z_TAIL", 100000, 10000, 100000, 11070)

# Welch t-test on raw samples: t.test(treatment, control)
r <- t.test(welch_t, welch_c, var.equal = FALSE)
out("WELCH_RAW_DF", unname(r$parameter))
out("WELCH_RAW_LO", r$conf.int[1])
out("WELCH_RAW_HI", r$conf.int[2])
r <- t.test(welch_t, welch_c, var.equal = FALSE, alternative = "greater", conf.level = 0.9)
out("WELCH_RAW_GREATER90_LO", r$conf.int[1])

# Multiple testing
p <- c(0.01, 0.04, 0.03, 0.005, 0.20, 0.049, 1e-15, 0.5)
for (m in c("holm", "BH")) {
  cat(toupper(m), "=", paste(format(p.adjust(p, method = m), digits = 17), collapse = ", "), "\n")
}

# Power / sample size for proportions (same equation as Power.sampleSizeBinary), tight root tolerance
out("POWER_BIN_N", power.prop.test(p1 = 0.10, p2 = 0.11, power = 0.8, sig.level = 0.05, tol = 1e-12)$n)
out("POWER_BIN_N_ONE_SIDED", power.prop.test(p1 = 0.05, p2 = 0.06, power = 0.9, sig.level = 0.01,
                                            alternative = "one.sided", tol = 1e-12)$n)
out("POWER_BIN_MDE_P2", power.prop.test(n = 20000, p1 = 0.10, power = 0.8, sig.level = 0.05, tol = 1e-12)$p2)
