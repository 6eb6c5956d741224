#!/usr/bin/env python3
"""Helpers for bench/run.sh (Python 3 standard library only).

  vb.py freeport                          print a free loopback TCP port
  vb.py render TEMPLATE OUT KEY=VALUE...  copy TEMPLATE to OUT replacing @KEY@ by VALUE
  vb.py wait-http URL SECONDS             wait until URL answers 2xx (exit 1 on timeout)
  vb.py check URL USERS OUT               sanity check of a target: USERS users x 2 requests each over keep-alive;
                                          status counts, X-Vane-Variant split and stickiness, written to OUT (JSON)
  vb.py feeder URL SECONDS RATE OUT [ADMIN]   for SECONDS: RATE inference requests/s to URL (a bandit target), each
                                          followed (in batches) by a click event by request id with a per-arm
                                          probability (v1 2%, v2 4%, v3 8%, others 4%); counts written to OUT (JSON)
  vb.py summarise RUNDIR OUTJSON          read RUNDIR (meta.json, wrk-*.txt, redis-*.txt, check-*.json,
                                          fbresults-*.json, feeder-*.json), print the tables, write OUTJSON
  vb.py jfr-top FILE.jfr [N]              top hot methods, top Vane frames and allocation sites of a JFR recording
"""
import collections
import glob
import http.client
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

TARGETS = ["direct", "nginx", "netty-bare", "vertx-bare", "vane-memory", "vane-bandit", "vane-redis", "vane-shadow"]
FEEDBACK_TARGETS = ["feedback-batch", "feedback-single"]
VANES = ["vane-memory", "vane-bandit", "vane-redis", "vane-shadow", "vane-feedback"]
LABELS = {
    "direct": "backend direct",
    "nginx": "nginx proxy_pass",
    "netty-bare": "bare Netty proxy",
    "vertx-bare": "bare Vert.x proxy",
    "vane-memory": "Vane in-memory",
    "vane-bandit": "Vane bandit (Thompson)",
    "vane-redis": "Vane Redis",
    "vane-shadow": "Vane 100% shadow",
    "feedback-batch": "feedback, batch",
    "feedback-single": "feedback, 1 event",
}


def freeport():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def render(template, out, pairs):
    text = open(template).read()
    for pair in pairs:
        key, _, value = pair.partition("=")
        text = text.replace("@" + key + "@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        sys.exit("render: unfilled placeholders in %s: %s" % (template, sorted(set(left))))
    with open(out, "w") as f:
        f.write(text)


def wait_http(url, seconds):
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if 200 <= r.status < 300:
                    return 0
        except Exception:
            pass
        time.sleep(0.2)
    print("timed out waiting for %s" % url, file=sys.stderr)
    return 1


BODY = ('{"id":"check","inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","data":'
        '[0.125,0.5,0.75,1.25,0.0625,2.5,0.375,0.875,1.5,0.25,3.125,0.625,0.5,1.75,0.03125,0.9375]}]}')


def check(url, users, out):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    statuses = collections.Counter()
    variants = collections.Counter()
    first = {}
    moved = 0
    body_sizes = collections.Counter()
    for rnd in range(2):
        for i in range(int(users)):
            uid = "check-%d" % i
            conn.request("POST", u.path, body=BODY, headers={"Content-Type": "application/json", "X-User-Id": uid})
            r = conn.getresponse()
            data = r.read()
            statuses[r.status] += 1
            body_sizes[len(data)] += 1
            v = r.getheader("X-Vane-Variant")
            if rnd == 0:
                first[uid] = v
                variants[v or "-"] += 1
            elif first.get(uid) != v:
                moved += 1
    conn.close()
    res = {"url": url, "users": int(users), "requests": 2 * int(users), "statuses": dict(statuses),
           "variants_first_request": dict(variants), "users_whose_variant_changed": moved,
           "response_body_bytes": dict(body_sizes)}
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    print("  check %s: statuses %s, variants %s, moved %d, body bytes %s" % (
        url, dict(statuses), dict(variants), moved, dict(body_sizes)))


FEED_CTR = {"v1": 0.02, "v2": 0.04, "v3": 0.08}


def feeder(url, seconds, rate, out, admin_url=None):
    """Drives a bandit target lightly and sends click feedback by request id (to the admin listener at ADMIN_URL),
    so its posterior moves."""
    u = urllib.parse.urlparse(url)
    a = urllib.parse.urlparse(admin_url or url)
    rnd = random.Random(os.getpid())
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    admin = http.client.HTTPConnection(a.hostname, a.port, timeout=5)
    interval = 1.0 / float(rate)
    end = time.time() + float(seconds)
    next_at = time.time()
    statuses, variants, clicks = collections.Counter(), collections.Counter(), collections.Counter()
    fb = collections.Counter()
    pending = []
    n = 0

    def flush():
        if not pending:
            return
        admin.request("POST", "/v1/feedback", body=json.dumps({"events": pending}),
                      headers={"Content-Type": "application/json"})
        r = admin.getresponse()
        data = r.read()
        fb["status_%d" % r.status] += 1
        try:
            ans = json.loads(data)
            for k in ("accepted", "duplicates", "rejected"):
                fb[k] += ans.get(k, 0)
            for res in ans.get("results", []):
                if res.get("status") == "rejected":
                    fb["code_" + str(res.get("code"))] += 1
        except ValueError:
            fb["unparsed"] += 1
        del pending[:]

    while time.time() < end:
        conn.request("POST", u.path, body=BODY, headers={"Content-Type": "application/json",
                                                          "X-User-Id": "user-%d" % rnd.randint(1, 100000)})
        r = conn.getresponse()
        r.read()
        n += 1
        statuses[r.status] += 1
        arm, rid = r.getheader("X-Vane-Variant"), r.getheader("X-Request-Id")
        variants[arm or "-"] += 1
        if rid and rnd.random() < FEED_CTR.get(arm, 0.04):
            clicks[arm or "-"] += 1
            pending.append({"requestId": rid, "eventId": "feed-%d-%d" % (os.getpid(), n), "metric": "click",
                            "value": 1})
        if len(pending) >= 5:
            flush()
        next_at += interval
        time.sleep(max(0.0, next_at - time.time()))
    flush()
    conn.close()
    res = {"url": url, "seconds": float(seconds), "requests": n, "statuses": dict(statuses),
           "variants": dict(variants), "clicks_sent": dict(clicks), "feedback": dict(fb), "click_rates": FEED_CTR}
    with open(out, "w") as f:
        json.dump(res, f, indent=1)


def parse_wrk(path):
    text = open(path).read()
    m = re.search(r"^VBRESULT (\{.*\})$", text, re.M)
    if not m:
        return None
    res = json.loads(m.group(1))
    m2 = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    res["non_2xx_3xx"] = int(m2.group(1)) if m2 else 0
    m3 = re.search(r"Socket errors: (.*)$", text, re.M)
    res["socket_errors_line"] = m3.group(1).strip() if m3 else ""
    return res


def arm_successes(path, metric="click"):
    """Per-arm positive-event counts of a metric from a GET /v1/experiments/{id}/results document (best effort)."""
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        return None
    out = {}
    for arm in doc.get("arms", []):
        aid = arm.get("id") or arm.get("arm")
        metrics = arm.get("metrics")
        m = None
        if isinstance(metrics, dict):
            m = metrics.get(metric)
        elif isinstance(metrics, list):
            m = next((x for x in metrics if metric in (x.get("metric"), x.get("name"))), None)
        if m is None:
            continue
        for key in ("successes", "sum", "count"):
            if isinstance(m.get(key), (int, float)):
                out[aid] = m[key]
                break
    return out or None


def parse_info(path):
    out = {"total": None, "cmds": {}}
    for line in open(path):
        line = line.strip()
        if line.startswith("total_commands_processed:"):
            out["total"] = int(line.split(":", 1)[1])
        elif line.startswith("cmdstat_"):
            name, _, rest = line[len("cmdstat_"):].partition(":")
            fields = dict(kv.split("=", 1) for kv in rest.split(","))
            out["cmds"][name] = int(fields["calls"])
    return out


def redis_delta(rundir, tag, requests):
    b = os.path.join(rundir, "redis-%s-before.txt" % tag)
    a = os.path.join(rundir, "redis-%s-after.txt" % tag)
    if not (os.path.exists(a) and os.path.exists(b)):
        return None
    before, after = parse_info(b), parse_info(a)
    per_cmd = {}
    for name, calls in after["cmds"].items():
        d = calls - before["cmds"].get(name, 0)
        if d and name != "info":
            per_cmd[name] = d
    info_calls = after["cmds"].get("info", 0) - before["cmds"].get("info", 0)
    total = after["total"] - before["total"] - info_calls
    scripts = per_cmd.get("evalsha", 0) + per_cmd.get("eval", 0)
    return {"commands": total, "by_command": per_cmd, "requests": requests,
            "commands_per_request": (total / requests) if requests else None,
            "script_calls_per_request": (scripts / requests) if requests else None,
            "note": "Redis's total_commands_processed delta minus the harness's INFO calls; Redis 7 also counts "
                    "the commands a Lua script runs (GET/SET/PTTL/PEXPIRE inside EVALSHA), so one claim = 3+"}


def median_ci(values, level=0.90):
    """Distribution-free confidence interval for the median of VALUES (the sign-test interval): the k-th smallest
    and k-th largest value, k the largest order with P(Binomial(n, 1/2) < k) <= (1 - level) / 2, so the coverage
    is at least LEVEL whatever the distribution of the rounds. Returns (low, high, exact coverage), or None when
    there are too few values for that level (n >= 5 for 90%). The coverages are those of the published sign-test
    tables (R: 1 - 2 * pbinom(k - 1, n, 0.5); n = 8: 1 - 2 * 0.03515625, n = 10: 1 - 2 * 11 / 1024), checked by
    `python3 -m doctest bench/vb.py`:

    >>> median_ci([1.31, 0.86, 1.09, 1.11, 1.12, 1.16, 1.54, 1.61])
    (1.09, 1.54, 0.9296875)
    >>> median_ci(range(1, 11))
    (2, 9, 0.978515625)
    >>> median_ci([1.2, 1.0, 1.1, 0.9])
    """
    x = sorted(values)
    n = len(x)
    if n == 0:
        return None
    def below(k):  # P(Binomial(n, 1/2) < k)
        return sum(math.comb(n, i) for i in range(k)) / 2.0 ** n
    k = 0
    while below(k + 1) <= (1 - level) / 2:
        k += 1
    if k == 0:
        return None
    return x[k - 1], x[n - k], 1 - 2 * below(k)


def fmt(x, nd=2):
    return "-" if x is None else ("%.*f" % (nd, x))


def summarise(rundir, outjson):
    meta = json.load(open(os.path.join(rundir, "meta.json")))
    runs = []
    for path in sorted(glob.glob(os.path.join(rundir, "wrk-*.txt"))):
        m = re.match(r"wrk-(sat|fixed)-(.+)-r(\d+)\.txt$", os.path.basename(path))
        if not m:
            continue
        res = parse_wrk(path)
        if res is None:
            print("warning: no result in %s" % path, file=sys.stderr)
            continue
        mode, target, rnd = m.group(1), m.group(2), int(m.group(3))
        res.update({"mode": mode, "target": target, "round": rnd, "file": os.path.basename(path)})
        if target == "vane-redis":
            res["redis"] = redis_delta(rundir, "%s-r%d" % (mode, rnd), res["requests"])
        runs.append(res)

    def sel(target, mode):
        return [r for r in runs if r["target"] == target and r["mode"] == mode]

    def med(vals):
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    rows = {}
    for t in TARGETS + FEEDBACK_TARGETS:
        sat, fixed = sel(t, "sat"), sel(t, "fixed")
        if not sat and not fixed:
            continue
        errs = sum(r["errors"]["connect"] + r["errors"]["read"] + r["errors"]["write"] + r["errors"]["timeout"]
                   for r in sat + fixed)
        non2xx = sum(r["errors"]["status"] for r in sat + fixed)
        rows[t] = {
            "label": LABELS[t],
            "sat_rps_mean": statistics.mean([r["rps"] for r in sat]) if sat else None,
            "sat_rps_each": [round(r["rps"], 1) for r in sorted(sat, key=lambda r: r["round"])],
            "sat_p50_ms": med([r["latency_ms"]["p50"] for r in sat]),
            "sat_p90_ms": med([r["latency_ms"]["p90"] for r in sat]),
            "sat_p99_ms": med([r["latency_ms"]["p99"] for r in sat]),
            "fixed_rps_achieved": med([r["rps"] for r in fixed]),
            "fixed_p50_ms": med([r["latency_ms"]["p50"] for r in fixed]),
            "fixed_p99_ms": med([r["latency_ms"]["p99"] for r in fixed]),
            "socket_errors": errs,
            "non_2xx": non2xx,
            "requests_total": sum(r["requests"] for r in sat + fixed),
        }
        if t in FEEDBACK_TARGETS:
            row = rows[t]
            row["events_per_request"] = sat[0].get("events_per_request") if sat else None
            row["events_per_s_mean"] = statistics.mean([r["events_per_s"] for r in sat]) if sat else None
            row["events_per_s_each"] = [round(r["events_per_s"], 1) for r in sorted(sat, key=lambda r: r["round"])]
            fbs = [r.get("feedback", {}) for r in sat]
            for k in ("accepted", "duplicates", "rejected", "answers", "status_200", "unparsed"):
                row[k] = sum(f.get(k, 0) for f in fbs)
            row["events_sent"] = sum(r["requests"] * (r.get("events_per_request") or 1) for r in sat)
            row["rejection_samples"] = sorted({f["rejection_sample"] for f in fbs if f.get("rejection_sample")})
            # cross-check: per-arm click counts in the results before and after each run
            deltas = []
            for r in sorted(sat, key=lambda r: r["round"]):
                kind = t.split("-", 1)[1]
                b = arm_successes(os.path.join(rundir, "fbresults-%s-r%d-before.json" % (kind, r["round"])))
                a = arm_successes(os.path.join(rundir, "fbresults-%s-r%d-after.json" % (kind, r["round"])))
                if a is not None:
                    d = {k: a[k] - (b or {}).get(k, 0) for k in a}
                    deltas.append({"round": r["round"], "per_arm": d, "total": sum(d.values()),
                                   "accepted_by_wrk_answers": r.get("feedback", {}).get("accepted")})
            row["results_click_delta"] = deltas
            row["results_click_delta_note"] = (
                "per-arm click successes in GET /v1/experiments/fraud-canary/results before/after each run; the "
                "results cap a binary metric's successes at the arm's exposures (ResultsInputs: min(exposures, "
                "events)), and this harness sends far more clicks than exposures, so the delta saturates; the "
                "accepted/duplicates/rejected figures are the exact sums over every answer wrk received")
    base_n = rows.get("nginx", {}).get("sat_rps_mean")
    base_d = rows.get("direct", {}).get("sat_rps_mean")
    for t, row in rows.items():
        if t in FEEDBACK_TARGETS:
            row["ratio_to_nginx"] = row["ratio_to_direct"] = row["fixed_p99_vs_nginx"] = None
            continue
        rps = row["sat_rps_mean"]
        row["ratio_to_nginx"] = rps / base_n if rps and base_n else None
        row["ratio_to_direct"] = rps / base_d if rps and base_d else None
        base_v = rows.get("vertx-bare", {}).get("sat_rps_mean")
        row["ratio_to_vertx_bare"] = rps / base_v if rps and base_v else None
        np99 = rows.get("nginx", {}).get("fixed_p99_ms")
        row["fixed_p99_vs_nginx"] = row["fixed_p99_ms"] / np99 if row["fixed_p99_ms"] and np99 else None

    bandit = None
    if "vane-bandit" in rows and "vane-memory" in rows:
        b, m = rows["vane-bandit"], rows["vane-memory"]

        def ratio(x, y):
            return round(x / y, 3) if x and y else None
        per_round = []
        for rb in sorted(sel("vane-bandit", "sat"), key=lambda r: r["round"]):
            rm = [r for r in sel("vane-memory", "sat") if r["round"] == rb["round"]]
            if rm:
                per_round.append(ratio(rb["rps"], rm[0]["rps"]))
        bandit = {"sat_rps_ratio": ratio(b["sat_rps_mean"], m["sat_rps_mean"]), "sat_rps_ratio_per_round": per_round,
                  "sat_p50_ratio": ratio(b["sat_p50_ms"], m["sat_p50_ms"]),
                  "sat_p99_ratio": ratio(b["sat_p99_ms"], m["sat_p99_ms"]),
                  "fixed_p50_ratio": ratio(b["fixed_p50_ms"], m["fixed_p50_ms"]),
                  "fixed_p99_ratio": ratio(b["fixed_p99_ms"], m["fixed_p99_ms"])}
    feeders = {}
    for path in sorted(glob.glob(os.path.join(rundir, "feeder-*.json"))):
        try:
            feeders[os.path.basename(path)[7:-5]] = json.load(open(path))
        except ValueError:
            pass

    redis_runs = [r for r in runs if r["target"] == "vane-redis" and r.get("redis")]
    redis_summary = [{"mode": r["mode"], "round": r["round"], **r["redis"]} for r in redis_runs]

    # budget checks from issue 6
    budget = {}
    if "vane-redis" in rows and rows["vane-redis"]["ratio_to_nginx"] is not None:
        budget["saturation: Vane-redis >= 1.0x nginx req/s"] = {
            "measured": round(rows["vane-redis"]["ratio_to_nginx"], 3),
            "pass": rows["vane-redis"]["ratio_to_nginx"] >= 1.0}
    def paired(target, reference, mode):
        """p99 of target / p99 of reference, round by round (the two measured minutes apart, in alternating
        order): on a shared, noisy machine a bad minute inflates both, which a ratio of medians over rounds
        taken at different times does not cancel."""
        ratios = []
        for rt in sorted(sel(target, mode), key=lambda r: r["round"]):
            rr = [r for r in sel(reference, mode) if r["round"] == rt["round"]]
            if rr and rr[0]["latency_ms"]["p99"]:
                ratios.append(round(rt["latency_ms"]["p99"] / rr[0]["latency_ms"]["p99"], 3))
        return ratios

    def p99_budget(name, target, reference, mode, key, limit):
        a, b = rows[target][key], rows[reference][key]
        if not (a and b):
            return
        per_round = paired(target, reference, mode)
        decisive = statistics.median(per_round) if per_round else a / b
        entry = {"measured": round(decisive, 3), "pass": decisive <= limit,
                 "median_of_per_round_ratios": round(decisive, 3), "per_round": per_round,
                 "ratio_of_medians": round(a / b, 3)}
        ci = median_ci(per_round)
        if ci:
            lo, hi, coverage = ci
            entry["median_ci"] = {"low": lo, "high": hi, "coverage": round(coverage, 4)}
            entry["verdict"] = "PASS" if hi <= limit else "FAIL" if lo > limit else "UNDECIDED"
        budget[name] = entry

    for t in ("vane-memory", "vane-redis"):
        if t in rows and "nginx" in rows:
            p99_budget("fixed %d/s: %s p99 <= 1.5x nginx p99" % (meta.get("rate", 2000), t), t, "nginx", "fixed",
                       "fixed_p99_ms", 1.5)
    if "vane-shadow" in rows and "vane-memory" in rows:
        for mode, m, key in (("saturation", "sat", "sat_p99_ms"), ("fixed rate", "fixed", "fixed_p99_ms")):
            p99_budget("shadow 100%% (%s): p99 within 10%% of Vane without shadows" % mode, "vane-shadow",
                       "vane-memory", m, key, 1.10)
    if redis_runs:
        last = sorted(redis_runs, key=lambda r: (r["round"], r["mode"] == "fixed"))
        sat_last = [r for r in redis_runs if r["mode"] == "sat"]
        if sat_last:
            r = max(sat_last, key=lambda r: r["round"])
            cpr = r["redis"]["commands_per_request"]
            budget["Redis commands per proxied request <= 0.1 (saturation round %d)" % r["round"]] = {
                "measured": round(cpr, 4), "pass": cpr <= 0.1}

    out = {"meta": meta, "rows": rows, "runs": runs, "redis": redis_summary, "budget": budget,
           "bandit_vs_memory": bandit, "bandit_feeder": feeders}
    checks = {}
    for path in glob.glob(os.path.join(rundir, "check-*.json")):
        checks[os.path.basename(path)[6:-5]] = json.load(open(path))
    out["checks"] = checks
    gcs = {}
    for t in VANES:
        path = os.path.join(rundir, "logs", "%s-gc.log" % t)
        if os.path.exists(path):
            served = 0
            pattern = "*-feedback-*.txt" if t == "vane-feedback" else "*-%s*.txt" % t
            for w in glob.glob(os.path.join(rundir, pattern)):  # incl. warmup-vane-feedback-N.txt
                if os.path.basename(w).startswith(("wrk-", "warmup-")):
                    mm = re.search(r"(\d+) requests in", open(w).read())
                    served += int(mm.group(1)) if mm else 0
            chk = checks.get(t)
            served += chk["requests"] if chk else 0
            gcs[t] = gc_summary(path, served)
    out["gc"] = gcs
    figures = {}
    for path in glob.glob(os.path.join(rundir, "experiments-*.json")):
        try:
            figures[os.path.basename(path)[12:-5]] = json.load(open(path))
        except ValueError:
            pass
    out["vane_experiment_figures"] = figures
    vres = {}
    for path in glob.glob(os.path.join(rundir, "results-vane-*.json")):
        try:
            vres[os.path.basename(path)[8:-5]] = json.load(open(path))
        except ValueError:
            pass
    out["vane_results"] = vres
    with open(outjson, "w") as f:
        json.dump(out, f, indent=1)

    # table
    hdr = ["target", "req/s", "x nginx", "x direct", "sat p50", "sat p90", "sat p99",
           "@%d/s p50" % meta.get("rate", 2000), "@rate p99", "p99 x nginx", "non-2xx", "sock err"]
    lines = []
    for t in TARGETS + FEEDBACK_TARGETS:
        if t not in rows:
            continue
        r = rows[t]
        lines.append([r["label"], "%s (%s)" % (fmt(r["sat_rps_mean"], 0), ", ".join("%.0f" % x for x in r["sat_rps_each"])),
                      fmt(r["ratio_to_nginx"]), fmt(r["ratio_to_direct"]),
                      fmt(r["sat_p50_ms"], 3), fmt(r["sat_p90_ms"], 3), fmt(r["sat_p99_ms"], 3),
                      fmt(r["fixed_p50_ms"], 3), fmt(r["fixed_p99_ms"], 3), fmt(r["fixed_p99_vs_nginx"]),
                      str(r["non_2xx"]), str(r["socket_errors"])])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(hdr)]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(hdr, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for l in lines:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(l, widths)) + " |")
    print()
    print("latencies in ms (median over rounds); req/s = mean over rounds (each round in parentheses);")
    print("fixed-rate achieved req/s: " + ", ".join(
        "%s %s" % (LABELS[t], fmt(rows[t]["fixed_rps_achieved"], 0)) for t in TARGETS if t in rows))
    if bandit:
        print("bandit / in-memory: req/s %s (per round %s), sat p50 %s, sat p99 %s, @rate p50 %s, @rate p99 %s" % (
            bandit["sat_rps_ratio"], bandit["sat_rps_ratio_per_round"], bandit["sat_p50_ratio"],
            bandit["sat_p99_ratio"], bandit["fixed_p50_ratio"], bandit["fixed_p99_ratio"]))
    for k, f in feeders.items():
        print("bandit feeder (%s): %d requests %s, clicks sent %s, feedback %s" % (
            k, f["requests"], f["variants"], f["clicks_sent"], f["feedback"]))
    fbrows = [t for t in FEEDBACK_TARGETS if t in rows]
    if fbrows:
        print()
        print("| feedback (POST /v1/feedback) | events/request | req/s | events/s (each round) | p50 | p99 | accepted | "
              "duplicates | rejected | non-2xx | sock err |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for t in fbrows:
            r = rows[t]
            print("| %s | %s | %s | %s (%s) | %s | %s | %d | %d | %d | %d | %d |" % (
                r["label"], r["events_per_request"], fmt(r["sat_rps_mean"], 0), fmt(r["events_per_s_mean"], 0),
                ", ".join("%.0f" % x for x in r["events_per_s_each"]), fmt(r["sat_p50_ms"], 3),
                fmt(r["sat_p99_ms"], 3), r["accepted"], r["duplicates"], r["rejected"], r["non_2xx"],
                r["socket_errors"]))
        for t in fbrows:
            r = rows[t]
            if r["rejection_samples"]:
                print("%s rejections, e.g.: %s" % (r["label"], r["rejection_samples"][:2]))
    for r in redis_summary:
        print("Redis %s round %d: %d commands / %d requests = %.4f per request (EVALSHA/EVAL round trips %.4f per "
              "request)  %s" % (r["mode"], r["round"], r["commands"], r["requests"], r["commands_per_request"] or 0,
                                r["script_calls_per_request"] or 0, r["by_command"]))
    for t, g in gcs.items():
        if g:
            print("GC %s: %d young pauses, mean %.1f ms, max %.1f ms, heap after GC (last 5) %s MB, ~%s KB allocated "
                  "per request" % (t, g["pauses"], g["pause_ms_mean"], g["pause_ms_max"], g["heap_after_gc_mb_last5"],
                                   g["approx_kb_per_request"]))
    if "netty-bare" in rows and "vertx-bare" in rows and rows["netty-bare"].get("ratio_to_nginx"):
        print("framework floor: bare Netty proxy %.3fx nginx, bare Vert.x proxy %.3fx nginx (%.3fx bare Netty)" % (
            rows["netty-bare"]["ratio_to_nginx"], rows["vertx-bare"]["ratio_to_nginx"] or float("nan"),
            (rows["vertx-bare"]["sat_rps_mean"] or 0) / rows["netty-bare"]["sat_rps_mean"]))
    for t in ("vane-memory", "vane-redis", "vane-shadow", "vane-bandit"):
        if t in rows and rows[t].get("ratio_to_vertx_bare"):
            print("framework floor: %s req/s = %.3fx the bare Vert.x proxy's (which is %.3fx nginx)" % (
                LABELS[t], rows[t]["ratio_to_vertx_bare"], rows["vertx-bare"]["ratio_to_nginx"] or float("nan")))
    for k, v in budget.items():
        extra = ""
        if "per_round" in v:
            extra = "  (median of per-round ratios %s; ratio of medians %s)" % (v["per_round"], v["ratio_of_medians"])
        verdict = "PASS" if v["pass"] else "FAIL"
        if "verdict" in v:
            ci = v["median_ci"]
            verdict = "%s (median %s, %.0f%% CI of the median [%s, %s])" % (
                v["verdict"], "PASS" if v["pass"] else "FAIL", 100 * ci["coverage"], ci["low"], ci["high"])
        print("budget: %-70s %s  %s%s" % (k, v["measured"], verdict, extra))
    print("results written to %s" % outjson)


def frame_name(fr):
    m = fr.get("method", {})
    t = m.get("type", {}).get("name", "?").replace("/", ".")
    return "%s.%s" % (t, m.get("name", "?"))


JDK = ("java.", "jdk.", "sun.", "javax.")


def first_app_frame(frames):
    """Nearest frame outside the JDK (Netty, Vert.x, Vane, Lettuce, ...), with its line."""
    for fr in frames:
        nm = frame_name(fr)
        if not nm.startswith(JDK):
            return "%s:%s" % (nm, fr.get("lineNumber"))
    return "(JDK only)"


def gc_summary(path, requests):
    """Young-GC pauses and allocation between GCs from a -Xlog:gc file."""
    pat = re.compile(r"\[([\d.]+)s\].*GC\((\d+)\) (Pause \S+ .*?) (\d+)M->(\d+)M\((\d+)M\) ([\d.]+)ms")
    prev_after = None
    alloc_mb = 0.0
    pauses = []
    after_sizes = []
    for line in open(path):
        m = pat.search(line)
        if not m:
            continue
        before, after, ms = int(m.group(4)), int(m.group(5)), float(m.group(7))
        if prev_after is not None:
            alloc_mb += before - prev_after
        prev_after = after
        pauses.append(ms)
        after_sizes.append(after)
    if not pauses:
        return None
    return {"pauses": len(pauses), "pause_ms_mean": round(statistics.mean(pauses), 2),
            "pause_ms_max": max(pauses), "heap_after_gc_mb_last5": after_sizes[-5:],
            "allocated_mb_between_first_and_last_gc": round(alloc_mb),
            "requests_served": requests,
            "approx_kb_per_request": round(alloc_mb * 1024 / requests, 1) if requests else None}


def jfr_top(path, n=25):
    n = int(n)

    def events(kind):
        raw = subprocess.run(["jfr", "print", "--json", "--events", kind, path], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(raw)["recording"]["events"]

    samples = events("jdk.ExecutionSample")
    natives = events("jdk.NativeMethodSample")
    print("native method samples (threads in native code, e.g. epoll_wait/read/write): %d" % len(natives))
    nat = collections.Counter()
    for e in natives:
        frames = (e["values"].get("stackTrace") or {}).get("frames") or []
        if frames:
            nat[frame_name(frames[0])] += 1
    for k, c in nat.most_common(5):
        print("  %6d  %s" % (c, k))
    top = collections.Counter()
    app = collections.Counter()
    incl = collections.Counter()
    vane_top = collections.Counter()
    threads = collections.Counter()
    for e in samples:
        v = e["values"]
        frames = (v.get("stackTrace") or {}).get("frames") or []
        threads[(v.get("sampledThread") or {}).get("javaName") or "?"] += 1
        if not frames:
            continue
        top[frame_name(frames[0])] += 1
        app[first_app_frame(frames)] += 1
        seen = set()
        for fr in frames:
            nm = frame_name(fr)
            if nm not in seen:
                incl[nm] += 1
                seen.add(nm)
        for fr in frames:
            nm = frame_name(fr)
            if nm.startswith("dev.vane."):
                vane_top[nm] += 1
                break
    total = len(samples) or 1
    print("execution samples: %d" % len(samples))
    print("\nby thread:")
    for k, c in threads.most_common(10):
        print("  %6.1f%%  %s" % (100.0 * c / total, k))
    print("\ntop frames (self):")
    for k, c in top.most_common(n):
        print("  %6.1f%%  %s" % (100.0 * c / total, k))
    print("\nnearest non-JDK frame (self time of JDK code attributed to its Netty/Vert.x/Vane caller):")
    for k, c in app.most_common(n):
        print("  %6.1f%%  %s" % (100.0 * c / total, k))
    print("\ninclusive (on stack), dev.vane / netty / vertx / lettuce / caffeine / hdr / jackson only:")
    shown = 0
    for k, c in incl.most_common():
        if re.match(r"(dev\.vane|io\.netty|io\.vertx|io\.lettuce|com\.github\.benmanes|org\.HdrHistogram|"
                    r"com\.fasterxml)", k):
            print("  %6.1f%%  %s" % (100.0 * c / total, k))
            shown += 1
            if shown >= n:
                break
    print("\nfirst dev.vane frame on the stack (self time attributed to the nearest Vane caller):")
    for k, c in vane_top.most_common(n):
        print("  %6.1f%%  %s" % (100.0 * c / total, k))

    allocs = events("jdk.ObjectAllocationSample")
    by_class = collections.Counter()
    by_class_n = collections.Counter()
    by_app_n = collections.Counter()
    by_site = collections.Counter()
    by_vane_site = collections.Counter()
    total_w = 0
    for e in allocs:
        v = e["values"]
        w = v.get("weight") or 0
        total_w += w
        cls = (v.get("objectClass") or {}).get("name", "?").replace("/", ".")
        by_class[cls] += w
        by_class_n[cls] += 1
        frames = (v.get("stackTrace") or {}).get("frames") or []
        by_app_n["%s <- %s" % (cls, first_app_frame(frames))] += 1
        if frames:
            by_site[frame_name(frames[0])] += w
            for fr in frames:
                nm = frame_name(fr)
                if nm.startswith("dev.vane."):
                    by_vane_site[nm] += w
                    break
    total_w = total_w or 1
    print("\nallocation samples: %d, sampled weight %.1f MB" % (len(allocs), total_w / 1e6))
    nsamp = len(allocs) or 1
    print("\nallocation samples by class (sample count; JFR throttles these samples, count is the steadier view):")
    for k, c in by_class_n.most_common(n):
        print("  %6.1f%%  %s" % (100.0 * c / nsamp, k))
    print("\nallocation samples by class <- nearest non-JDK frame (sample count):")
    for k, c in by_app_n.most_common(n):
        print("  %6.1f%%  %s" % (100.0 * c / nsamp, k))
    print("\nallocation by class (JFR weight):")
    for k, c in by_class.most_common(n):
        print("  %6.1f%%  %s" % (100.0 * c / total_w, k))
    print("\nallocation by site (top frame):")
    for k, c in by_site.most_common(n):
        print("  %6.1f%%  %s" % (100.0 * c / total_w, k))
    print("\nallocation by nearest dev.vane frame:")
    for k, c in by_vane_site.most_common(n):
        print("  %6.1f%%  %s" % (100.0 * c / total_w, k))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "freeport":
        freeport()
    elif cmd == "render":
        render(args[0], args[1], args[2:])
    elif cmd == "wait-http":
        sys.exit(wait_http(args[0], args[1]))
    elif cmd == "check":
        check(*args)
    elif cmd == "feeder":
        feeder(*args)
    elif cmd == "summarise":
        summarise(*args)
    elif cmd == "jfr-top":
        jfr_top(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
