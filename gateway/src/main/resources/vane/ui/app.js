// The dashboard's shell: hash routes, the signed-in caller (GET /admin/v1/whoami), sign in and out, auto-refresh,
// the confirmation dialog, and 401/403 rendered as pages.

import { ApiError, getJson, setToken, token } from './api.js';
import { destroyAll, el, takeLive } from './charts.js';
import { experimentPage } from './experiment.js';
import { configPage, experimentsPage, forbiddenPage, signInPage } from './pages.js';

const REFRESH_MS = 15000;
const REFRESH_KEY = 'vane.autorefresh';

const app = {
  session: null,
  main: null,
  timer: null,
  generation: 0,

  /** Whether the caller may run experiment operations (role operator or admin). */
  mayOperate() {
    return !!this.session && this.session.roles.some((r) => r === 'operator' || r === 'admin');
  },

  /** Shows a short message in the live region. */
  say(text) {
    const s = document.getElementById('status');
    s.textContent = text;
    s.hidden = !text;
  },

  /** Draws the current route again (after an operation, or on the refresh timer). */
  reload() {
    route(false);
  },

  go(hash) {
    if (location.hash === hash) {
      route(true);
    } else {
      location.hash = hash;
    }
  },

  /** Renders a failed call: 401 signs out with the server's message, 403 names the missing role, else a box. */
  fail(e, where) {
    if (e instanceof ApiError && e.status === 401) {
      signOut('Your token was not accepted (401): ' + e.message);
      return;
    }
    if (e instanceof ApiError && e.status === 403) {
      clear();
      forbiddenPage(this.main, this, e);
      return;
    }
    const box = el('div', { class: 'error', role: 'alert' },
      el('strong', { text: 'Could not load ' + (where || 'this page') + ': ' }),
      e && e.message ? e.message : String(e));
    (where && document.getElementById('area-' + where) || this.main).append(box);
    if (!(e instanceof ApiError)) {
      console.warn('dashboard: ' + (e && e.stack ? e.stack : e));
    }
  },

  /** Asks for confirmation in a modal dialog; resolves to the reason typed, or null when cancelled. */
  confirm(title, text, fields) {
    const d = document.getElementById('confirm');
    document.getElementById('confirm-title').textContent = title;
    document.getElementById('confirm-text').textContent = text;
    const box = document.getElementById('confirm-fields');
    box.replaceChildren(...(fields || []));
    const reason = document.getElementById('confirm-reason');
    reason.value = '';
    return new Promise((resolve) => {
      const cancel = document.getElementById('confirm-cancel');
      const done = (ok) => {
        cancel.removeEventListener('click', onCancel);
        d.removeEventListener('close', onClose);
        resolve(ok ? reason.value : null);
      };
      const onCancel = () => d.close('cancel');
      const onClose = () => done(d.returnValue === 'ok');
      cancel.addEventListener('click', onCancel);
      d.addEventListener('close', onClose);
      d.returnValue = '';
      d.showModal();
      (fields && fields.length ? box.querySelector('input, select') : reason).focus();
    });
  },
};

function clear() {
  destroyAll();
  app.main.replaceChildren();
}

function signOut(message) {
  setToken(null);
  app.session = null;
  showChrome(false);
  clear();
  if (location.hash !== '#/signin') {
    history.replaceState(null, '', '#/signin');
  }
  signInPage(app.main, app, message, signIn);
}

async function signIn(t) {
  setToken(t);
  try {
    app.session = await getJson('/admin/v1/whoami');
  } catch (e) {
    setToken(null);
    app.session = null;
    if (e instanceof ApiError && e.status === 401) {
      return 'That token was not accepted (401): ' + e.message;
    }
    return 'Could not sign in: ' + e.message;
  }
  showChrome(true);
  app.go('#/experiments');
  return null;
}

function showChrome(signedIn) {
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  if (signedIn) {
    const s = app.session;
    document.getElementById('who-name').textContent = 'Signed in as ' + s.name + ' (' + s.roles.join(', ') + ')';
  }
}

function autoRefresh() {
  return sessionStorage.getItem(REFRESH_KEY) !== 'off';
}

function schedule() {
  clearTimeout(app.timer);
  if (autoRefresh() && app.session && !document.getElementById('confirm').open) {
    app.timer = setTimeout(() => route(false), REFRESH_MS);
  }
}

async function route(fresh) {
  clearTimeout(app.timer);
  const gen = ++app.generation;
  const hash = location.hash || '#/experiments';
  if (hash === '#/signin') {
    if (token() && !app.session) {
      // a reload with a token kept in this tab: sign in again with it
    } else {
      signOut(null);
      return;
    }
  }
  if (!app.session) {
    try {
      // with admin.auth none (loopback only), whoami answers without a token
      app.session = await getJson('/admin/v1/whoami');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        signOut(token() ? 'Your token was not accepted (401): ' + e.message : null);
      } else {
        clear();
        app.fail(e, null);
      }
      return;
    }
    showChrome(true);
    if (hash === '#/signin') {
      history.replaceState(null, '', '#/experiments');
    }
  }
  const [, page, id] = /^#\/([a-z]+)(?:\/(.+))?$/.exec(hash === '#/signin' ? '#/experiments' : hash) || [];
  for (const a of document.querySelectorAll('#nav a')) {
    a.toggleAttribute('aria-current', a.id === 'nav-' + (page || 'experiments'));
    if (a.id === 'nav-' + (page || 'experiments')) {
      a.setAttribute('aria-current', 'page');
    }
  }
  // draw off-screen, then swap: a refresh does not flash an empty page
  const old = takeLive();
  const next = el('div', { class: 'page' });
  try {
    if (page === 'experiments' && id) {
      await experimentPage(next, app, decodeURIComponent(id));
    } else if (page === 'config') {
      await configPage(next, app);
    } else {
      await experimentsPage(next, app);
    }
  } catch (e) {
    if (gen !== app.generation) {
      return;
    }
    old.forEach((c) => c.destroy());
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      app.fail(e, null);
      return;
    }
    next.append(el('div', { class: 'error', role: 'alert' }, el('strong', { text: 'Could not load this page: ' }), e.message));
    if (!(e instanceof ApiError)) {
      console.warn('dashboard: ' + (e && e.stack ? e.stack : e));
    }
  }
  if (gen !== app.generation) {
    return;
  }
  const scroll = window.scrollY;
  const open = [...document.querySelectorAll('.table-toggle[aria-expanded="true"]')].map((b) => b.id);
  app.main.replaceChildren(next);
  old.forEach((c) => c.destroy());
  next.dataset.ready = 'true';
  document.body.dataset.page = page || 'experiments';
  if (!fresh) {
    for (const id of open) {
      const b = document.getElementById(id);
      if (b) {
        b.click();
      }
    }
    window.scrollTo(0, scroll);
  } else {
    app.main.focus({ preventScroll: true });
  }
  schedule();
}

function start() {
  app.main = document.getElementById('main');
  document.getElementById('sign-out').addEventListener('click', () => signOut('You are signed out.'));
  const toggle = document.getElementById('refresh-toggle');
  const paint = () => {
    toggle.setAttribute('aria-pressed', String(autoRefresh()));
    toggle.textContent = 'Auto-refresh: ' + (autoRefresh() ? 'on' : 'off');
  };
  toggle.addEventListener('click', () => {
    sessionStorage.setItem(REFRESH_KEY, autoRefresh() ? 'off' : 'on');
    paint();
    schedule();
  });
  paint();
  document.getElementById('confirm').addEventListener('close', () => schedule());
  window.addEventListener('hashchange', () => route(true));
  route(true);
}

start();
