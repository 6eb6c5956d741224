"""Where the samples of an async-profiler collapsed-stack file fall: by leaf layer, by syscall, and the inclusive
share of Vane's own frames. Usage: python3 summary.py FILE.collapsed [N]."""
import collections
import sys


def layer(leaf, stack):
    if leaf.endswith("_[k]"):
        return "kernel"
    for prefix, name in (("io/netty", "netty"), ("io/vertx", "vertx"), ("dev/vane", "vane"),
                         ("com/github/benmanes", "caffeine"), ("org/HdrHistogram", "hdrhistogram"),
                         ("io/lettuce", "lettuce"), ("java/", "jdk"), ("jdk/", "jdk"), ("sun/", "jdk")):
        if leaf.startswith(prefix):
            return name
    return "jvm (gc)" if ("G1" in stack or "GC" in stack) else "jvm (other: jit, runtime, native)"


def main(path, n=30):
    total = 0
    layers, syscalls, vane = collections.Counter(), collections.Counter(), collections.Counter()
    for line in open(path):
        stack, count = line.rsplit(" ", 1)
        count = int(count)
        total += count
        frames = stack.split(";")
        layers[layer(frames[-1], stack)] += count
        sys_frame = next((f for f in frames if f.startswith("__x64_sys_")), None)
        name = sys_frame[len("__x64_sys_"):] if sys_frame else "(user space)"
        syscalls[name[:-len("_[k]")] if name.endswith("_[k]") else name] += count
        for f in set(frames):
            if f.startswith("dev/vane") and "$$Lambda" not in f:
                vane[f] += count
    print("%d samples" % total)
    print("-- by leaf layer (self time)")
    for k, v in layers.most_common():
        print("%5.1f%%  %s" % (100.0 * v / total, k))
    print("-- by system call (inclusive)")
    for k, v in syscalls.most_common(8):
        print("%5.1f%%  %s" % (100.0 * v / total, k))
    print("-- Vane frames (inclusive, includes the framework and kernel work they call)")
    for k, v in vane.most_common(n):
        print("%5.1f%%  %s" % (100.0 * v / total, k))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30)
