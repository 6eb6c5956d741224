// The admin API as the pages see it: every call carries the token the user signed in with (kept in
// sessionStorage, never in a URL); 401 and 403 become errors the router renders as pages, not as broken charts.

const TOKEN_KEY = 'vane.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(t) {
  if (t) {
    sessionStorage.setItem(TOKEN_KEY, t);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** An answer other than 2xx: status, the server's error code and message. */
export class ApiError extends Error {
  constructor(status, code, message, path) {
    super(message);
    this.status = status;
    this.code = code;
    this.path = path;
  }

  /** The role a 403 names ("... needs the operator role"), or null. */
  role() {
    const m = /needs the (\w+) role/.exec(this.message || '');
    return m ? m[1] : null;
  }
}

async function call(method, path, body, accept) {
  const headers = { Accept: accept || 'application/json' };
  const t = token();
  if (t) {
    headers.Authorization = 'Bearer ' + t;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'error',
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'the gateway did not answer (' + e.message + ')', path);
  }
  if (!res.ok) {
    let code = 'error';
    let message = res.status + ' ' + res.statusText;
    try {
      const j = await res.json();
      code = j.error || code;
      message = j.message || message;
    } catch (ignored) {
      // not a JSON error body: keep the status line
    }
    throw new ApiError(res.status, code, message, path);
  }
  return res;
}

export async function getJson(path) {
  return (await call('GET', path)).json();
}

export async function getText(path) {
  return (await call('GET', path, undefined, 'text/plain, */*')).text();
}

export async function postJson(path, body) {
  return (await call('POST', path, body || {})).json();
}

/** The value, or null when the call failed with one of {@code statuses} (e.g. 404: no such thing). */
export async function optional(promise, ...statuses) {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof ApiError && statuses.includes(e.status)) {
      return null;
    }
    throw e;
  }
}
