// The analyst console: reads /api/* of the same server and renders with DOM
// calls only (textContent, never innerHTML), so no stored value can inject
// markup. State lives in the page URL, so a search can be bookmarked or
// shared, and ?hit=ID opens a hit's details.
'use strict';

const DECISIONS = ['ALLOW', 'WARN', 'HOLD', 'BLOCK'];
const COLORS = {ALLOW: '#2e7d32', WARN: '#f9a825', HOLD: '#ef6c00', BLOCK: '#c62828'};
const VN_OFFSET_MS = 7 * 3600 * 1000;
const PAGE_SIZE = 50;
const SVG = 'http://www.w3.org/2000/svg';

const form = document.getElementById('search');
const tbody = document.querySelector('#hits tbody');
const statusLine = document.getElementById('status');
const moreButton = document.getElementById('more');
let nextToken = '';
let shown = 0;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function decisionName(d) {
  return (d || 'DECISION_UNSPECIFIED').replace('DECISION_', '');
}

function badge(decision) {
  const name = decisionName(decision);
  return el('span', name, 'badge ' + name);
}

// RFC 3339 UTC -> "2026-11-29 11:30:05" in Vietnam time.
function vnTime(ts) {
  if (!ts) return '';
  const d = new Date(new Date(ts).getTime() + VN_OFFSET_MS);
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

function vnToday() {
  return new Date(Date.now() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const KIND_LABELS = {BANK_ACCOUNT: 'account', PHONE: 'phone', EWALLET: 'wallet',
                     CHAT_HANDLE: 'chat'};

function identifierText(id) {
  if (!id || !id.kind) return '';
  return [id.kind, id.issuer, id.value].filter(Boolean).join(' ');
}

// A table cell naming an identifier: a short kind label, then issuer and
// value.
function identifierCell(id) {
  const cell = el('td');
  if (!id || !id.kind) {
    cell.append(el('span', 'keyed hash only', 'kind'));
    return cell;
  }
  cell.append(el('span', KIND_LABELS[id.kind] || id.kind, 'kind'),
              [id.issuer, id.value].filter(Boolean).join(' '));
  return cell;
}

function amountText(amount, currency) {
  return Number(amount || 0).toLocaleString('en-US') + ' ' + (currency || '');
}

async function getJson(url) {
  const response = await fetch(url, {cache: 'no-store'});
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

// The form as API parameters ("to" is inclusive in the form, exclusive in
// the API).
function apiParams() {
  const f = new FormData(form);
  const p = new URLSearchParams();
  for (const name of ['kind', 'issuer', 'value']) {
    if (f.get(name)) p.set(name, f.get(name));
  }
  if (f.get('from')) p.set('from', f.get('from'));
  if (f.get('to')) p.set('to', addDays(f.get('to'), 1));
  const decisions = f.getAll('decision');
  if (decisions.length && !f.get('past')) p.set('decision', decisions.join(','));
  return p;
}

function formFromUrl() {
  const p = new URLSearchParams(location.search);
  for (const name of ['kind', 'issuer', 'value', 'from', 'to']) {
    if (p.has(name)) form.elements[name].value = p.get(name);
  }
  const decisions = (p.get('decision') || '').split(',');
  for (const box of form.querySelectorAll('input[name=decision]')) {
    box.checked = decisions.includes(box.value);
  }
  form.elements.past.checked = p.get('past') === '1';
}

function urlFromForm() {
  const f = new FormData(form);
  const p = new URLSearchParams();
  for (const [name, value] of f.entries()) {
    if (!value) continue;
    if (name === 'decision') {
      p.set('decision', f.getAll('decision').join(','));
    } else {
      p.set(name, value);
    }
  }
  history.replaceState(null, '', '?' + p.toString());
}

function hitRow(hit) {
  const row = el('tr', undefined, 'hit decision-' + decisionName(hit.decision));
  row.dataset.hitId = hit.hit_id;
  row.append(
      el('td', vnTime(hit.screened_at)),
      el('td'),
      el('td', String(hit.score || 0), 'num'),
      el('td', amountText(hit.amount, hit.currency), 'num'),
      el('td', hit.transfer_id),
      identifierCell(hit.beneficiary),
      el('td', hit.caller),
      el('td', hit.outcome ? hit.outcome.replace(/_/g, ' ').toLowerCase() : ''));
  row.children[1].append(badge(hit.decision));
  row.addEventListener('click', () => showDetail(hit.hit_id));
  return row;
}

async function search(more) {
  const f = new FormData(form);
  const past = f.get('past') === '1';
  const params = apiParams();
  params.set('page_size', String(PAGE_SIZE));
  if (more) params.set('page_token', nextToken);
  if (!more) {
    tbody.replaceChildren();
    shown = 0;
  }
  document.getElementById('results-title').textContent =
      past ? 'Earlier transfers to this beneficiary' : 'Hits';
  statusLine.className = '';
  statusLine.textContent = 'Searching…';
  try {
    const page = await getJson((past ? '/api/past?' : '/api/hits?') + params);
    const hits = page.hits || [];
    for (const hit of hits) tbody.append(hitRow(hit));
    shown += hits.length;
    nextToken = page.next_page_token || '';
    moreButton.hidden = !nextToken;
    statusLine.textContent = shown === 0 ? 'No screenings match.' :
        shown + (shown === 1 ? ' screening' : ' screenings') +
        (nextToken ? ' shown, more available.' : '.');
  } catch (e) {
    statusLine.className = 'error';
    statusLine.textContent = 'Error: ' + e.message;
    throw e;
  }
}

function addField(list, name, value) {
  if (value === undefined || value === '') return;
  list.append(el('dt', name), el('dd', value));
}

async function showDetail(hitId) {
  const hit = await getJson('/api/hits/' + encodeURIComponent(hitId));
  for (const row of tbody.querySelectorAll('tr.hit')) {
    row.classList.toggle('selected', row.dataset.hitId === hitId);
  }
  document.getElementById('detail-id').textContent = hit.hit_id;
  const fields = document.getElementById('detail-fields');
  fields.replaceChildren();
  addField(fields, 'Transfer', hit.transfer_id);
  addField(fields, 'Caller', hit.caller);
  addField(fields, 'Screened at', vnTime(hit.screened_at) + ' +07');
  fields.append(el('dt', 'Decision'), el('dd'));
  fields.lastChild.append(badge(hit.decision), ' score ' + (hit.score || 0));
  addField(fields, 'Amount', amountText(hit.amount, hit.currency));
  addField(fields, 'Beneficiary',
           identifierText(hit.beneficiary) || '(keyed hash only)');
  addField(fields, 'List version', String(hit.list_version || 0));
  const reasons = document.getElementById('reasons');
  reasons.replaceChildren();
  for (const r of hit.reasons || []) {
    const item = el('li', undefined, 'reason');
    const reports = Number(r.report_count || 0);
    item.append(
        el('div', r.code, 'code'),
        el('div', (r.points || 0) + ' points · ' + reports +
                      (reports === 1 ? ' report' : ' reports') + ' · ' +
                      (r.categories || []).join(', '), 'facts'),
        el('div', identifierText(r.identifier)),
        el('div', r.detail || '', 'facts'));
    reasons.append(item);
  }
  document.getElementById('no-reasons').hidden = reasons.children.length > 0;
  const verdicts = document.getElementById('verdicts');
  verdicts.replaceChildren();
  for (const v of hit.outcome_history || []) {
    verdicts.append(el('li', vnTime(v.at) + ' ' + v.outcome + ' by ' + v.by +
                                 (v.note ? ': ' + v.note : '')));
  }
  if (!verdicts.children.length) verdicts.append(el('li', 'No verdict yet.'));
  document.getElementById('detail').hidden = false;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function drawChart() {
  const f = new FormData(form);
  const lastDay = f.get('to') || vnToday();
  const firstDay = f.get('from') || addDays(lastDay, -13);
  const stats = await getJson('/api/stats?' + new URLSearchParams(
      {from: firstDay, to: addDays(lastDay, 1), top_n: '1'}));
  const byDay = new Map();
  for (const d of stats.by_day || []) {
    const counts = {};
    for (const c of d.by_decision || []) {
      counts[decisionName(c.decision)] = Number(c.count || 0);
    }
    byDay.set(d.day, counts);
  }
  const days = [];
  for (let d = firstDay; d <= lastDay && days.length < 366; d = addDays(d, 1)) {
    days.push(d);
  }
  const total = (d) => DECISIONS.reduce((s, k) => s + ((byDay.get(d) || {})[k] || 0), 0);
  const max = Math.max(1, ...days.map(total));
  const W = 1000, H = 170, top = 10, bottom = 22, left = 40;
  const chart = svg('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img',
                            'aria-label': 'decisions per day'});
  const step = (W - left) / days.length;
  const scale = (H - top - bottom) / max;
  chart.append(svg('text', {x: 0, y: top + 8, class: 'axis'}, String(max)),
               svg('text', {x: 0, y: H - bottom, class: 'axis'}, '0'));
  days.forEach((day, i) => {
    let y = H - bottom;
    const counts = byDay.get(day) || {};
    for (const k of DECISIONS) {
      const h = (counts[k] || 0) * scale;
      if (h > 0) {
        const bar = svg('rect', {x: left + i * step + step * 0.15, y: y - h,
                                 width: step * 0.7, height: h, fill: COLORS[k]});
        bar.append(svg('title', {}, `${day} ${k}: ${counts[k]}`));
        chart.append(bar);
        y -= h;
      }
    }
    if (days.length <= 16 || i % Math.ceil(days.length / 16) === 0) {
      chart.append(svg('text', {x: left + i * step + step / 2, y: H - 6,
                                'text-anchor': 'middle', class: 'axis'},
                       day.slice(5)));
    }
  });
  document.getElementById('chart').replaceChildren(chart);
  const legend = document.getElementById('legend');
  legend.replaceChildren();
  for (const k of DECISIONS) {
    const item = el('span', k.toLowerCase());
    item.style.setProperty('--swatch', COLORS[k]);
    legend.append(item);
  }
  legend.append(el('span', (stats.screenings || 0) + ' screenings in the window'));
}

async function refresh() {
  document.body.dataset.state = 'loading';
  try {
    await Promise.all([search(false), drawChart()]);
    const hit = new URLSearchParams(location.search).get('hit');
    if (hit) await showDetail(hit);
    document.body.dataset.state = 'ready';
  } catch (e) {
    document.body.dataset.state = 'error';
    statusLine.className = 'error';
    statusLine.textContent = 'Error: ' + e.message;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  urlFromForm();
  refresh();
});
moreButton.addEventListener('click', () => search(true).catch(() => {}));
formFromUrl();
refresh();
