// api.js — the JSON API: the session (token in sessionStorage only) and one
// fetch wrapper that turns every refusal into an ApiError.

const SESSION_KEY = 'minhu.session';

/** The signed-in session {token, workspace, unit, unitName}, or null. */
export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return s && typeof s.token === 'string' && s.token ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
}

export function updateSession(patch) {
  const s = session();
  if (s) saveSession({ ...s, ...patch });
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** A refused request: HTTP status, the contract's error code, message and field. */
export class ApiError extends Error {
  constructor(status, code, message, field = null, retryAfter = null) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.retryAfter = retryAfter;
  }
}

/**
 * Calls the API.  `body` (an object) is sent as JSON; `token` overrides the
 * session's; `auth: false` sends none (the public lookup).  Resolves with the
 * parsed body; rejects with ApiError (status 0 when the server is unreachable).
 */
export async function api(method, path, body, { token, auth = true, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  const tok = token !== undefined ? token : auth ? session()?.token : null;
  if (tok) h.Authorization = 'Bearer ' + tok;
  const init = { method, headers: h, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'the server cannot be reached');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || res.statusText,
      e.field, res.headers.get('Retry-After'));
  }
  return data;
}

/** Builds a query string from an object, leaving out empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

/** GET /api/v1/tickets with filters; every page up to `max` items. */
export async function listTickets(params, max = 200) {
  const items = [];
  let after = null;
  let more = false;
  do {
    const limit = Math.min(200, max - items.length);
    const page = await api('GET', '/api/v1/tickets' + qs({ ...params, limit, after }));
    items.push(...page.items);
    after = page.next;
    more = !!after && page.items.length > 0;
  } while (more && items.length < max);
  return { items, more };
}

let refCache = null;

/** Categories and units (reference data), loaded once per page. */
export async function reference() {
  if (!refCache) {
    refCache = Promise.all([
      api('GET', '/api/v1/categories'),
      api('GET', '/api/v1/units'),
    ]).then(([c, u]) => buildReference(c.items, u.items));
    refCache.catch(() => { refCache = null; });
  }
  return refCache;
}

function buildReference(categories, units) {
  const cat = new Map(categories.map((c) => [c.code, c]));
  const unit = new Map(units.map((u) => [u.code, u]));
  const pathOf = (map, code) => {
    const names = [];
    for (let c = map.get(code), guard = 0; c && guard < 8; c = map.get(c.parent), guard++) {
      names.unshift(c.name);
    }
    return names;
  };
  for (const c of categories) c.path = pathOf(cat, c.code);
  for (const u of units) u.path = pathOf(unit, u.code);
  return {
    categories,
    units,
    cat,
    unit,
    unitName: (code) => (code && unit.get(code)?.name) || code || '',
    /** The street (or district) that a place belongs to: the suggested lead unit. */
    streetOf(code) {
      for (let u = unit.get(code), guard = 0; u && guard < 8; u = unit.get(u.parent), guard++) {
        if (u.kind === 'street' || u.kind === 'district') return u;
      }
      return null;
    },
  };
}
