// The console's pages (hash routes): #/signin, #/exceptions, #/shipments/<id>, #/facilities.
import { api, follow, session } from './api.js';
import { loadChart, routeMap } from './svg.js';

const TYPES = ['MISSED_SCAN', 'DWELL_EXCEEDED', 'SLA_AT_RISK', 'SLA_BREACHED', 'DAMAGED', 'DELIVERY_FAILED', 'MISROUTED',
  'NO_ROUTE', 'INVALID_TRANSITION', 'HOLD_EXPIRED', 'OTHER'];
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
const STATUSES = ['OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'AUTO_RESOLVED'];

const view = document.getElementById('view');
const enc = encodeURIComponent;
let page = {};            // the page on screen: {onEvent(name, data), reload()}
let stopStream = null;
let retryTimer = null;
let networkCache = null;  // GET /facilities, read once per page load
let generation = 0;       // counts renders: answers for a page no longer on screen are dropped

/** Whether the page that was on screen when this was called still is. */
function alive() {
  const g = generation;
  return () => g === generation;
}

/** An HTML element. Attributes named on* become listeners; strings become text, never markup. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat(2).filter(c => c != null && c !== false));
  return el;
}

const when = t => (t ? new Date(t).toLocaleString() : '—');
const badge = (value, kind) => h('span', { class: `badge ${kind}-${value}` }, value ?? '—');

function age(t) {
  const min = Math.max(0, Math.floor((Date.now() - new Date(t)) / 60000));
  return min < 60 ? `${min} min` : min < 2880 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${Math.floor(min / 1440)} d`;
}

/** A message above the page: errors stay until dismissed or the page changes, confirmations fade. */
function notify(text, kind = 'error') {
  const box = h('div', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text,
    h('a', { href: '#', class: 'close', 'aria-label': 'dismiss', onclick: e => { e.preventDefault(); box.remove(); } }, '×'));
  document.getElementById('messages').append(box);
  if (kind === 'ok') setTimeout(() => box.remove(), 15000);
}

/** Awaits an API call; shows its error (and a standby replica's staleness) and answers null on error. */
async function guard(call, what) {
  const current = alive();
  try {
    const res = await call;
    if (!current()) return null;
    if (res.stale) notify(`${what}: served by a standby replica while the engine restores (${res.lag ?? '?'} records behind), so it may be out of date.`, 'warn');
    return res;
  } catch (e) {
    if (!current()) return null;
    notify(`${what}: ${e.message}`);
    if (e.status === 503 && e.retryAfter) retryTimer ??= setTimeout(render, Number(e.retryAfter) * 1000);
    return null;
  }
}

/** The facilities (GET /facilities), kept for the page's lifetime once read; a failure is shown and not kept. */
async function network(refresh = false) {
  if (!networkCache || refresh) {
    networkCache = api('/facilities').then(r => r.data, e => {
      networkCache = null;
      notify(`Network: ${e.message}`);
      return { items: [] };
    });
  }
  return networkCache;
}

/** The action dialog: resolves to the form's values, or null when cancelled. */
function ask(title, { note = 'Note', noteRequired = false, until = false, status = null } = {}) {
  const dialog = document.getElementById('ask');
  const form = dialog.querySelector('form');
  form.reset();
  dialog.querySelector('h3').textContent = title;
  form.querySelector('[data-field=note] span').textContent = note;
  form.querySelector('[data-field=until]').hidden = !until;
  form.querySelector('[data-field=status]').hidden = !status;
  form.elements.note.required = noteRequired;
  form.elements.until.required = until;
  if (until) form.elements.until.value = new Date(Date.now() + 2 * 3600e3 - new Date().getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  if (status) form.elements.status.value = status;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise(resolve => dialog.addEventListener('close',
    () => resolve(dialog.returnValue === 'ok' ? Object.fromEntries(new FormData(form)) : null), { once: true }));
}

// --- exceptions, as a table row (queue and shipment page) and the planner's actions on them ---

function exceptionRow(e, withShipment) {
  const snoozed = e.snoozedUntil && new Date(e.snoozedUntil) > new Date() ? ` (snoozed until ${when(e.snoozedUntil)})` : '';
  const open = e.status === 'OPEN' || e.status === 'ACKNOWLEDGED';
  return h('tr', { 'data-exception': e.exceptionId },
    h('td', {}, e.type), h('td', {}, badge(e.severity, 'sev')), h('td', { class: 'status' }, badge(e.status, 'st'), snoozed),
    withShipment && h('td', {}, h('a', { href: `#/shipments/${enc(e.shipmentId)}` }, e.shipmentId)),
    h('td', {}, e.facilityId ?? '—'), h('td', { title: e.detectedAt }, age(e.detectedAt)),
    h('td', { class: 'num' }, e.occurrences), h('td', { class: 'num' }, e.escalationLevel), h('td', { class: 'cause' }, e.cause ?? ''),
    session.may('planner') && h('td', { class: 'actions' }, open && [
      e.status === 'OPEN' && h('button', { 'data-action': 'acknowledge', onclick: ev => act(e, 'acknowledge', ev.target) }, 'Acknowledge'),
      h('button', { 'data-action': 'resolve', onclick: ev => act(e, 'resolve', ev.target) }, 'Resolve…'),
      h('button', { 'data-action': 'snooze', onclick: ev => act(e, 'snooze', ev.target) }, 'Snooze…')]));
}

function exceptionTable(withShipment) {
  const head = ['Type', 'Severity', 'Status', withShipment && 'Shipment', 'Facility', 'Age', 'Occurrences', 'Escalation', 'Cause',
    session.may('planner') && 'Actions'].filter(Boolean);
  const tbody = h('tbody');
  const rows = new Map();
  const empty = h('tr', { class: 'empty' }, h('td', { colspan: head.length }, 'No exceptions.'));
  tbody.append(empty);
  return {
    el: h('table', { class: 'exceptions' }, h('thead', {}, h('tr', {}, head.map(t => h('th', {}, t)))), tbody),
    rows,
    /** Updates the exception's row, or adds it (at the top when it is news from the stream). */
    put(e, where = 'append') {
      const tr = exceptionRow(e, withShipment);
      if (rows.has(e.exceptionId)) rows.get(e.exceptionId).replaceWith(tr);
      else if (where === 'prepend') tbody.prepend(tr); else tbody.append(tr);
      rows.set(e.exceptionId, tr);
      empty.remove();
    },
  };
}

async function act(e, action, button) {
  let body = {};
  if (action === 'resolve') {
    const a = await ask(`Resolve ${e.exceptionId}`, { note: 'How was it resolved?', noteRequired: true });
    if (!a) return;
    body = { note: a.note };
  } else if (action === 'snooze') {
    const a = await ask(`Snooze ${e.exceptionId}`, { until: true, note: 'Note (optional)' });
    if (!a) return;
    body = { until: new Date(a.until).toISOString(), note: a.note || undefined };
  }
  const row = button.closest('tr');
  row.querySelectorAll('button').forEach(b => { b.disabled = true; });
  const res = await guard(api(`/exceptions/${enc(e.exceptionId)}/${action}`, { method: 'POST', body }), `${action} ${e.exceptionId}`);
  if (!res) {
    row.querySelectorAll('button').forEach(b => { b.disabled = false; });
    return;
  }
  row.dataset.command = res.data.commandId;
  row.querySelector('.status').append(` → ${res.data.type} sent`);
  notify(`${res.data.type} of ${e.exceptionId} accepted as command ${res.data.commandId}; the row follows when the engine applies it.`, 'ok');
}

// --- pages ---

function signInPage() {
  const claims = session.claims;
  const token = h('textarea', { name: 'token', rows: 5, required: true, spellcheck: 'false', placeholder: 'eyJhbGciOiJSUzI1NiIs...' });
  const form = h('form', {
    id: 'signin', onsubmit: e => {
      e.preventDefault();
      try {
        session.signIn(token.value);
      } catch (err) {
        return notify(`That is not a token: ${err.message}`);
      }
      startStream();
      location.hash = '#/exceptions';
    },
  }, h('label', {}, 'Bearer token', token), h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  const expired = claims?.expires && claims.expires < new Date();
  return h('section', {}, h('h1', {}, 'Sign in'),
    claims && h('dl', { class: 'whoami' }, h('dt', {}, 'Signed in as'), h('dd', { id: 'subject' }, claims.subject),
      h('dt', {}, 'Roles'), h('dd', { id: 'roles' }, claims.roles.join(', ') || 'none'),
      h('dt', {}, 'Issuer'), h('dd', {}, claims.issuer ?? '—'),
      h('dt', {}, 'Expires'), h('dd', { class: expired ? 'expired' : '' }, when(claims.expires), expired && ' (expired: sign in again)'),
      h('dd', {}, h('a', { href: '#/signin', onclick: signOut }, 'Sign out'))),
    h('p', {}, 'Paste a bearer token: scripts/run-local prints one per role and writes them to .local/tokens/<role>.jwt, ',
      'scripts/mint-token makes more. It stays in this browser tab (sessionStorage) and goes only to this planner-api.'),
    form);
}

function exceptionsPage(_, params) {
  const f = { facility: params.get('facility') ?? '', type: params.get('type') ?? '', severity: params.get('severity') ?? '', status: params.get('status') ?? 'OPEN' };
  const apply = () => { location.hash = `#/exceptions?${new URLSearchParams([...new FormData(form)].filter(([, v]) => v))}`; };
  const select = (name, options, any) => h('select', { name, onchange: apply, 'aria-label': name },
    any && h('option', { value: '' }, any), options.map(o => h('option', { value: o, selected: f[name] === o }, o)));
  const ids = h('datalist', { id: 'facility-ids' });
  const form = h('form', { class: 'filters', onsubmit: e => { e.preventDefault(); apply(); } },
    h('input', { name: 'facility', value: f.facility, placeholder: 'any facility', list: 'facility-ids', 'aria-label': 'facility', onchange: apply }),
    select('type', TYPES, 'any type'), select('severity', SEVERITIES, 'any severity'), select('status', STATUSES), ids);
  const table = exceptionTable(true);
  const more = h('a', { href: '#', hidden: true, onclick: e => { e.preventDefault(); load(more.dataset.cursor); } }, 'more…');
  const matches = e => e.status === f.status && [['facility', e.facilityId], ['type', e.type], ['severity', e.severity]].every(([k, v]) => !f[k] || f[k] === v);

  async function load(cursor) {
    const q = new URLSearchParams(Object.entries({ ...f, limit: 100, cursor }).filter(([, v]) => v));
    const res = await guard(api(`/exceptions?${q}`), 'Exceptions');
    if (!res) return;
    res.data.items.forEach(e => table.put(e));
    more.dataset.cursor = res.data.nextCursor ?? '';
    more.hidden = !res.data.nextCursor;
    if (res.data.unavailableInstances?.length) notify(`Engine instances ${res.data.unavailableInstances.join(', ')} did not answer: the list may be incomplete.`, 'warn');
  }
  load();
  network().then(n => ids.replaceChildren(...n.items.map(x => h('option', { value: x.facilityId }, x.name))));
  return [h('section', {}, h('h1', {}, 'Exceptions'), form, table.el, more), {
    reload: () => load(),
    onEvent(name, e) {
      if (name === 'exception' && (matches(e) || table.rows.has(e.exceptionId))) table.put(e, 'prepend');
    },
  }];
}

function shipmentPage(id) {
  let shipment = null;
  const summary = h('div', { class: 'summary' });
  const map = h('div', { class: 'map-box' });
  const legs = h('tbody');
  const history = h('tbody');
  const exceptions = exceptionTable(false);

  async function draw() {
    const s = shipment;
    const item = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
    summary.replaceChildren(h('dl', {},
      item('Status', badge(s.status, 'status')), item('SLA status', badge(s.slaStatus, 'sla')), item('ETA', when(s.eta)),
      item('Promised', when(s.promisedDeliveryAt)), item('Route status', s.routeStatus ?? '—'),
      item('Origin → destination', `${s.origin ?? '?'} → ${s.destination ?? '?'}`),
      item('At / last seen', s.currentFacilityId ?? `(moving) last ${s.lastFacilityId ?? '—'}`),
      item('Service, workflow', `${s.serviceLevel ?? '—'}, ${s.workflowName ? `${s.workflowName} v${s.workflowVersion}` : '—'}`),
      item('Updated', when(s.updatedAt)), s.stale && item('Stale', `standby replica, ${s.lagRecords ?? '?'} records behind`)));
    const drawn = routeMap((await network()).items, s);
    map.replaceChildren(drawn.el);
    if (drawn.missing.length) notify(`Not in the network view, so not drawn: ${drawn.missing.join(', ')}`, 'warn');
    legs.replaceChildren(...(s.routePlan?.legs ?? []).map((l, i) => h('tr', {},
      h('td', { class: 'num' }, i + 1), h('td', {}, l.laneId), h('td', {}, `${l.fromFacilityId} → ${l.toFacilityId}`),
      h('td', {}, `${l.mode ?? ''} ${l.carrier ?? ''}`), h('td', {}, when(l.plannedDeparture)), h('td', {}, when(l.plannedArrival)))));
  }
  async function loadHistory() {
    const res = await guard(api(`/shipments/${enc(id)}/history`), 'History');
    if (res) history.replaceChildren(...res.data.entries.map(e => h('tr', { class: `outcome-${e.outcome}` },
      h('td', {}, when(e.occurredAt)), h('td', {}, e.kind), h('td', {}, e.type), h('td', {}, e.facilityId ?? ''),
      h('td', {}, e.outcome), h('td', {}, e.reason ?? ''), h('td', {}, e.source ?? ''))));
  }
  async function load() {
    const res = await guard(api(`/shipments/${enc(id)}`), `Shipment ${id}`);
    if (res) {
      shipment = res.data;
      (shipment.exceptions ?? []).forEach(e => exceptions.put(e));
      await draw();
    }
    await loadHistory();
  }
  load();
  const table = (head, body, cls) => h('table', { class: cls }, h('thead', {}, h('tr', {}, head.map(t => h('th', {}, t)))), body);
  return [h('section', {}, h('h1', {}, 'Shipment ', h('code', {}, id)), summary,
    h('h2', {}, 'Route plan'), map, table(['#', 'Lane', 'From → to', 'Mode, carrier', 'Departure', 'Arrival'], legs, 'legs'),
    h('h2', {}, 'Exceptions'), exceptions.el,
    h('h2', {}, 'History'), table(['Occurred', 'Kind', 'Type', 'Facility', 'Outcome', 'Reason', 'Source'], history, 'history')), {
    reload: load,
    onEvent(name, data) {
      if (data.shipmentId !== id) return;
      if (name === 'exception') exceptions.put(data, 'prepend');
      if (name === 'shipment') {
        shipment = data; // the stream's shipment has no exceptions: those come as exception events
        draw();
        loadHistory();
      }
    },
  }];
}

function facilitiesPage(_, params) {
  const chart = h('div', { class: 'chart-box' });
  const rows = h('tbody');
  const regionSelect = h('select', { 'aria-label': 'region', onchange: e => { location.hash = `#/facilities?region=${enc(e.target.value)}`; } });
  const asOf = h('span', { class: 'muted' });

  async function load() {
    const current = alive();
    const net = await network(true);
    const regions = [...new Set(net.items.map(x => x.region))].sort();
    const region = params.get('region') ?? regions[0];
    regionSelect.replaceChildren(...regions.map(r => h('option', { value: r, selected: r === region }, r)));
    asOf.textContent = net.asOf ? `network as of ${when(net.asOf)}` : '';
    const shown = net.items.filter(x => x.region === region);
    const answers = await Promise.all(shown.map(x => api(`/facilities/${enc(x.facilityId)}`).then(r => r.data, error => ({ ...x, error }))));
    if (!current()) return;
    answers.filter(a => a.error).slice(0, 1).forEach(a => notify(`Facility ${a.facilityId}: ${a.error.message}`));
    const unknown = answers.filter(a => a.loadUnavailable).map(a => a.facilityId);
    if (unknown.length) notify(`The engines cannot say the load of ${unknown.join(', ')} right now.`, 'warn');
    chart.replaceChildren(loadChart(answers));
    rows.replaceChildren(...answers.map(a => h('tr', { 'data-facility': a.facilityId },
      h('td', {}, a.facilityId), h('td', {}, a.name), h('td', {}, a.type), h('td', {}, badge(a.status, 'fst')),
      h('td', { class: 'num' }, a.hourlyCapacity), ...['onHand', 'expectedInbound', 'openExceptions'].map(k => h('td', { class: 'num' }, a.load?.[k] ?? '—')),
      session.may('admin') && h('td', {}, h('button', { 'data-action': 'status', onclick: () => setStatus(a) }, 'Set status…')))));
  }
  async function setStatus(x) {
    const a = await ask(`Status of ${x.facilityId}`, { status: x.status, note: 'Reason (required unless OPEN)' });
    if (!a) return;
    const res = await guard(api(`/facilities/${enc(x.facilityId)}/status`, { method: 'PUT', body: { status: a.status, reason: a.note || undefined } }), `Status of ${x.facilityId}`);
    if (res) {
      notify(`${x.facilityId} is now ${res.data.status} (published by ${res.data.updatedBy}).`, 'ok');
      setTimeout(load, 1500); // the view follows through the facilities topic
    }
  }
  load();
  const head = ['Facility', 'Name', 'Type', 'Status', 'Capacity/h', 'On hand', 'Inbound 6 h', 'Open exceptions', session.may('admin') && 'Change'];
  return [h('section', {}, h('h1', {}, 'Facilities'), h('p', {}, h('label', {}, 'Region ', regionSelect), ' ', asOf), chart,
    h('table', {}, h('thead', {}, h('tr', {}, head.filter(Boolean).map(t => h('th', {}, t)))), rows)), { reload: load }];
}

// --- shell: routing, who is signed in, the live stream ---

const pages = { signin: signInPage, exceptions: exceptionsPage, shipments: shipmentPage, facilities: facilitiesPage };

function render() {
  generation++;
  clearTimeout(retryTimer);
  retryTimer = null;
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  document.getElementById('messages').replaceChildren();
  const claims = session.claims;
  const who = document.getElementById('who');
  who.textContent = claims ? `${claims.subject} (${claims.roles.join(', ')})` : 'sign in';
  if (!claims && name !== 'signin') return void (location.hash = '#/signin');
  if (!pages[name]) return void (location.hash = '#/exceptions');
  const made = pages[name](decodeURIComponent(rest.join('/')), new URLSearchParams(query));
  const [el, handlers] = Array.isArray(made) ? made : [made, {}];
  page = handlers;
  view.replaceChildren(el);
}

function signOut(e) {
  e.preventDefault();
  session.signOut();
  stopStream?.();
  document.getElementById('live').className = 'live off';
  document.getElementById('live').textContent = 'offline';
  location.hash === '#/signin' ? render() : (location.hash = '#/signin');
}

function startStream() {
  stopStream?.();
  const live = document.getElementById('live');
  let wasLive = false;
  stopStream = follow((name, data) => page.onEvent?.(name, data), (state, error) => {
    live.className = `live ${state === 'live' ? 'on' : 'off'}`;
    live.textContent = state === 'live' ? 'live' : state;
    live.title = error?.message ?? 'following the live stream';
    if (state === 'stopped') notify(`Live stream: ${error.message}`);
    if (state === 'live' && wasLive) page.reload?.(); // the stream starts at "now": re-read what was missed
    if (state === 'live') wasLive = true;
  });
}

document.getElementById('open-shipment').addEventListener('submit', e => {
  e.preventDefault();
  location.hash = `#/shipments/${enc(e.target.elements.id.value.trim())}`;
});
window.addEventListener('hashchange', render);
if (session.token) startStream();
render();
