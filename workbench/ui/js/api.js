// The REST API: JSON in and out, the bearer token from POST /v1/auth/login
// kept in sessionStorage (gone when the tab closes), errors as ApiError with
// the server's {"error":{"code","message"}}.

const TOKEN_KEY = 'omnigate.token';
const USER_KEY = 'omnigate.user';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
  }
  /** The route itself does not exist on this gateway (an API not shipped yet). */
  get missingRoute() {
    return this.status === 405 || (this.status === 404 && this.message === 'no such route');
  }
}

const unauthorizedListeners = new Set();
/** fn() runs when a request answers 401: the token expired or was revoked. */
export function onUnauthorized(fn) { unauthorizedListeners.add(fn); }

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY) || ''; },
  get user() {
    try { return JSON.parse(sessionStorage.getItem(USER_KEY) || 'null'); } catch { return null; }
  },
  set(token, user) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user || null));
  },
  setUser(user) { sessionStorage.setItem(USER_KEY, JSON.stringify(user || null)); },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

// `raw` sends a Blob/File as the body as it is (its own Content-Type) instead of JSON.
async function request(method, path, body, { auth = true, raw = null } = {}) {
  const headers = { accept: 'application/json' };
  if (raw) headers['content-type'] = raw.type || 'application/octet-stream';
  else if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth && session.token) headers.authorization = `Bearer ${session.token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: raw || (body === undefined ? undefined : JSON.stringify(body)) });
  } catch (e) {
    throw new ApiError(0, 'network', e.message || 'network error');
  }
  if (res.status === 204 || res.status === 304) return null;
  const text = await res.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { /* a proxy's HTML error page */ }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, json?.error?.code, json?.error?.message || text.slice(0, 200));
    if (res.status === 401 && auth) for (const fn of unauthorizedListeners) fn(err);
    throw err;
  }
  return json;
}

/** "?a=1&b=x" from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body = {}) => request('POST', path, body),
  put: (path, body = {}) => request('PUT', path, body),
  patch: (path, body = {}) => request('PATCH', path, body),
  del: (path) => request('DELETE', path),
  publicGet: (path) => request('GET', path, undefined, { auth: false }),
  /** POST /v1/files?name=: the file's bytes as the body; answers {sha256, name, content_type, size, part}. */
  uploadFile: (file, name = file.name) => request('POST', `/v1/files${query({ name })}`, undefined, { raw: file }),
  login: (login, password) => request('POST', '/v1/auth/login', { login, password }, { auth: false }),
};

/** Every item of a paged list ({"items","next"}), following `next` as a cursor. */
export async function allPages(path, { limit = 200, max = 2000 } = {}) {
  const items = [];
  let cursor = '';
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const got = Array.isArray(page) ? page : page?.items || [];
    items.push(...got);
    cursor = Array.isArray(page) ? null : page?.next;
    if (!cursor || !got.length || items.length >= max) return items;
  }
}

/** A random id for client_msg_id (idempotent sends). */
export function randomId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
