// The sign-in, forbidden, experiments-list and config pages.

import { getJson, getText, optional } from './api.js';
import { el, fmt } from './charts.js';

/** The sign-in form: the token goes to sessionStorage (this tab only), never into the URL. */
export function signInPage(main, app, message, signIn) {
  const input = el('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const msg = el('p', { id: 'signin-message', class: message ? 'error' : 'hint', role: message ? 'alert' : null,
    text: message || 'Paste an admin token (admin.auth.tokens). It is kept in this tab only and sent as a bearer token.' });
  const button = el('button', { type: 'submit', id: 'signin-submit', text: 'Sign in' });
  const form = el('form', { id: 'signin-form', class: 'signin', 'aria-labelledby': 'signin-title' },
    el('h1', { id: 'signin-title', text: 'Sign in to Vane' }),
    msg,
    el('label', { for: 'token', text: 'Token' }),
    input,
    button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    const t = input.value.trim();
    input.value = '';
    const problem = await signIn(t);
    button.disabled = false;
    if (problem) {
      msg.textContent = problem;
      msg.className = 'error';
      msg.setAttribute('role', 'alert');
      input.focus();
    }
  });
  main.replaceChildren(form);
  document.body.dataset.page = 'signin';
  input.focus();
}

/** 403: which role the token lacks, from the server's message. */
export function forbiddenPage(main, app, e) {
  const role = e.role();
  const who = app.session ? app.session.name : 'this token';
  main.replaceChildren(el('section', { id: 'forbidden', class: 'forbidden' },
    el('h1', { text: 'Not allowed' }),
    el('p', { id: 'forbidden-message', text: role
      ? 'Your token (' + who + ') lacks the role ' + role + ' that this page needs.'
      : 'Your token (' + who + ') may not see this page.' }),
    el('p', { class: 'hint', text: 'The gateway said: ' + e.message }),
    el('p', {}, 'Ask an admin for a token with the ', el('code', { text: role || 'viewer' }), ' role, or ',
      el('a', { href: '#/signin', id: 'forbidden-signin', text: 'sign in with another token' }), '.')));
  document.body.dataset.page = 'forbidden';
}

function badge(text, kind, title) {
  return el('span', { class: 'badge ' + kind, title: title || null, text });
}

/** The primary metric: the one declared primary, or null. */
export function primaryMetric(results) {
  const m = results && (results.metrics || []).find((x) => x.primary && !x.builtin);
  return m ? m.name : null;
}

export function srmBadge(results) {
  const srm = results && results.srm;
  if (!srm || !srm.verdict) {
    return badge('SRM n/a', 'muted', srm && srm.reasons && srm.reasons.length ? srm.reasons.join(', ') : 'not computed');
  }
  return srm.verdict === 'mismatch'
    ? badge('⚠ SRM mismatch', 'bad srm-mismatch', 'p = ' + fmt.num(srm.pValue))
    : badge('✓ SRM ok', 'good srm-ok', 'p = ' + fmt.num(srm.pValue));
}

export function rolloutBadge(rollout) {
  if (!rollout || !rollout.configured) {
    return el('span', { class: 'muted', text: '—' });
  }
  const s = rollout.state;
  if (!s) {
    return badge('rollout: not started', 'muted rollout');
  }
  const kind = s.phase === 'promoted' ? 'good' : s.phase === 'rolled_back' || s.phase === 'aborted' ? 'bad' : 'info';
  return badge('rollout: ' + s.phase.replace('_', ' ') + (s.phase === 'stepping' ? ' (step ' + (s.step + 1) + ')' : '')
    + (s.paused ? ', paused' : ''), kind + ' rollout');
}

/** What kind of experiment: a bandit, a canary, an A/B/n test, or a champion alone. */
function kind(e) {
  if (e.policy === 'thompson') {
    return 'bandit (Thompson)';
  }
  if (e.arms.some((a) => a.role === 'canary')) {
    return 'canary';
  }
  return e.arms.length > 1 ? 'A/B/n' : 'champion only';
}

/** The experiments list. */
export async function experimentsPage(main, app) {
  const list = await getJson('/v1/experiments');
  list.experiments.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = list.experiments.map((e) => e.id);
  const extra = await Promise.all(ids.map((id) => Promise.all([
    optional(getJson('/v1/experiments/' + encodeURIComponent(id) + '/results'), 404),
    optional(getJson('/admin/v1/experiments/' + encodeURIComponent(id) + '/rollout'), 404, 503),
  ])));
  main.append(el('h1', { text: 'Experiments' }),
    el('p', { class: 'hint', text: 'Config ' + list.configVersion + '. Traffic share is of exposures since the experiment\'s current version; lift is the primary metric\'s relative difference to the control with its ' + '95% interval.' }));
  const table = el('table', { id: 'experiments-table', class: 'data' });
  table.append(el('caption', { class: 'visually-hidden', text: 'Experiments' }));
  table.append(el('thead', {}, el('tr', {}, ['Experiment', 'Status', 'Arms (planned weight → observed share)', 'Exposures', 'Primary metric lift [interval]', 'SRM', 'Rollout']
    .map((h) => el('th', { scope: 'col', text: h })))));
  const body = el('tbody');
  list.experiments.forEach((e, i) => {
    const [results, rollout] = extra[i];
    const status = e.paused ? badge('⏸ paused', 'warn status-paused') : badge('▶ running', 'good status-running');
    const bandit = e.policy === 'thompson';
    const arms = el('ul', { class: 'arms' }, e.arms.map((a) => el('li', { 'data-arm': a.id },
      el('span', { class: 'arm', text: a.id }), a.id === e.control ? ' (control)' : '',
      bandit ? ' adaptive → ' + fmt.pct(a.exposureShare) : ' ' + fmt.pct(a.weightBps / 10000) + ' → ' + fmt.pct(a.exposureShare))));
    const exposures = e.arms.reduce((n, a) => n + a.exposures, 0);
    const metric = primaryMetric(results);
    let lift;
    if (!results) {
      lift = el('span', { class: 'muted', text: 'no results' });
    } else if (!metric) {
      lift = el('span', { class: 'muted', text: 'no primary metric' });
    } else {
      const cs = (results.comparisons || []).filter((c) => c.metric === metric);
      lift = el('ul', { class: 'lift' }, cs.map((c) => {
        const iv = c.relativeDifferenceInterval || {};
        return el('li', { 'data-treatment': c.treatment }, metric + ' ' + c.treatment + ': ' + fmt.signedPct(c.relativeDifference)
          + ' [' + fmt.signedPct(iv.low) + ', ' + fmt.signedPct(iv.high) + ']');
      }));
      if (!cs.length) {
        lift = el('span', { class: 'muted', text: metric + ': no comparison yet' });
      }
    }
    body.append(el('tr', { 'data-experiment': e.id },
      el('th', { scope: 'row' }, el('a', { href: '#/experiments/' + encodeURIComponent(e.id), text: e.id }),
        el('div', { class: 'muted small', text: kind(e) })),
      el('td', {}, status),
      el('td', {}, arms),
      el('td', { 'data-value': String(exposures), text: String(exposures) }),
      el('td', {}, lift),
      el('td', { class: 'srm' }, srmBadge(results)),
      el('td', { class: 'rollout' }, rolloutBadge(rollout))));
  });
  table.append(body);
  main.append(el('div', { class: 'table-wrap' }, table));
  if (!list.experiments.length) {
    main.append(el('p', { class: 'empty', text: 'No experiments are configured.' }));
  }
}

/** The config history, with the diff between two versions. */
export async function configPage(main, app) {
  const h = await getJson('/admin/v1/config/history?limit=100');
  main.append(el('h1', { text: 'Config history' }),
    el('p', { class: 'hint', text: 'Store: ' + h.store + '. Applied version: ' + (h.applied ?? '—') + '. Every write is a new version with its author and reason.' }));
  const versions = h.versions || [];
  const diffBox = el('section', { id: 'area-diff', class: 'diff', 'aria-labelledby': 'diff-title' },
    el('h2', { id: 'diff-title', text: 'Diff' }));
  const from = el('select', { id: 'diff-from' }, versions.map((v) => el('option', { value: v.version, text: String(v.version) })));
  const to = el('select', { id: 'diff-to' }, versions.map((v) => el('option', { value: v.version, text: String(v.version) })));
  const pre = el('pre', { id: 'config-diff', tabindex: '0', 'aria-label': 'Unified diff; added lines start with +, removed lines with -' });
  const show = async (a, b) => {
    from.value = String(a);
    to.value = String(b);
    pre.replaceChildren(el('span', { class: 'muted', text: 'Loading…' }));
    try {
      const text = await getText('/admin/v1/config/diff?from=' + a + '&to=' + b);
      pre.replaceChildren(...(text.trim() === '' ? [el('span', { class: 'muted', text: 'No differences between ' + a + ' and ' + b + '.' })]
        : text.split('\n').map((line) => el('span', {
          class: line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx',
          text: line + '\n',
        }))));
    } catch (e) {
      pre.replaceChildren();
      app.fail(e, 'diff');
    }
  };
  const table = el('table', { id: 'config-history', class: 'data' });
  table.append(el('caption', { class: 'visually-hidden', text: 'Config versions, newest first' }));
  table.append(el('thead', {}, el('tr', {}, ['Version', 'Time', 'Author', 'Message', 'Summary', ''].map((x) => el('th', { scope: 'col', text: x })))));
  const body = el('tbody');
  versions.forEach((v, i) => {
    const prev = versions[i + 1];
    body.append(el('tr', { 'data-version': v.version },
      el('th', { scope: 'row', text: String(v.version) + (v.version === h.applied ? ' (applied)' : '') }),
      el('td', { text: fmt.time(v.time) }),
      el('td', { text: v.author || '—' }),
      el('td', { text: v.message || '—' }),
      el('td', { text: v.summary || '—' }),
      el('td', {}, prev ? el('button', { type: 'button', class: 'link', text: 'Diff with ' + prev.version,
        'aria-label': 'Diff version ' + prev.version + ' to ' + v.version, onclick: () => show(prev.version, v.version) }) : '')));
  });
  table.append(body);
  main.append(el('div', { class: 'table-wrap' }, table));
  diffBox.append(el('form', { class: 'inline', id: 'diff-form' },
    el('label', { for: 'diff-from', text: 'From' }), from,
    el('label', { for: 'diff-to', text: 'to' }), to,
    el('button', { type: 'submit', text: 'Show diff' })), pre);
  diffBox.querySelector('form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    show(from.value, to.value);
  });
  main.append(diffBox);
  if (versions.length >= 2) {
    await show(versions[1].version, versions[0].version);
  } else if (versions.length === 1) {
    pre.replaceChildren(el('span', { class: 'muted', text: 'Only one version so far: nothing to compare.' }));
  }
}
