// One experiment: its arms, the SRM banner, traffic, metrics, latency, errors, bandit posteriors, shadows, slices,
// the rollout, and (for operators) its operations. Each chart draws from the API's fields when they are there and
// says "No data yet" when a field is not (yet) given, so that new fields light charts up as the gateway gains them.

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
  let tsNote = null;
  const [exp, results, rollout, ts] = await Promise.all([
    getJson('/v1/experiments/' + enc(id)),
    getJson('/v1/experiments/' + enc(id) + '/results?interval=' + (interval === '1d' ? '1d' : '1h')),
    optional(getJson('/admin/v1/experiments/' + enc(id) + '/rollout'), 404, 503),
    getJson('/v1/experiments/' + enc(id) + '/timeseries?interval=' + interval).catch((e) => {
      if (e instanceof ApiError && e.status === 400) {
        tsNote = 'this gateway does not offer the ' + interval + ' interval yet (' + e.message + ')';
        return null;
      }
      throw e;
    }),
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
  if (ts) {
    main.append(el('p', { class: 'hint', text: 'From ' + fmt.time(ts.from) + ' to ' + fmt.time(ts.to) + ' per ' + ts.interval
      + ' (kept from ' + fmt.time(ts.retainedFrom) + ', ' + ts.source + ' figures).' }));
  }
  const rows = trimmed(ts, arms);
  const over = el('section', { class: 'charts', 'aria-label': 'Charts over time' });
  main.append(over);
  trafficChart(over, exp, ts, rows, arms, bandit, tsNote);
  errorChart(over, rows, arms, tsNote);
  latencyChart(over, rows, arms, tsNote);

  const metricNames = (results.metrics || []).filter((m) => !m.builtin).map((m) => m.name);
  if (metricNames.length) {
    main.append(el('h2', { text: 'Metrics' }));
    const box = el('section', { class: 'charts', 'aria-label': 'Metric charts' });
    main.append(box);
    for (const m of results.metrics.filter((x) => !x.builtin)) {
      metricNow(box, results, m);
      metricPerArmOverTime(box, rows, arms, m, tsNote);
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
  novelty(main, results);
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

function trafficChart(parent, exp, ts, rows, arms, bandit, note) {
  const planned = Object.fromEntries(exp.arms.map((a) => [a.id, a.weightBps]));
  const weights = ts && ts.weightsBps ? ts.weightsBps : planned;
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
    description: 'Share of each interval\'s exposures per arm (solid, with markers) and the '
      + (bandit ? 'configured starting weights (dashed; the bandit allocates adaptively).' : 'planned weights (dashed).'),
    columns, rows: table, empty: note || 'no exposures in this window',
    config: lineConfig(labels, datasets, 'share of exposures', { y: { min: 0, max: 1, ticks: percent() } }),
  });
}

function errorChart(parent, rows, arms, note) {
  const table = rows.map((r) => {
    const o = { t: r.t };
    for (const a of arms) {
      const x = r.byArm[a] || {};
      const requests = x.requests || 0;
      const errors = x.status ? x.status['5xx'] || 0 : 0;
      o['req_' + a] = requests;
      o['err_' + a] = errors;
      o['rate_' + a] = x.errorRate !== undefined ? x.errorRate : requests ? errors / requests : null;
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
    columns, rows: table, empty: note || 'no requests in this window',
    config: lineConfig(table.map((r) => fmt.label(r.t)), arms.map((a, i) => Object.assign({ label: a, data: table.map((r) => r['rate_' + a]) }, style(i))),
      'error rate', { y: { min: 0, ticks: percent() } }),
  });
}

function latencyChart(parent, rows, arms, note) {
  const quantiles = rows.some((r) => arms.some((a) => r.byArm[a] && r.byArm[a].latencyP50Ms !== undefined));
  const table = rows.map((r) => {
    const o = { t: r.t };
    for (const a of arms) {
      const x = r.byArm[a] || {};
      if (quantiles) {
        o['p50_' + a] = x.latencyP50Ms ?? null;
        o['p99_' + a] = x.latencyP99Ms ?? null;
      } else {
        o['mean_' + a] = x.latencyMeanMs ?? null;
      }
    }
    return o;
  });
  const columns = [{ key: 't', label: 'Interval start', format: fmt.time }];
  const datasets = [];
  arms.forEach((a, i) => {
    if (quantiles) {
      columns.push({ key: 'p50_' + a, label: a + ' p50', format: fmt.ms }, { key: 'p99_' + a, label: a + ' p99', format: fmt.ms });
      datasets.push(Object.assign({ label: a + ' p50', data: table.map((r) => r['p50_' + a]) }, style(i)));
      datasets.push(Object.assign({}, style(i), { label: a + ' p99', data: table.map((r) => r['p99_' + a]), borderDash: [6, 3], pointStyle: 'star', pointRadius: 5 }));
    } else {
      columns.push({ key: 'mean_' + a, label: a + ' mean', format: fmt.ms });
      datasets.push(Object.assign({ label: a + ' mean', data: table.map((r) => r['mean_' + a]) }, style(i)));
    }
  });
  figure(parent, {
    id: 'latency', title: quantiles ? 'Latency p50 and p99 per arm' : 'Latency per arm',
    description: quantiles ? 'End-to-end latency quantiles in ms per interval (p99 dashed, stars).' : 'Mean end-to-end latency in ms per interval.',
    note: quantiles ? null : 'p50/p99 over time: no data yet (this gateway\'s series give the mean only); the arms table above has p50/p99 since the version started.',
    columns, rows: table, empty: note || 'no requests in this window',
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

/** The metric per arm per interval, with intervals (mean ± z·sd/√n), from the time series' metrics when given. */
/**
 * One interval's summary {n, mean, variance} merged into a running one (Chan et al.'s parallel update of the sum of
 * squared deviations M2 = variance (n - 1)), so that the cumulative mean and its interval come from the same rows.
 */
function merge(acc, x) {
  if (!x || !(x.n > 0)) {
    return acc;
  }
  const m2 = Number.isFinite(x.variance) && x.n > 1 ? x.variance * (x.n - 1) : 0;
  if (!acc) {
    return { n: x.n, mean: x.mean, m2 };
  }
  const n = acc.n + x.n;
  const delta = x.mean - acc.mean;
  return { n, mean: acc.mean + delta * x.n / n, m2: acc.m2 + m2 + delta * delta * acc.n * x.n / n };
}

/**
 * The metric per arm over time with 95% intervals (mean ± 1.96 sd / √n), per interval and cumulative, from the time
 * series' per-interval {n, sum, mean, variance} when they carry them.
 */
function metricPerArmOverTime(parent, rows, arms, m, note) {
  const has = rows.some((r) => arms.some((a) => r.byArm[a] && r.byArm[a].metrics && r.byArm[a].metrics[m.name]));
  const running = {};
  const perInterval = [];
  const cumulative = [];
  for (const r of has ? rows : []) {
    const o = { t: r.t };
    const c = { t: r.t };
    for (const a of arms) {
      const x = r.byArm[a] && r.byArm[a].metrics ? r.byArm[a].metrics[m.name] : null;
      put(o, a, x ? { n: x.n, mean: x.mean, variance: x.variance } : null);
      running[a] = merge(running[a], x);
      const acc = running[a];
      put(c, a, acc ? { n: acc.n, mean: acc.mean, variance: acc.n > 1 ? acc.m2 / (acc.n - 1) : null } : null);
    }
    perInterval.push(o);
    cumulative.push(c);
  }
  const draw = (id, title, description, table) => {
    const columns = [{ key: 't', label: 'Interval start', format: fmt.time }];
    const datasets = [];
    arms.forEach((a, i) => {
      columns.push({ key: 'n_' + a, label: a + ' n' }, { key: 'mean_' + a, label: a + ' mean', format: (v) => fmt.num(v, 4) },
        { key: 'low_' + a, label: a + ' low', format: (v) => fmt.num(v, 4) }, { key: 'high_' + a, label: a + ' high', format: (v) => fmt.num(v, 4) });
      const s = style(i);
      datasets.push(Object.assign({}, s, { label: a + ' low', data: table.map((r) => r['low_' + a]), pointRadius: 0, borderWidth: 0.5, hideInLegend: true, fill: false }));
      datasets.push(Object.assign({}, s, { label: a + ' high', data: table.map((r) => r['high_' + a]), pointRadius: 0, borderWidth: 0.5, hideInLegend: true, fill: '-1', backgroundColor: s.borderColor + '22' }));
      datasets.push(Object.assign({ label: a + ' mean', data: table.map((r) => r['mean_' + a]) }, s));
    });
    figure(parent, {
      id, title, description, columns, rows: table, empty: note || 'the time series do not carry outcome sums per metric yet',
      config: lineConfig(table.map((r) => fmt.label(r.t)), datasets, m.name),
    });
  };
  draw('armmetric-' + m.name, m.name + ' per arm per interval',
    'Mean of ' + m.name + ' per arm in each interval with a 95% interval (shaded).', perInterval);
  draw('armmetric-cum-' + m.name, m.name + ' per arm, cumulative over time',
    'Mean of ' + m.name + ' per arm from the window\'s start to each interval\'s end, with a 95% interval (shaded).', cumulative);
}

/** Puts arm a's n, mean and 95% interval (mean ± 1.96 sd / √n; null below two observations) into row o. */
function put(o, a, x) {
  const half = x && x.n > 1 && Number.isFinite(x.variance) ? 1.96 * Math.sqrt(x.variance / x.n) : null;
  o['n_' + a] = x ? x.n : null;
  o['mean_' + a] = x ? x.mean : null;
  o['low_' + a] = half === null ? null : x.mean - half;
  o['high_' + a] = half === null ? null : x.mean + half;
}

/** The treatment effect over time (cumulative and per interval), from the results API's overTime when given. */
function effectOverTime(parent, results, m) {
  const over = results.overTime && results.overTime.metrics ? results.overTime.metrics[m.name] : null;
  const treatments = over ? Object.keys(over) : [];
  const times = [...new Set(treatments.flatMap((t) => over[t].map((p) => p.t)))].sort();
  const table = times.map((t) => {
    const o = { t };
    for (const tr of treatments) {
      const p = over[tr].find((x) => x.t === t) || {};
      const c = p.cumulative || {};
      const iv = p.interval || {};
      o['cum_' + tr] = c.difference ?? null;
      o['cumlo_' + tr] = c.ciLow ?? null;
      o['cumhi_' + tr] = c.ciHigh ?? null;
      o['int_' + tr] = iv.difference ?? null;
      o['intlo_' + tr] = iv.ciLow ?? null;
      o['inthi_' + tr] = iv.ciHigh ?? null;
    }
    return o;
  });
  const columns = [{ key: 't', label: 'Interval start', format: fmt.time }];
  const datasets = [];
  const f = (v) => fmt.num(v, 4);
  treatments.forEach((tr, i) => {
    columns.push({ key: 'cum_' + tr, label: tr + ' cumulative difference', format: f }, { key: 'cumlo_' + tr, label: tr + ' cumulative low', format: f },
      { key: 'cumhi_' + tr, label: tr + ' cumulative high', format: f }, { key: 'int_' + tr, label: tr + ' interval difference', format: f },
      { key: 'intlo_' + tr, label: tr + ' interval low', format: f }, { key: 'inthi_' + tr, label: tr + ' interval high', format: f });
    const s = style(i + 1);
    datasets.push(Object.assign({}, s, { label: tr + ' cumulative low', data: table.map((r) => r['cumlo_' + tr]), pointRadius: 0, borderWidth: 0.5, hideInLegend: true }));
    datasets.push(Object.assign({}, s, { label: tr + ' cumulative high', data: table.map((r) => r['cumhi_' + tr]), pointRadius: 0, borderWidth: 0.5, hideInLegend: true, fill: '-1', backgroundColor: s.borderColor + '22' }));
    datasets.push(Object.assign({}, s, { label: tr + ' cumulative', data: table.map((r) => r['cum_' + tr]) }));
    datasets.push(Object.assign({}, s, { label: tr + ' per interval', data: table.map((r) => r['int_' + tr]), showLine: false, pointStyle: 'crossRot', pointRadius: 5 }));
  });
  figure(parent, {
    id: 'effect-' + m.name, title: m.name + ': treatment − control over time',
    description: 'Difference to the control, cumulative (line, shaded interval) and per interval (crosses).',
    columns, rows: table, empty: 'the results API does not give results over time yet',
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
    description: 'Agreement rate (left axis) and mean latency difference shadow − served in ms (right axis) per interval.',
    columns: [{ key: 't', label: 'Interval start', format: fmt.time }, { key: 'mirrored', label: 'mirrored' }, { key: 'compared', label: 'compared' },
      { key: 'agreements', label: 'agreements' }, { key: 'agreementRate', label: 'agreement rate', format: (v) => fmt.pct(v) },
      { key: 'latencyDiffMeanMs', label: 'latency difference', format: fmt.ms }],
    rows: table, empty: 'the time series do not carry shadow comparisons yet',
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

function slices(main, results) {
  const dims = results.slices || [];
  const simpson = (results.warnings || []).filter((w) => w.code === 'simpsons_paradox');
  if (!dims.length && !simpson.length) {
    return;
  }
  const section = el('section', { id: 'slices', 'aria-labelledby': 'slices-title' }, el('h2', { id: 'slices-title', text: 'Slices' }));
  for (const d of dims) {
    const dim = Array.isArray(d.dimension) ? d.dimension.join(' × ') : d.dimension;
    for (const w of simpson.filter((x) => (Array.isArray(x.dimension) ? x.dimension.join(' × ') : x.dimension) === dim)) {
      section.append(el('div', { class: 'banner warn simpson-warning', role: 'alert', 'data-dimension': dim },
        el('strong', { text: '⚠ Simpson\'s paradox in ' + dim + ' (' + w.metric + ', ' + w.treatment + '): ' }),
        w.detail || '', ' Rule: ' + (w.rule || '') + '; values: ' + (w.values || []).join(', ') + '.'));
    }
    const arms = [...new Set(d.values.flatMap((v) => (v.arms || []).map((a) => a.arm)))];
    const comps = [...new Set(d.values.flatMap((v) => (v.comparisons || []).map((c) => c.treatment + ' ' + c.metric)))];
    const table = el('table', { class: 'data slices', id: 'slices-' + dim.replace(/[^A-Za-z0-9_-]/g, '_') },
      el('caption', { text: 'By ' + dim + ' (Holm within each value)' }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: dim }), arms.map((a) => el('th', { scope: 'col', text: a + ' exposures' })),
        comps.map((c) => el('th', { scope: 'col', text: c + ' difference [interval], p (Holm)' })))));
    const body = el('tbody');
    for (const v of d.values) {
      const value = typeof v.value === 'object' && v.value !== null ? Object.values(v.value).join(' × ') : String(v.value);
      body.append(el('tr', {}, el('th', { scope: 'row', text: value }),
        arms.map((a) => {
          const x = (v.arms || []).find((y) => y.arm === a);
          return el('td', { 'data-value': x ? String(x.exposures) : '', text: x ? String(x.exposures) : '—' });
        }),
        comps.map((key) => {
          const c = (v.comparisons || []).find((y) => y.treatment + ' ' + y.metric === key);
          if (!c) {
            return el('td', { text: '—' });
          }
          const iv = c.differenceInterval || {};
          return el('td', { text: fmt.num(c.difference, 3) + ' [' + fmt.num(iv.low, 3) + ', ' + fmt.num(iv.high, 3) + '], p = ' + fmt.num(c.pValueHolm ?? c.pValue, 3) });
        })));
    }
    table.append(body);
    section.append(el('div', { class: 'table-wrap' }, table));
  }
  main.append(section);
}

function novelty(main, results) {
  const n = results.novelty;
  if (!n || typeof n !== 'object') {
    return;
  }
  const flagged = n.flagged || n.significant;
  const section = el('section', { id: 'novelty', 'aria-labelledby': 'novelty-title' }, el('h2', { id: 'novelty-title', text: 'Novelty check' }));
  if (flagged) {
    section.append(el('div', { class: 'banner warn', role: 'alert', text: '⚠ The effect changes with days since first exposure (novelty or primacy).' }));
  }
  const scalars = Object.entries(n).filter(([, v]) => v === null || typeof v !== 'object');
  section.append(el('table', { class: 'data compact', id: 'novelty-table' }, el('tbody', {}, scalars.map(([k, v]) => el('tr', {},
    el('th', { scope: 'row', text: k }), el('td', { text: typeof v === 'number' ? fmt.num(v, 4) : String(v) }))))));
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
