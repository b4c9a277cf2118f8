// The planner-api as the console uses it: the signed-in token, REST calls that turn every failure
// into a readable ApiError, and the live stream (SSE read with fetch, because EventSource cannot
// send an Authorization header).

const TOKEN_KEY = 'waybill.token';
const RANK = { viewer: 1, planner: 2, admin: 3 };

/** The claims the console shows and decides by. It does not verify the signature: the API does. */
export function decode(token) {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new Error('not a JWT (three dot-separated parts expected)');
  const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')), c => c.charCodeAt(0));
  const c = JSON.parse(new TextDecoder().decode(bytes));
  return {
    subject: c.sub ?? c.upn ?? '(no subject)',
    roles: Array.isArray(c.groups) ? c.groups : [],
    issuer: c.iss,
    expires: c.exp ? new Date(c.exp * 1000) : null,
  };
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get claims() {
    try { return this.token ? decode(this.token) : null; } catch { return null; }
  },
  signIn(token) {
    const claims = decode(token); // throws on something that is not a JWT
    sessionStorage.setItem(TOKEN_KEY, token.trim());
    return claims;
  },
  signOut() { sessionStorage.removeItem(TOKEN_KEY); },
  /** Whether the token's roles include `role` (admin > planner > viewer, as RoleHierarchy says). */
  may(role) {
    const roles = this.claims?.roles ?? [];
    return Math.max(0, ...roles.map(r => RANK[r] ?? 0)) >= RANK[role];
  },
};

export class ApiError extends Error {
  constructor(status, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  static of(status, headers, body) {
    const said = body?.error ?? (typeof body === 'string' ? body.slice(0, 200) : '');
    const violations = (body?.violations ?? []).map(v => `${v.field}: ${v.message}`).join('; ');
    const retryAfter = headers.get('Retry-After');
    switch (status) {
      case 401: return new ApiError(401, '401 Unauthorized: no token, or it is expired or not trusted by this planner-api. Sign in again.');
      case 403: return new ApiError(403, `403 Forbidden: your roles (${session.claims?.roles.join(', ') || 'none'}) may not do this.`);
      case 503: return new ApiError(503, `503 Unavailable: ${said || 'try again'}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}`, retryAfter);
      default: return new ApiError(status, `${status}: ${said}${violations ? ` (${violations})` : ''}`);
    }
  }
}

/**
 * Calls /api/v1{path}; resolves to {data, stale, lag} or rejects with an ApiError. A standby replica's
 * answer (X-Waybill-Stale) resolves with stale = true: the caller shows it, it is not an error.
 */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, `The planner-api cannot be reached (${e.message}).`);
  }
  const text = await res.text();
  let data = text;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: keep the text */ }
  if (!res.ok) throw ApiError.of(res.status, res.headers, data);
  const stale = res.headers.get('X-Waybill-Stale') === 'true' || data?.stale === true;
  return { data, stale, lag: res.headers.get('X-Waybill-Lag-Records') ?? data?.lagRecords ?? null };
}

/**
 * Follows GET /api/v1/stream: calls onEvent(name, data) for every `shipment` and `exception` event and
 * onState('live' | 'reconnecting' | 'stopped', error?) as the connection changes. Reconnects with
 * backoff (the stream starts at "now", so callers re-read what they show after a reconnect). Returns a
 * function that stops it.
 */
export function follow(onEvent, onState) {
  let stopped = false;
  let abort = new AbortController();
  (async () => {
    for (let delay = 1000; !stopped; delay = Math.min(delay * 2, 30000)) {
      abort = new AbortController();
      try {
        const res = await fetch('/api/v1/stream', {
          headers: { Accept: 'text/event-stream', Authorization: `Bearer ${session.token}` }, signal: abort.signal,
        });
        if (!res.ok) {
          const error = ApiError.of(res.status, res.headers, await res.json().catch(() => null));
          if (res.status === 401 || res.status === 403) return onState('stopped', error);
          onState('reconnecting', error);
        } else {
          onState('live');
          delay = 1000;
          await readEvents(res.body, onEvent);
          if (!stopped) onState('reconnecting', new ApiError(0, 'The live stream ended; reconnecting.'));
        }
      } catch (e) {
        if (stopped) return;
        onState('reconnecting', new ApiError(0, `The live stream broke (${e.message}); reconnecting.`));
      }
      await new Promise(r => setTimeout(r, delay));
    }
  })();
  return () => { stopped = true; abort.abort(); };
}

async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue; // the greeting and heartbeats
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const v = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') name = v;
        else if (field === 'data') data.push(v);
      }
      if (!data.length) continue;
      let parsed;
      try { parsed = JSON.parse(data.join('\n')); } catch { console.warn('not JSON on the stream:', block); continue; }
      onEvent(name, parsed);
    }
  }
}
