// One experiment: its arms, the SRM banner, traffic, metrics, latency, errors, bandit posteriors, shadows, slices
// (single dimensions and crosses of two), the novelty check, the rollout, and (for operators) its operations. Every
// chart draws the time-series and results APIs' fields; a chart says "No data yet" only when its window holds no
// traffic (no requests, exposures, outcomes or mirrored copies), never for a field the gateway does not give.

import { ApiError, getJson, optional, postJson } from './api.js';
import { el, figure, fmt, style } from './charts.js';
import { density, grid, moments } from './densities.js';
import { primaryMetric, rolloutBadge, srmBadge } from './pages.js';

const INTERVAL_KEY = 'vane.interval';
// tick labels as percentages, to 0.1 (Intl's percent format clashes with Chart.js's own fraction digits)
const percent = () => ({ callback: (v) => Math.round(v * 1000) / 10 + '%' });
const INTERVALS = ['1m', '1h', '1d'];

function enc(id) {
  return encodeURIComponent(id);
}

/** Traffic-series rows from the first one with any request (an idle hour is not worth an empty chart). */
function trimmed(ts, arms) {
  if (!ts || !ts.arms) {
    return [];
  }
  const series = arms.map((a) => ts.arms[a] || []);
  const n = Math.max(0, ...series.map((r) => r.length));
  const rows = [];
  let started = false;
  for (let i = 0; i < n; i++) {
    const byArm = {};
    let total = 0;
    let t = null;
    arms.forEach((a, k) => {
      const r = series[k][i];
      if (r) {
        byArm[a] = r;
        t = r.t;
        total += r.requests || 0;
      }
    });
    if (!started && total === 0) {
      continue;
    }
    started = true;
    rows.push({ t, byArm });
  }
  return rows;
}

/** A line chart over interval starts; {@code extra.y} adds to the y axis (bounds, tick format). */
function lineConfig(labels, datasets, yTitle, extra) {
  return {
    type: 'line',
    data: { labels, datasets },
    options: {
      spanGaps: false,
      scales: {
        x: { title: { display: true, text: 'interval start (UTC)' } },
        y: Object.assign({ title: { display: true, text: yTitle } }, extra && extra.y),
      },
    },
  };
}

export async function experimentPage(main, app, id) {
  const interval = INTERVALS.includes(sessionStorage.getItem(INTERVAL_KEY)) ? sessionStorage.getItem(INTERVAL_KEY) : '1m';
  // results over time come per hour or per day (the results API has no minute rows): 1m and 1h pages ask for 1h
  const [exp, results, rollout, ts] = await Promise.all([
    getJson('/v1/experiments/' + enc(id)),
    getJson('/v1/experiments/' + enc(id) + '/results?interval=' + (interval === '1d' ? '1d' : '1h')),
    optional(getJson('/admin/v1/experiments/' + enc(id) + '/rollout'), 404, 503),
    getJson('/v1/experiments/' + enc(id) + '/timeseries?interval=' + interval),
  ]);
  const arms = exp.arms.map((a) => a.id);
  const bandit = exp.policy === 'thompson';

  main.append(el('p', { class: 'crumbs' }, el('a', { href: '#/experiments', text: 'Experiments' }), ' / ' + id));
  main.append(el('h1', { id: 'experiment-title' }, id + ' ',
    exp.paused ? el('span', { class: 'badge warn status-paused', text: '⏸ paused' }) : el('span', { class: 'badge good status-running', text: '▶ running' }),
    ' ', srmBadge(results), rollout && rollout.configured ? ' ' : null, rollout && rollout.configured ? rolloutBadge(rollout) : null));
  main.append(el('p', { class: 'hint', text: (bandit ? 'Thompson-sampling bandit' : 'Fixed weights') + ', control ' + exp.control
    + ', version ' + exp.version + ', figures since ' + fmt.time(exp.since) + ' (' + exp.figures + ')'
    + (exp.paused ? '. Paused: every request is served by the control and is not an exposure.' : '.') }));

  srmBanner(main, results);
  if (app.mayOperate()) {
    operations(main, app, exp);
  }
  armsTable(main, exp);

  // interval picker
  const picker = el('div', { class: 'interval', role: 'group', 'aria-label': 'Time-series interval' },
    el('span', { text: 'Interval: ' }),
    INTERVALS.map((iv) => el('button', {
      type: 'button', id: 'interval-' + iv, 'aria-pressed': String(iv === interval), text: iv,
      onclick: () => {
        sessionStorage.setItem(INTERVAL_KEY, iv);
        app.reload();
      },
    })));
  main.append(el('h2', { text: 'Over time' }), picker);
  main.append(el('p', { class: 'hint', id: 'series-range', text: 'From ' + fmt.time(ts.from) + ' to ' + fmt.time(ts.to) + ' per ' + ts.interval
    + ' (kept from ' + fmt.time(ts.retainedFrom) + ', ' + ts.source + ' figures), from the first interval with a request.' }));
  const rows = trimmed(ts, arms);
  const over = el('section', { class: 'charts', 'aria-label': 'Charts over time' });
  main.append(over);
  trafficChart(over, ts, rows, arms, bandit);
  errorChart(over, rows, arms);
  latencyChart(over, rows, arms);
  effectOverTime(over, results, { name: 'error_rate', kind: 'binary' });

  const metricNames = (results.metrics || []).filter((m) => !m.builtin).map((m) => m.name);
  if (metricNames.length) {
    main.append(el('h2', { text: 'Metrics' }));
    const box = el('section', { class: 'charts', 'aria-label': 'Metric charts' });
    main.append(box);
    for (const m of results.metrics.filter((x) => !x.builtin)) {
      metricNow(box, results, m);
      metricPerArmOverTime(box, rows, arms, m);
      effectOverTime(box, results, m);
    }
  }
  if (results.bandit || bandit) {
    main.append(el('h2', { text: 'Bandit' }));
    const box = el('section', { class: 'charts', 'aria-label': 'Bandit charts' });
    main.append(box);
    banditCharts(box, results.bandit);
  }
  if (exp.shadows && exp.shadows.length) {
    main.append(el('h2', { text: 'Shadows' }));
    const box = el('section', { class: 'charts', 'aria-label': 'Shadow charts' });
    main.append(box);
    for (const s of exp.shadows) {
      shadowCharts(box, s, ts);
    }
  }
  slices(main, results);
  novelty(main, results, exp);
  if (rollout && rollout.configured) {
    rolloutSection(main, rollout);
  }
}

function srmBanner(main, results) {
  const w = (results.warnings || []).find((x) => x.code === 'sample_ratio_mismatch');
  if (!w) {
    return;
  }
  const srm = results.srm || {};
  const table = el('table', { class: 'data compact', id: 'srm-table' },
    el('caption', { text: 'Exposures against the configured weights (chi-square p = ' + fmt.num(srm.pValue) + ', threshold ' + srm.threshold + ')' }),
    el('thead', {}, el('tr', {}, ['Arm', 'Weight', 'Observed', 'Expected'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, (srm.arms || []).map((a) => el('tr', {},
      el('th', { scope: 'row', text: a.arm }), el('td', { text: fmt.pct(a.weightBps / 10000) }),
      el('td', { 'data-value': String(a.observed), text: String(a.observed) }), el('td', { text: fmt.num(a.expected, 4) })))));
  main.append(el('div', { id: 'srm-banner', class: 'banner bad', role: 'alert' },
    el('strong', { text: '⚠ Sample ratio mismatch. ' }), w.detail || '', table));
}

function armsTable(main, exp) {
  const table = el('table', { id: 'arms-table', class: 'data' });
  table.append(el('caption', { text: 'Arms now (since the experiment\'s current version)' }));
  table.append(el('thead', {}, el('tr', {}, ['Arm', 'Role', 'Planned weight', 'Requests', 'Exposures', 'Share', 'Units', 'Error rate', 'p50', 'p99']
    .map((h) => el('th', { scope: 'col', text: h })))));
  table.append(el('tbody', {}, exp.arms.map((a) => el('tr', { 'data-arm': a.id },
    el('th', { scope: 'row', text: a.id }),
    el('td', { text: a.id === exp.control ? a.role + ' (control)' : a.role }),
    el('td', { 'data-value': String(a.weightBps), text: fmt.pct(a.weightBps / 10000) }),
    el('td', { 'data-value': String(a.requests), text: String(a.requests) }),
    el('td', { 'data-value': String(a.exposures), text: String(a.exposures) }),
    el('td', { 'data-value': String(a.exposureShare), text: fmt.pct(a.exposureShare) }),
    el('td', { 'data-value': String(a.units), text: String(a.units) }),
    el('td', { 'data-value': String(a.errorRate), text: fmt.pct(a.errorRate, 2) }),
    el('td', { text: fmt.ms(a.latencyMs && a.latencyMs.p50) }),
    el('td', { text: fmt.ms(a.latencyMs && a.latencyMs.p99) })))));
  main.append(el('div', { class: 'table-wrap' }, table));
}

function trafficChart(parent, ts, rows, arms, bandit) {
  const weights = ts.weightsBps || {};
  const wsum = arms.reduce((n, a) => n + (weights[a] || 0), 0);
  const table = rows.map((r) => {
    const total = arms.reduce((n, a) => n + ((r.byArm[a] || {}).exposures || 0), 0);
    const o = { t: r.t, total };
    for (const a of arms) {
      const x = (r.byArm[a] || {}).exposures || 0;
      o['exp_' + a] = x;
      o['share_' + a] = total ? x / total : null;
      o['plan_' + a] = wsum ? (weights[a] || 0) / wsum : null;
    }
    return o;
  });
  const columns = [{ key: 't', label: 'Interval start', format: fmt.time }];
  for (const a of arms) {
    columns.push({ key: 'exp_' + a, label: a + ' exposures' }, { key: 'share_' + a, label: a + ' share', format: (v) => fmt.pct(v) },
      { key: 'plan_' + a, label: a + ' planned', format: (v) => fmt.pct(v) });
  }
  const labels = table.map((r) => fmt.label(r.t));
  const datasets = [];
  arms.forEach((a, i) => {
    datasets.push(Object.assign({ label: a + ' share', data: table.map((r) => r['share_' + a]) }, style(i)));
    datasets.push(Object.assign({}, style(i), { label: a + ' planned', data: table.map((r) => r['plan_' + a]), borderDash: [4, 4], pointRadius: 0, borderWidth: 1 }));
  });
  figure(parent, {
    id: 'traffic',
    title: bandit ? 'Allocation over time (share of exposures per arm)' : 'Traffic share per arm against the planned weights',
    description: 'Share of each interval\'s exposures per arm (solid, with markers) and the version\'s '
      + (bandit ? 'configured starting weights (dashed; the bandit allocates adaptively).' : 'planned weights (weightsBps, dashed).'),
    columns, rows: table, empty: 'no requests in this window',
    config: lineConfig(labels, datasets, 'share of exposures', { y: { min: 0, max: 1, ticks: percent() } }),
  });
}

function errorChart(parent, rows, arms) {
  const table = rows.map((r) => {
    const o = { t: r.t };
    for (const a of arms) {
      const x = r.byArm[a] || {};
      o['req_' + a] = x.requests ?? 0;
      o['err_' + a] = x.status ? x.status['5xx'] ?? 0 : 0;
      o['rate_' + a] = x.errorRate ?? null;
    }
    return o;
  });
  const columns = [{ key: 't', label: 'Interval start', format: fmt.time }];
  for (const a of arms) {
    columns.push({ key: 'req_' + a, label: a + ' requests' }, { key: 'err_' + a, label: a + ' 5xx' },
      { key: 'rate_' + a, label: a + ' error rate', format: (v) => fmt.pct(v, 2) });
  }
  figure(parent, {
    id: 'errors', title: 'Error rate per arm', description: '5xx answers / requests in each interval, per arm.',
    columns, rows: table, empty: 'no requests in this window',
    config: lineConfig(table.map((r) => fmt.label(r.t)), arms.map((a, i) => Object.assign({ label: a, data: table.map((r) => r['rate_' + a]) }, style(i))),
      'error rate', { y: { min: 0, ticks: percent() } }),
  });
}

function latencyChart(parent, rows, arms) {
  const table = rows.map((r) => {
    const o = { t: r.t };
    for (const a of arms) {
      const x = r.byArm[a] || {};
      o['p50_' + a] = x.latencyP50Ms ?? null;
      o['p99_' + a] = x.latencyP99Ms ?? null;
      o['mean_' + a] = x.latencyMeanMs ?? null;
    }
    return o;
  });
  const columns = [{ key: 't', label: 'Interval start', format: fmt.time }];
  const datasets = [];
  arms.forEach((a, i) => {
    columns.push({ key: 'p50_' + a, label: a + ' p50', format: fmt.ms }, { key: 'p99_' + a, label: a + ' p99', format: fmt.ms },
      { key: 'mean_' + a, label: a + ' mean', format: fmt.ms });
    datasets.push(Object.assign({ label: a + ' p50', data: table.map((r) => r['p50_' + a]) }, style(i)));
    datasets.push(Object.assign({}, style(i), { label: a + ' p99', data: table.map((r) => r['p99_' + a]), borderDash: [6, 3], pointStyle: 'star', pointRadius: 5 }));
  });
  figure(parent, {
    id: 'latency', title: 'Latency p50 and p99 per arm',
    description: 'End-to-end latency quantiles in ms per interval (p99 dashed, stars), read from the series\' latency buckets (within 9.05%); the table also has the mean.',
    columns, rows: table, empty: 'no requests in this window',
    config: lineConfig(table.map((r) => fmt.label(r.t)), datasets, 'ms', { y: { min: 0 } }),
  });
}

/** The metric per arm now (cumulative): estimate with its interval, from the results API. */
function metricNow(parent, results, m) {
  const table = [];
  for (const a of results.arms || []) {
    const o = (a.metrics || []).find((x) => x.metric === m.name);
    if (!o) {
      continue;
    }
    const binary = o.kind === 'binary';
    table.push({
      arm: a.arm, n: binary ? o.trials : o.count, successes: binary ? o.successes : null,
      estimate: binary ? o.rate : o.mean, low: o.interval ? o.interval.low : null, high: o.interval ? o.interval.high : null,
    });
  }
  const binary = m.kind === 'binary';
  const f = binary ? (v) => fmt.pct(v, 2) : (v) => fmt.num(v, 4);
  const columns = [{ key: 'arm', label: 'Arm' }, { key: 'n', label: binary ? 'Trials' : 'Count' }];
  if (binary) {
    columns.push({ key: 'successes', label: 'Successes' });
  }
  columns.push({ key: 'estimate', label: binary ? 'Rate' : 'Mean', format: f }, { key: 'low', label: 'Interval low', format: f }, { key: 'high', label: 'Interval high', format: f });
  const role = m.primary ? 'primary' : m.guardrail ? 'guardrail' : 'secondary';
  figure(parent, {
    id: 'metric-' + m.name,
    title: m.name + ' per arm, cumulative (' + role + ' metric, ' + (m.direction === 'higher' ? 'higher' : 'lower') + ' is better)',
    description: (binary ? 'Rate' : 'Mean') + ' per arm with its ' + Math.round(100 * (1 - (results.alpha || 0.05))) + '% interval (bar: interval, diamond: estimate).',
    columns, rows: table, empty: 'no outcomes recorded yet',
    config: {
      type: 'bar',
      data: {
        labels: table.map((r) => r.arm),
        datasets: [
          { type: 'bar', label: 'interval', data: table.map((r) => (r.low === null || r.high === null ? null : [r.low, r.high])), backgroundColor: 'rgba(0,114,178,0.35)', borderColor: '#0072B2', borderWidth: 1 },
          { type: 'line', label: 'estimate', data: table.map((r) => r.estimate), showLine: false, pointStyle: 'rectRot', pointRadius: 7, borderColor: '#000', backgroundColor: '#E69F00' },
        ],
      },
      options: { scales: { y: { title: { display: true, text: binary ? 'rate' : 'mean' }, ticks: binary ? percent() : {} } } },
    },
  });
}

/**
 * An arm's metric in one interval of the time series, as {n, mean, variance} of the observations behind the mean:
 * a binary metric's observations are the interval's exposures (mean = the API's conversion rate, positives /
 * exposures; variance = mean (1 - mean)), a continuous metric's are its values (the API's n, mean and sample
 * variance). Null when the arm had no exposures (binary) or no values (continuous) in the interval.
 */
function observations(row, m) {
  const x = row && row.metrics ? row.metrics[m.name] : null;
  if (!x) {
    return null;
  }
  if (m.kind === 'binary') {
    const exposures = row.exposures || 0;
    return exposures ? { n: exposures, successes: Math.min(exposures, x.n), mean: x.mean, variance: x.variance } : null;
  }
  return x.n > 0 ? { n: x.n, mean: x.mean, variance: x.variance } : null;
}

/**
 * A running summary with one interval's observations added: binary, successes and trials summed (mean = successes
 * / trials); continuous, Chan et al.'s parallel update of the sum of squared deviations M2 = variance (n - 1), so
 * that the cumulative mean and variance are those of all the values so far.
 */
function merge(acc, x, binary) {
  if (!x) {
    return acc;
  }
  if (binary) {
    const n = (acc ? acc.n : 0) + x.n;
    const successes = (acc ? acc.successes : 0) + x.successes;
    const mean = successes / n;
    return { n, successes, mean, variance: mean * (1 - mean) };
  }
  const m2 = Number.isFinite(x.variance) && x.n > 1 ? x.variance * (x.n - 1) : 0;
  if (!acc) {
    return { n: x.n, mean: x.mean, m2, variance: x.n > 1 ? m2 / (x.n - 1) : null };
  }
  const n = acc.n + x.n;
  const delta = x.mean - acc.mean;
  const sum = acc.m2 + m2 + delta * delta * acc.n * x.n / n;
  return { n, mean: acc.mean + delta * x.n / n, m2: sum, variance: sum / (n - 1) };
}

/**
 * The metric per arm over time with 95% intervals (mean ± 1.96 sd / √n), per interval and cumulative from the first
 * interval shown, from the time series' per-interval metric sums ({@link observations}).
 */
function metricPerArmOverTime(parent, rows, arms, m) {
  const binary = m.kind === 'binary';
  const running = {};
  const perInterval = [];
  const cumulative = [];
  for (const r of rows) {
    const o = { t: r.t };
    const c = { t: r.t };
    for (const a of arms) {
      const x = observations(r.byArm[a], m);
      put(o, a, x);
      running[a] = merge(running[a], x, binary);
      put(c, a, running[a]);
    }
    perInterval.push(o);
    cumulative.push(c);
  }
  const draw = (id, title, description, table) => {
    const columns = [{ key: 't', label: 'Interval start', format: fmt.time }];
    const datasets = [];
    const f = binary ? (v) => fmt.pct(v, 2) : (v) => fmt.num(v, 4);
    arms.forEach((a, i) => {
      columns.push({ key: 'n_' + a, label: a + (binary ? ' exposures' : ' values') }, { key: 'mean_' + a, label: a + (binary ? ' rate' : ' mean'), format: f },
        { key: 'low_' + a, label: a + ' low', format: f }, { key: 'high_' + a, label: a + ' high', format: f });
      const s = style(i);
      datasets.push(Object.assign({}, s, { label: a + ' low', data: table.map((r) => r['low_' + a]), pointRadius: 0, borderWidth: 0.5, hideInLegend: true, fill: false }));
      datasets.push(Object.assign({}, s, { label: a + ' high', data: table.map((r) => r['high_' + a]), pointRadius: 0, borderWidth: 0.5, hideInLegend: true, fill: '-1', backgroundColor: s.borderColor + '22' }));
      datasets.push(Object.assign({ label: a + (binary ? ' rate' : ' mean'), data: table.map((r) => r['mean_' + a]) }, s));
    });
    figure(parent, {
      id, title, description, columns, rows: table, empty: 'no requests in this window',
      config: lineConfig(table.map((r) => fmt.label(r.t)), datasets, m.name + (binary ? ' rate' : ' mean'), binary ? { y: { ticks: percent() } } : null),
    });
  };
  const what = binary ? 'Rate of ' + m.name + ' (positives / exposures)' : 'Mean of ' + m.name;
  draw('armmetric-' + m.name, m.name + ' per arm per interval',
    what + ' per arm among each interval\'s exposures, with a 95% interval (shaded).', perInterval);
  draw('armmetric-cum-' + m.name, m.name + ' per arm, cumulative over time',
    what + ' per arm from the first interval shown to each interval\'s end, with a 95% interval (shaded).', cumulative);
}

/** Puts arm a's n, mean and 95% interval (mean ± 1.96 sd / √n; null below two observations) into row o. */
function put(o, a, x) {
  const half = x && x.n > 1 && Number.isFinite(x.variance) ? 1.96 * Math.sqrt(x.variance / x.n) : null;
  o['n_' + a] = x ? x.n : null;
  o['mean_' + a] = x ? x.mean : null;
  o['low_' + a] = half === null ? null : x.mean - half;
  o['high_' + a] = half === null ? null : x.mean + half;
}

/**
 * Treatment − control over time, per interval and cumulative, from the results API's overTime (per hour on the 1m
 * and 1h pages, per day on the 1d page), from the first interval in which the control or a treatment has any trial.
 */
function effectOverTime(parent, results, m) {
  const over = results.overTime && results.overTime.metrics ? results.overTime.metrics[m.name] || {} : {};
  const treatments = Object.keys(over);
  const busy = (p) => p.interval && ((p.interval.control || {}).n > 0 || (p.interval.treatment || {}).n > 0);
  const times = [...new Set(treatments.flatMap((t) => over[t].filter(busy).map((p) => p.t)))].sort();
  const start = times.length ? times[0] : null;
  const all = [...new Set(treatments.flatMap((t) => over[t].map((p) => p.t)))].sort().filter((t) => start !== null && t >= start);
  const table = all.map((t) => {
    const o = { t };
    for (const tr of treatments) {
      const p = over[tr].find((x) => x.t === t) || {};
      const c = p.cumulative || {};
      const iv = p.interval || {};
      o['nc_' + tr] = iv.control ? iv.control.n : null;
      o['nt_' + tr] = iv.treatment ? iv.treatment.n : null;
      o['cum_' + tr] = c.difference ?? null;
      o['cumlo_' + tr] = c.ciLow ?? null;
      o['cumhi_' + tr] = c.ciHigh ?? null;
      o['cump_' + tr] = c.pValue ?? null;
      o['int_' + tr] = iv.difference ?? null;
      o['intlo_' + tr] = iv.ciLow ?? null;
      o['inthi_' + tr] = iv.ciHigh ?? null;
    }
    return o;
  });
  const columns = [{ key: 't', label: 'Interval start', format: fmt.time }];
  const datasets = [];
  const f = (v) => fmt.num(v, 4);
  const control = results.control;
  treatments.forEach((tr, i) => {
    columns.push({ key: 'nc_' + tr, label: control + ' n (vs ' + tr + ')' }, { key: 'nt_' + tr, label: tr + ' n' },
      { key: 'int_' + tr, label: tr + ' interval difference', format: f }, { key: 'intlo_' + tr, label: tr + ' interval low', format: f },
      { key: 'inthi_' + tr, label: tr + ' interval high', format: f }, { key: 'cum_' + tr, label: tr + ' cumulative difference', format: f },
      { key: 'cumlo_' + tr, label: tr + ' cumulative low', format: f }, { key: 'cumhi_' + tr, label: tr + ' cumulative high', format: f },
      { key: 'cump_' + tr, label: tr + ' cumulative p', format: f });
    const s = style(i + 1);
    datasets.push(Object.assign({}, s, { label: tr + ' cumulative low', data: table.map((r) => r['cumlo_' + tr]), pointRadius: 0, borderWidth: 0.5, hideInLegend: true }));
    datasets.push(Object.assign({}, s, { label: tr + ' cumulative high', data: table.map((r) => r['cumhi_' + tr]), pointRadius: 0, borderWidth: 0.5, hideInLegend: true, fill: '-1', backgroundColor: s.borderColor + '22' }));
    datasets.push(Object.assign({}, s, { label: tr + ' cumulative', data: table.map((r) => r['cum_' + tr]) }));
    datasets.push(Object.assign({}, s, { label: tr + ' per interval', data: table.map((r) => r['int_' + tr]), showLine: false, pointStyle: 'crossRot', pointRadius: 6 }));
  });
  const per = results.overTime ? results.overTime.interval : '';
  figure(parent, {
    id: 'effect-' + m.name, title: m.name + ': treatment − control over time' + (per ? ' (per ' + per + ')' : ''),
    description: 'Difference to the control (' + control + ') per ' + (per || 'interval') + ' (crosses) and cumulative (line, shaded '
      + Math.round(100 * (1 - (results.alpha || 0.05))) + '% interval), fixed-horizon tests without multiple-testing correction.',
    columns, rows: table, empty: m.name === 'error_rate' ? 'no requests in this window' : 'no exposures in this window',
    config: lineConfig(table.map((r) => fmt.label(r.t)), datasets, 'difference (treatment − control)'),
  });
}

function banditCharts(parent, b) {
  if (!b) {
    figure(parent, { id: 'posterior', title: 'Posterior densities per arm', columns: [], rows: [], empty: 'no posterior yet' });
    return;
  }
  const usable = (b.arms || []).filter((a) => moments(b.kind, a.posterior));
  const xs = grid(b.kind, usable);
  const params = (b.arms || []).map((a) => {
    const m = moments(b.kind, a.posterior);
    const p = a.posterior || {};
    return {
      arm: a.arm, alpha: p.alpha ?? null, beta: p.beta ?? null, mean: b.kind === 'gaussian' ? p.mean ?? null : m ? m.mean : null,
      sd: b.kind === 'gaussian' ? p.sd ?? null : m ? m.sd : null, allocation: a.allocation,
    };
  });
  const columns = [{ key: 'arm', label: 'Arm' }];
  if (b.kind === 'bernoulli') {
    columns.push({ key: 'alpha', label: 'alpha' }, { key: 'beta', label: 'beta' });
  }
  columns.push({ key: 'mean', label: 'posterior mean', format: (v) => fmt.num(v, 4) }, { key: 'sd', label: 'posterior sd', format: (v) => fmt.num(v, 4) },
    { key: 'allocation', label: 'allocation now', format: (v) => fmt.pct(v) });
  const dist = b.kind === 'bernoulli' ? 'Beta(alpha, beta)' : 'Normal(mean, sd)';
  figure(parent, {
    id: 'posterior', title: 'Posterior densities per arm (' + b.metric + ')' + (b.warmingUp ? ' — warming up' : ''),
    description: 'The ' + dist + ' density of each arm\'s ' + b.metric + ', drawn from the parameters in the table.',
    columns, rows: xs ? params : [], empty: 'no posterior parameters yet',
    config: xs ? {
      type: 'line',
      data: { datasets: usable.map((a, i) => Object.assign({}, style(i), { label: a.arm, data: xs.map((x) => ({ x, y: density(b.kind, a.posterior, x) })), pointRadius: 0 })) },
      options: { scales: { x: { type: 'linear', title: { display: true, text: b.metric + (b.kind === 'bernoulli' ? ' rate' : ' mean') } }, y: { min: 0, title: { display: true, text: 'density' } } } },
    } : null,
  });
  const alloc = (b.arms || []).filter((a) => a.allocation !== null && a.allocation !== undefined).map((a) => ({ arm: a.arm, allocation: a.allocation }));
  figure(parent, {
    id: 'allocation', title: 'Allocation now', description: 'Share of new requests the bandit sends to each arm (the traffic chart shows it over time).',
    columns: [{ key: 'arm', label: 'Arm' }, { key: 'allocation', label: 'Allocation', format: (v) => fmt.pct(v) }],
    rows: alloc, empty: 'no allocation yet',
    config: {
      type: 'bar',
      data: { labels: alloc.map((r) => r.arm), datasets: [{ label: 'allocation', data: alloc.map((r) => r.allocation), backgroundColor: alloc.map((r, i) => style(i).borderColor) }] },
      options: { indexAxis: 'y', scales: { x: { min: 0, max: 1, ticks: percent() } }, plugins: { legend: { display: false } } },
    },
  });
}

function shadowCharts(parent, s, ts) {
  const series = ts && ts.shadows ? ts.shadows[s.id] : null;
  figure(parent, {
    id: 'shadow-now-' + s.id, title: 'Shadow ' + s.id + ' since the version started',
    description: 'Mirrored copies to ' + s.endpoint + ' compared with the served answer.',
    columns: [{ key: 'k', label: 'Figure' }, { key: 'v', label: 'Value' }],
    rows: [
      { k: 'mirrored', v: s.mirrored }, { k: 'dropped (in-flight bound)', v: s.dropped }, { k: 'errors', v: s.errors },
      { k: 'compared', v: s.compared }, { k: 'status match rate', v: fmt.pct(s.statusMatchRate) },
      { k: 'numeric agreement rate (tolerance ' + s.tolerance + ')', v: fmt.pct(s.numericAgreementRate) },
      { k: 'label agreement rate', v: fmt.pct(s.labelAgreementRate) }, { k: 'mean latency difference', v: fmt.ms(s.meanLatencyDiffMs) },
    ],
    config: null,
  });
  // from the first interval with a mirrored copy, as the traffic charts start from the first request
  const first = (series || []).findIndex((p) => (p.mirrored || 0) > 0);
  const table = (first < 0 ? [] : series.slice(first)).map((p) => ({ t: p.t, mirrored: p.mirrored, compared: p.compared, agreements: p.agreements, agreementRate: p.agreementRate ?? null, latencyDiffMeanMs: p.latencyDiffMeanMs ?? null }));
  figure(parent, {
    id: 'shadow-' + s.id, title: 'Shadow ' + s.id + ': agreement and latency difference over time',
    description: 'Agreement rate (left axis; a pair agrees when its numeric outputs are within the tolerance if both have them, '
      + 'else when its top labels match, else when the bodies are equal) and mean latency difference shadow − served in ms (right axis) per interval.',
    columns: [{ key: 't', label: 'Interval start', format: fmt.time }, { key: 'mirrored', label: 'mirrored' }, { key: 'compared', label: 'compared' },
      { key: 'agreements', label: 'agreements' }, { key: 'agreementRate', label: 'agreement rate', format: (v) => fmt.pct(v) },
      { key: 'latencyDiffMeanMs', label: 'latency difference', format: fmt.ms }],
    rows: table, empty: 'no mirrored copies in this window',
    config: {
      type: 'line',
      data: {
        labels: table.map((r) => fmt.label(r.t)),
        datasets: [
          Object.assign({ label: 'agreement rate', data: table.map((r) => r.agreementRate), yAxisID: 'y' }, style(2)),
          Object.assign({ label: 'latency difference (ms)', data: table.map((r) => r.latencyDiffMeanMs), yAxisID: 'y1' }, style(1)),
        ],
      },
      options: { scales: { y: { min: 0, max: 1, ticks: percent(), title: { display: true, text: 'agreement' } }, y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'ms' } } } },
    },
  });
}

/**
 * The slices tables: one per dimension, and one per declared cross of two dimensions (slices[].dimensions, each
 * value's pair in values[].values, one column per dimension), each with its Simpson's-paradox warnings.
 */
function slices(main, results) {
  const dims = results.slices || [];
  const simpson = (results.warnings || []).filter((w) => w.code === 'simpsons_paradox');
  if (!dims.length) {
    return;
  }
  const section = el('section', { id: 'slices', 'aria-labelledby': 'slices-title' }, el('h2', { id: 'slices-title', text: 'Slices' }));
  for (const d of dims) {
    const names = d.dimensions || [d.dimension];
    const shown = names.join(' × ');
    for (const w of simpson.filter((x) => x.dimension === d.dimension)) {
      section.append(el('div', { class: 'banner warn simpson-warning', role: 'alert', 'data-dimension': d.dimension },
        el('strong', { text: '⚠ Simpson\'s paradox in ' + shown + ' (' + w.metric + ', ' + w.treatment + '): ' }),
        w.detail || '', ' Rule: ' + (w.rule || '') + '; values: ' + (w.values || []).join(', ') + '.'));
    }
    const arms = [...new Set(d.values.flatMap((v) => (v.arms || []).map((a) => a.arm)))];
    const comps = [...new Set(d.values.flatMap((v) => (v.comparisons || []).map((c) => c.treatment + ' ' + c.metric)))];
    const table = el('table', { class: 'data slices', id: 'slices-' + d.dimension.replace(/[^A-Za-z0-9_-]/g, '_'), 'data-dimension': d.dimension },
      el('caption', { text: 'By ' + shown + (names.length > 1 ? ' (a cross of two dimensions)' : '') + ', Holm within each value' }),
      el('thead', {}, el('tr', {}, names.map((n) => el('th', { scope: 'col', text: n })), arms.map((a) => el('th', { scope: 'col', text: a + ' exposures' })),
        comps.map((c) => el('th', { scope: 'col', text: c + ' difference [interval], p (Holm)' })))));
    const body = el('tbody');
    for (const v of d.values) {
      const keys = v.values || [v.value];
      body.append(el('tr', { 'data-value': v.value },
        keys.map((k, i) => el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, text: String(k) })),
        arms.map((a) => {
          const x = (v.arms || []).find((y) => y.arm === a);
          return el('td', { 'data-arm': a, 'data-value': x ? String(x.exposures) : '', text: x ? String(x.exposures) : '—' });
        }),
        comps.map((key) => {
          const c = (v.comparisons || []).find((y) => y.treatment + ' ' + y.metric === key);
          if (!c) {
            return el('td', { text: '—' });
          }
          const iv = c.differenceInterval || {};
          return el('td', { 'data-comparison': key, 'data-value': c.difference === null ? '' : String(c.difference),
            text: fmt.num(c.difference, 3) + ' [' + fmt.num(iv.low, 3) + ', ' + fmt.num(iv.high, 3) + '], p = ' + fmt.num(c.pValueHolm ?? c.pValue, 3) });
        })));
    }
    table.append(body);
    section.append(el('div', { class: 'table-wrap' }, table));
  }
  main.append(section);
}

/**
 * The novelty check: per treatment, the effect on the checked metric by whole days since units' first exposure
 * (novelty.byTreatment[arm].byDay) with the trend test's verdict, and the novelty_effect warnings.
 */
function novelty(main, results, exp) {
  const n = results.novelty;
  if (!n) {
    return;
  }
  if (!exp.sticky) {
    // not an empty window: without sticky assignment no unit has a recorded first exposure
    main.append(el('section', { id: 'novelty', 'aria-labelledby': 'novelty-title' },
      el('h2', { id: 'novelty-title', text: 'Novelty check (' + n.metric + ')' }),
      el('p', { class: 'hint', id: 'novelty-not-sticky', text: 'Not applicable: ' + exp.id + ' is not sticky (sticky: false), so no unit has a '
        + 'recorded first exposure to count days from.' })));
    return;
  }
  const section = el('section', { id: 'novelty', 'aria-labelledby': 'novelty-title' },
    el('h2', { id: 'novelty-title', text: 'Novelty check (' + n.metric + ')' }),
    el('p', { class: 'hint', text: 'The effect (treatment − ' + results.control + ') by whole days since a unit\'s first exposure to its arm; '
      + 'a trend over the days suggests a novelty or primacy effect. Test: ' + n.test + '.' }));
  for (const w of (results.warnings || []).filter((x) => x.code === 'novelty_effect')) {
    section.append(el('div', { class: 'banner warn novelty-warning', role: 'alert' }, el('strong', { text: '⚠ Novelty effect: ' }), w.detail || ''));
  }
  const box = el('section', { class: 'charts', 'aria-label': 'Novelty charts' });
  section.append(box);
  const f = (v) => fmt.num(v, 4);
  Object.entries(n.byTreatment || {}).forEach(([arm, t], i) => {
    const tr = t.trend || {};
    const verdict = tr.reason
      ? 'Trend not tested (' + tr.reason + '): it needs at least 3 of days 0–13 with a defined effect and standard error; '
        + tr.days + (tr.days === 1 ? ' day so far.' : ' days so far.')
      : 'Trend: ' + fmt.num(tr.slopePerDay, 3) + ' per day (standard error ' + fmt.num(tr.standardError, 3) + '), p = ' + fmt.num(tr.pValue, 3)
        + ' over ' + tr.days + ' days: ' + (tr.significant ? 'significant, the effect changes with days since first exposure.' : 'not significant.');
    const table = (t.byDay || []).map((d) => ({
      day: d.day, nc: d.control ? d.control.n : null, mc: d.control ? d.control.mean : null, nt: d.treatment ? d.treatment.n : null,
      mt: d.treatment ? d.treatment.mean : null, difference: d.difference, low: d.ciLow, high: d.ciHigh,
      reasons: (d.reasons || []).join(', '),
    }));
    const s = style(i + 1);
    const fig = figure(box, {
      id: 'novelty-' + arm, title: n.metric + ': ' + arm + ' − ' + results.control + ' by days since first exposure',
      description: 'Difference per day since first exposure (markers) with its interval (shaded); day 14+ is shown but not in the trend.',
      columns: [{ key: 'day', label: 'Day' }, { key: 'nc', label: results.control + ' n' }, { key: 'mc', label: results.control + ' mean', format: f },
        { key: 'nt', label: arm + ' n' }, { key: 'mt', label: arm + ' mean', format: f }, { key: 'difference', label: 'difference', format: f },
        { key: 'low', label: 'low', format: f }, { key: 'high', label: 'high', format: f }, { key: 'reasons', label: 'reasons' }],
      rows: table, empty: 'no exposures with a known first exposure yet',
      config: {
        type: 'line',
        data: {
          labels: table.map((r) => r.day),
          datasets: [
            Object.assign({}, s, { label: 'low', data: table.map((r) => r.low), pointRadius: 0, borderWidth: 0.5, hideInLegend: true }),
            Object.assign({}, s, { label: 'high', data: table.map((r) => r.high), pointRadius: 0, borderWidth: 0.5, hideInLegend: true, fill: '-1', backgroundColor: s.borderColor + '22' }),
            Object.assign({}, s, { label: arm + ' − ' + results.control, data: table.map((r) => r.difference), pointRadius: 5 }),
          ],
        },
        options: { scales: { x: { title: { display: true, text: 'days since first exposure' } }, y: { title: { display: true, text: 'difference' } } } },
      },
    });
    fig.insertBefore(el('p', { class: tr.significant ? 'note novelty-trend' : 'hint novelty-trend', id: 'novelty-trend-' + arm, 'data-reason': tr.reason || '', text: verdict }),
      fig.querySelector('.desc').nextSibling);
  });
  main.append(section);
}

/** An ISO-8601 duration (PT10M, PT0.25S, PT1H30M) as "10 min", "0.25 s", "1 h 30 min"; PT0S as "no minimum". */
function duration(iso) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso || '');
  if (!m) {
    return iso || '—';
  }
  const parts = [m[1] && m[1] + ' h', m[2] && m[2] + ' min', m[3] && Number(m[3]) > 0 && m[3] + ' s'].filter(Boolean);
  return parts.length ? parts.join(' ') : 'no minimum';
}

function rolloutSection(main, r) {
  const section = el('section', { id: 'rollout', 'aria-labelledby': 'rollout-title' }, el('h2', { id: 'rollout-title', text: 'Rollout' }));
  const s = r.state;
  const steps = r.plan && r.plan.steps ? r.plan.steps : [];
  section.append(el('p', { id: 'rollout-state', text: s
    ? 'State: ' + s.phase.replace('_', ' ') + (s.phase === 'stepping' ? ', step ' + (s.step + 1) + ' of ' + steps.length : '')
      + (s.paused ? ', paused' : '') + ', ' + s.looks + ' looks, step started ' + fmt.time(s.stepStartedAt) + '. '
      + (r.canaryPercent === null || r.canaryPercent === undefined ? 'No canary now.' : 'Canary at ' + r.canaryPercent + '%.')
    : 'Not started yet.' }));
  const mark = (i) => {
    if (!s) {
      return '';
    }
    if (s.phase === 'promoted' || s.step > i) {
      return ' ✓ done';
    }
    if (s.step === i) {
      return s.phase === 'stepping' ? ' ← now' : s.phase === 'rolled_back' ? ' ✗ rolled back here' : s.phase === 'aborted' ? ' ✗ aborted here' : '';
    }
    return '';
  };
  section.append(el('ol', { class: 'steps', id: 'rollout-steps' }, steps.map((st, i) => el('li', {
    class: s && s.step === i && s.phase === 'stepping' ? 'current' : '',
    'aria-current': s && s.phase === 'stepping' && s.step === i ? 'step' : null,
  }, st.percent + '% (at least ' + st.minExposures + ' exposures, ' + duration(st.minDuration) + ')' + mark(i)))));
  if (r.plan && r.plan.guardrails) {
    section.append(el('p', { class: 'hint', text: 'Guardrails: ' + r.plan.guardrails.map((g) => g.metric + ' (margin ' + fmt.pct(g.margin, 0) + ')').join(', ')
      + (r.plan.srm ? ', SRM' : '') + '; alpha ' + r.plan.alpha + '; a look every ' + duration(r.plan.analysisInterval) + '.' }));
  }
  const decisions = (r.history || []).filter((d) => d.type !== 'rollout.hold');
  const table = el('table', { class: 'data', id: 'rollout-history' },
    el('caption', { text: 'Decisions, newest first (holds left out)' }),
    el('thead', {}, el('tr', {}, ['Time', 'Decision', 'Phase', 'Step', 'Reason', 'Guardrails'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, decisions.map((d) => el('tr', {},
      el('th', { scope: 'row', text: fmt.time(d.time) }), el('td', { text: d.type.replace('rollout.', '') }), el('td', { text: d.phase }),
      el('td', { text: d.step === undefined ? '—' : String(d.step + 1) }), el('td', { text: d.reason }),
      el('td', { text: (d.guardrails || []).map((g) => g.metric + ': ' + g.verdict.replace('_', ' ')).join('; ') || '—' })))));
  section.append(el('div', { class: 'table-wrap' }, table));
  if (!decisions.length) {
    section.append(el('p', { class: 'empty', text: 'No decisions yet.' }));
  }
  main.append(section);
}

/** Ramp / pause / resume / promote / rollback, each after a confirmation (roles operator and admin only). */
function operations(main, app, exp) {
  const treatments = exp.arms.filter((a) => a.id !== exp.control);
  const canary = exp.arms.find((a) => a.role === 'canary');
  const run = async (op, title, text, fields, body) => {
    const reason = await app.confirm(title, text, fields);
    if (reason === null) {
      return;
    }
    try {
      const b = body ? body() : {};
      if (reason) {
        b.reason = reason;
      }
      const w = await postJson('/admin/v1/experiments/' + enc(exp.id) + '/' + op, b);
      app.say(op + ' ' + exp.id + ': config version ' + w.version + ' applied.');
      app.reload();
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        app.fail(e);
      } else {
        app.say(op + ' ' + exp.id + ' failed: ' + e.message);
      }
    }
  };
  const box = el('section', { class: 'operations', id: 'operations', 'aria-label': 'Operations' });
  const rampFields = () => {
    if (canary) {
      const input = el('input', { id: 'ramp-percent', type: 'number', min: '0', max: '100', step: '1', value: String(Math.round(canary.weightBps / 100)) });
      return { fields: [el('label', { for: 'ramp-percent', text: 'Canary percent (0–100)' }), input], body: () => ({ percent: Number(input.value) }) };
    }
    const variants = exp.arms.filter((a) => a.role === 'variant');
    const inputs = variants.map((a) => el('input', { id: 'ramp-' + a.id, type: 'number', min: '0', max: '10000', step: '1', value: String(a.weightBps) }));
    return {
      fields: variants.flatMap((a, i) => [el('label', { for: 'ramp-' + a.id, text: a.id + ' weight (basis points)' }), inputs[i]]),
      body: () => ({ weights: Object.fromEntries(variants.map((a, i) => [a.id, Number(inputs[i].value)])) }),
    };
  };
  box.append(el('button', { type: 'button', id: 'op-ramp', text: 'Ramp…', onclick: () => {
    const r = rampFields();
    run('ramp', 'Ramp ' + exp.id, canary ? 'Set the canary\'s share of traffic.' : 'Set each arm\'s weight (basis points, summing to 10000).', r.fields, r.body);
  } }));
  if (exp.paused) {
    box.append(el('button', { type: 'button', id: 'op-resume', text: 'Resume', onclick: () => run('resume', 'Resume ' + exp.id, 'Assignment resumes with the planned weights.') }));
  } else {
    box.append(el('button', { type: 'button', id: 'op-pause', class: 'danger', text: 'Pause', onclick: () => run('pause', 'Pause ' + exp.id,
      'Every request of ' + exp.id + ' will be served by the control arm (' + exp.control + ') and not counted as an exposure until it is resumed.') }));
  }
  if (treatments.length) {
    box.append(el('button', { type: 'button', id: 'op-promote', text: 'Promote…', onclick: () => {
      const select = el('select', { id: 'promote-arm' }, treatments.map((a) => el('option', { value: a.id, text: a.id })));
      run('promote', 'Promote in ' + exp.id, 'The chosen arm becomes the only arm and serves everybody.',
        [el('label', { for: 'promote-arm', text: 'Arm to promote' }), select], () => ({ arm: select.value }));
    } }));
  }
  if (canary) {
    box.append(el('button', { type: 'button', id: 'op-rollback', class: 'danger', text: 'Roll back', onclick: () => run('rollback', 'Roll back ' + exp.id,
      'The canary (' + canary.id + ') is removed: all traffic goes to the champion (' + exp.control + ').') }));
  }
  main.append(el('h2', { class: 'visually-hidden', text: 'Operations' }), box);
}
