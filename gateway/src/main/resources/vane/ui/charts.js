// Charts and their text alternatives. Every chart is a <figure> with a canvas (role img, a label saying what it
// shows), a "Show table" button, and a table of exactly the numbers drawn (#table-<id>, each cell's raw number in
// data-value). Series differ by marker and dash as well as colour, so the charts read without colour. A chart with no
// rows (no traffic in its window) says "No data yet" and why instead of drawing nothing.

/* global Chart */

// Okabe–Ito: distinguishable with the common colour-vision deficiencies
export const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
export const MARKERS = ['circle', 'triangle', 'rect', 'crossRot', 'star', 'rectRot', 'cross', 'dash'];
export const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4], [4, 4], [12, 2]];

const live = new Set();

/** Destroys every chart drawn so far (before a page is drawn again). */
export function destroyAll() {
  for (const c of live) {
    c.destroy();
  }
  live.clear();
}

/** The charts drawn so far, handed over (the caller destroys them once their page is replaced). */
export function takeLive() {
  const out = [...live];
  live.clear();
  return out;
}

export function style(i) {
  return {
    borderColor: COLOURS[i % COLOURS.length],
    backgroundColor: COLOURS[i % COLOURS.length],
    pointStyle: MARKERS[i % MARKERS.length],
    borderDash: DASHES[i % DASHES.length],
    pointRadius: 3,
    pointHoverRadius: 5,
    borderWidth: 2,
  };
}

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) {
      continue;
    }
    if (k === 'text') {
      e.textContent = v;
    } else if (k === 'onclick') {
      e.addEventListener('click', v);
    } else if (k === 'onchange') {
      e.addEventListener('change', v);
    } else {
      e.setAttribute(k, v === true ? '' : v);
    }
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) {
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  }
  return e;
}

export const fmt = {
  pct: (x, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : (100 * x).toFixed(digits) + '%'),
  num: (x, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : Number(x.toPrecision(Math.max(digits, 1))).toString()),
  int: (x) => (x === null || x === undefined ? '—' : String(x)),
  ms: (x) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2) + ' ms'),
  signedPct: (x) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : (x >= 0 ? '+' : '') + (100 * x).toFixed(1) + '%'),
  time: (iso) => (iso ? iso.replace('T', ' ').replace(/:00(\.000)?Z$/, 'Z').replace(/\.\d+Z$/, 'Z') : '—'),
  // an axis label: the time of day, or the date at midnight (every label of a per-day series)
  label: (iso) => (!iso ? '' : iso.substring(11, 16) === '00:00' ? iso.substring(5, 10) : iso.substring(11, 16)),
};

/**
 * Appends a chart figure to {@code parent}.
 *
 * @param spec.id          stable id: the canvas is #chart-<id>, the table #table-<id>
 * @param spec.title       caption
 * @param spec.description what the chart shows (also the canvas's accessible label)
 * @param spec.columns     [{key, label, format}] of the table
 * @param spec.rows        the table's rows (objects keyed by column key); empty: "No data yet"
 * @param spec.config      a Chart.js config drawn from the same rows, or null (table only)
 * @param spec.empty       why there is no data, shown instead of the chart
 */
export function figure(parent, spec) {
  const fig = el('figure', { class: 'chart', id: 'fig-' + spec.id, 'aria-labelledby': 'cap-' + spec.id });
  fig.append(el('figcaption', { id: 'cap-' + spec.id, text: spec.title }));
  if (spec.description) {
    fig.append(el('p', { class: 'desc', text: spec.description }));
  }
  parent.append(fig);
  if (!spec.rows || spec.rows.length === 0) {
    fig.append(el('p', { class: 'empty', id: 'empty-' + spec.id, text: 'No data yet' + (spec.empty ? ': ' + spec.empty : '.') }));
    return fig;
  }
  if (spec.note) {
    fig.append(el('p', { class: 'note', text: spec.note }));
  }
  if (spec.config) {
    const canvas = el('canvas', { id: 'chart-' + spec.id, role: 'img', 'aria-label': spec.title + ': ' + (spec.description || '') + ' The table below holds the same numbers.' });
    canvas.append(el('p', { text: spec.description || spec.title }));
    fig.append(el('div', { class: 'canvas-box' }, canvas));
    const config = withDefaults(spec.config);
    if (typeof Chart === 'undefined') {
      fig.append(el('p', { class: 'empty', text: 'The chart library did not load; the table holds the numbers.' }));
    } else {
      live.add(new Chart(canvas, config));
    }
  }
  const table = el('table', { id: 'table-' + spec.id, class: 'chart-table data' });
  table.append(el('caption', { class: 'visually-hidden', text: spec.title + ' (table view)' }));
  table.append(el('thead', {}, el('tr', {}, spec.columns.map((c) => el('th', { scope: 'col', 'data-key': c.key, text: c.label })))));
  const body = el('tbody');
  for (const r of spec.rows) {
    body.append(el('tr', {}, spec.columns.map((c, i) => {
      const v = r[c.key];
      const text = c.format ? c.format(v, r) : (v === null || v === undefined ? '—' : String(v));
      return el(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, 'data-key': c.key, 'data-value': raw(v), text });
    })));
  }
  table.append(body);
  const wrap = el('div', { class: 'table-wrap', id: 'tablewrap-' + spec.id });
  wrap.append(table);
  const hasChart = !!spec.config;
  wrap.hidden = hasChart;
  if (hasChart) {
    const button = el('button', {
      type: 'button', class: 'table-toggle', id: 'toggle-' + spec.id, 'aria-expanded': 'false',
      'aria-controls': 'tablewrap-' + spec.id, text: 'Show table',
    });
    button.addEventListener('click', () => {
      const open = wrap.hidden;
      wrap.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      button.textContent = open ? 'Hide table' : 'Show table';
    });
    fig.append(button);
  }
  fig.append(wrap);
  return fig;
}

function raw(v) {
  if (v === null || v === undefined) {
    return '';
  }
  if (Array.isArray(v)) {
    return v.join(',');
  }
  return String(v);
}

function withDefaults(config) {
  const options = config.options || {};
  options.animation = false;
  options.responsive = true;
  options.maintainAspectRatio = false;
  options.plugins = options.plugins || {};
  // bands (an interval's low and high lines) are drawn but not listed: the legend names the series they belong to
  options.plugins.legend = Object.assign({
    labels: { usePointStyle: true, filter: (item, data) => !data.datasets[item.datasetIndex].hideInLegend },
  }, options.plugins.legend || {});
  options.interaction = options.interaction || { mode: 'nearest', intersect: false };
  config.options = options;
  return config;
}
