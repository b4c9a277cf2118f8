// Drawings in plain SVG: a shipment's route plan on the network, and facility load as bars.

const NS = 'http://www.w3.org/2000/svg';

/** An SVG element; string children become text nodes (never markup). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/**
 * The facilities of the regions the shipment's route touches as dots placed by longitude and latitude
 * (equirectangular, x scaled by the cosine of the middle latitude), the plan's legs as lines (done,
 * current, ahead), and the shipment's position ringed. Returns {el, missing}: route facilities the
 * network view does not know (so not drawn).
 */
export function routeMap(facilities, s) {
  const W = 640, H = 380, PAD = 40;
  const byId = new Map(facilities.map(f => [f.facilityId, f]));
  const legs = s.routePlan?.legs ?? [];
  const onRoute = new Set(legs.flatMap(l => [l.fromFacilityId, l.toFacilityId]));
  const mine = [...onRoute, s.origin, s.destination, s.currentFacilityId, s.lastFacilityId].filter(Boolean);
  const regions = new Set(mine.map(id => byId.get(id)?.region).filter(Boolean));
  const shown = facilities.filter(f => regions.has(f.region));
  const el = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'map', role: 'img', 'aria-label': 'route plan on the network' });
  const missing = [...new Set(mine)].filter(id => !byId.has(id));
  if (!shown.length) {
    el.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'No facility of this shipment is in the network view.'));
    return { el, missing };
  }
  const lats = shown.map(f => f.latitude), lons = shown.map(f => f.longitude);
  const [minLon, maxLat] = [Math.min(...lons), Math.max(...lats)];
  const k = Math.cos(((Math.min(...lats) + maxLat) / 2) * Math.PI / 180);
  const w = Math.max((Math.max(...lons) - minLon) * k, 0.01), h = Math.max(maxLat - Math.min(...lats), 0.01);
  const scale = Math.min((W - 2 * PAD) / w, (H - 2 * PAD) / h);
  const [ox, oy] = [(W - w * scale) / 2, (H - h * scale) / 2];
  const at = id => {
    const f = byId.get(id);
    return f ? [ox + (f.longitude - minLon) * k * scale, oy + (maxLat - f.latitude) * scale] : null;
  };

  const network = svg('g', { class: 'network' });
  for (const f of shown) {
    const [x, y] = at(f.facilityId);
    network.append(svg('circle', { cx: x, cy: y, r: 4, class: `facility status-${f.status}`, 'data-facility': f.facilityId },
      svg('title', {}, `${f.name} (${f.facilityId}) ${f.status}`)));
  }

  const next = s.nextLegIndex ?? 0;
  const moving = s.status === 'IN_TRANSIT';
  const route = svg('g', { class: 'route' });
  legs.forEach((l, i) => {
    const [a, b] = [at(l.fromFacilityId), at(l.toFacilityId)];
    if (!a || !b) return;
    const state = i < next ? 'done' : i === next && moving ? 'current' : 'ahead';
    route.append(svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: `leg ${state}`, 'data-leg': i },
      svg('title', {}, `${l.laneId}: ${l.fromFacilityId} → ${l.toFacilityId}, ${l.mode ?? ''} ${l.carrier ?? ''}`)));
  });
  for (const f of shown) {
    const [x, y] = at(f.facilityId);
    route.append(svg('text', { x: x + 7, y: y - 6, class: onRoute.has(f.facilityId) ? 'label' : 'label minor' }, f.facilityId));
  }

  // Where the shipment is: at a facility, or on its current leg (drawn half-way), or where it was last seen.
  let here = at(s.currentFacilityId);
  const leg = legs[next];
  if (!here && moving && leg && at(leg.fromFacilityId) && at(leg.toFacilityId)) {
    const [a, b] = [at(leg.fromFacilityId), at(leg.toFacilityId)];
    here = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  }
  here ??= at(s.lastFacilityId);
  if (here) route.append(svg('circle', { cx: here[0], cy: here[1], r: 9, class: 'here' }, svg('title', {}, `${s.shipmentId} is here`)));

  el.append(network, route);
  return { el, missing };
}

const SERIES = [['onHand', 'on hand'], ['expectedInbound', 'expected inbound (6 h)'], ['openExceptions', 'open exceptions']];

/** Grouped bars: per facility its onHand, expectedInbound and openExceptions. rows: [{facilityId, load|null}]. */
export function loadChart(rows) {
  const BAR = 14, GROUP = SERIES.length * BAR + 16, LEFT = 64, TOP = 34, PLOT = 180, BOTTOM = 90;
  const W = Math.max(560, LEFT + 30 + rows.length * GROUP), H = TOP + PLOT + BOTTOM;
  const values = rows.flatMap(r => SERIES.map(([key]) => r.load?.[key] ?? 0));
  const max = nice(Math.max(1, ...values));
  const y = v => TOP + PLOT - (v / max) * PLOT;
  const el = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, class: 'chart', role: 'img', 'aria-label': 'facility load' });

  SERIES.forEach(([, label], j) => el.append(
    svg('rect', { x: LEFT + j * 170, y: 8, width: 12, height: 12, class: `bar s${j}` }),
    svg('text', { x: LEFT + j * 170 + 16, y: 18 }, label)));
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    el.append(svg('line', { x1: LEFT, x2: W - 4, y1: y(v), y2: y(v), class: 'grid' }),
      svg('text', { x: LEFT - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, String(+v.toFixed(1))));
  }
  rows.forEach((r, i) => {
    const x0 = LEFT + 24 + i * GROUP;
    if (!r.load) {
      el.append(svg('text', { x: x0 + GROUP / 2 - 8, y: y(0) - 6, 'text-anchor': 'middle', class: 'na' }, 'n/a'));
    } else {
      SERIES.forEach(([key, label], j) => {
        const v = r.load[key] ?? 0;
        el.append(svg('rect', { x: x0 + j * BAR, y: y(v), width: BAR - 2, height: y(0) - y(v), class: `bar s${j}`, 'data-facility': r.facilityId },
          svg('title', {}, `${r.facilityId} ${label}: ${v}`)));
      });
    }
    const cx = x0 + (SERIES.length * BAR) / 2, ly = TOP + PLOT + 12;
    el.append(svg('text', { x: cx, y: ly, transform: `rotate(-40 ${cx} ${ly})`, 'text-anchor': 'end', class: 'xlabel' }, r.facilityId));
  });
  return el;
}

/** 1, 2 or 5 times a power of ten, at least v. */
function nice(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map(m => m * p).find(m => m >= v);
}
