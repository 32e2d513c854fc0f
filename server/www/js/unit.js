// unit.js — a unit's inbox: its tickets by state, nearest deadline first,
// with green/yellow/red countdowns; the ticket page shows exactly the actions
// this unit may take now, as lead or as assist.

import { api, listTickets, qs, reference, session, updateSession } from './api.js';
import { deadlineCell, renderTicket, statusBadge, urgencyBadge } from './ticket.js';
import { $, fill, fmtTime, guarded, h, topbar } from './ui.js';

const TABS = [
  { id: 'dispatched', label: '待签收', q: { status: 'dispatched', as: 'lead' } },
  { id: 'accepted', label: '办理中', q: { status: 'accepted', as: 'lead' } },
  { id: 'assist', label: '协办', q: { status: 'accepted', as: 'assist' } },
  { id: 'return_requested', label: '退单审核中', q: { status: 'return_requested', as: 'lead' } },
  { id: 'suspended', label: '挂账', q: { status: 'suspended', as: 'lead' } },
  { id: 'replied', label: '待回访', q: { status: 'replied', as: 'lead' } },
  { id: 'overdue', label: '超时', q: { status: 'dispatched,accepted,return_requested', overdue: 'true' } },
  { id: 'closed', label: '已结案', q: { status: 'closed', as: 'lead' } },
];

const bar = topbar({ workspace: 'unit' });
let ref = null;
let items = [];
let current = null; // the ticket on the right
const counts = {};

function hashState() {
  const p = new URLSearchParams(location.hash.slice(1));
  return { tab: TABS.some((t) => t.id === p.get('tab')) ? p.get('tab') : 'dispatched', t: p.get('t') };
}

function setHash(tab, t) {
  const p = new URLSearchParams({ tab });
  if (t) p.set('t', t);
  history.replaceState(null, '', '#' + p.toString());
}

function learnUnit(code, name) {
  const s = session();
  if (s && !s.unit && code) {
    updateSession({ unit: code, unitName: name });
    bar.setWho(name);
  }
}

// ------------------------------------------------------------------ list

function renderChips() {
  const { tab } = hashState();
  fill($('#chips'), TABS.map((t) => h('button', {
    'aria-pressed': t.id === tab ? 'true' : 'false', 'data-tab': t.id,
    onclick: () => { setHash(t.id, hashState().t); renderChips(); loadList(); },
  }, t.label, counts[t.id] !== undefined ? h('span', { class: 'n' }, ' ' + counts[t.id]) : null)));
}

function renderList() {
  const { tab, t: sel } = hashState();
  const rows = items.map((t) => h('tr', {
    class: 'clickable' + (t.number === sel ? ' selected' : ''), 'data-number': t.number, tabindex: 0,
    onclick: () => openTicket(t.number),
    onkeydown: (e) => { if (e.key === 'Enter') openTicket(t.number); },
  },
  h('td', {}, deadlineCell(t)),
  h('td', {}, h('div', { class: 'mono small' }, t.number),
    h('div', { class: 'title-cell' }, urgencyBadge(t.urgency), ' ', t.title || (t.category ? t.category.name : ''))),
  h('td', { class: 'small' }, h('div', {}, t.category ? t.category.name : ''), h('div', { class: 'muted' }, t.area ? t.area.name : '')),
  h('td', {}, statusBadge(t.status)),
  h('td', { class: 'mono small muted' }, fmtTime(t.dispatched_at || t.created_at, { short: true }))));
  fill($('#list'), rows.length ? h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, h('th', {}, '时限'), h('th', {}, '工单'), h('th', {}, '分类 / 地点'), h('th', {}, '状态'), h('th', {}, '派单'))),
    h('tbody', {}, rows)) : h('div', { class: 'empty' }, `没有「${TABS.find((x) => x.id === tab).label}」的工单。`));
}

async function loadList() {
  const { tab } = hashState();
  const def = TABS.find((t) => t.id === tab);
  await guarded(async () => {
    const r = await listTickets({ ...def.q, sort: 'deadline' }, 200);
    items = r.items;
    $('#list-note').textContent = r.more ? '（仅显示前 200 件）' : '';
    if (def.q.as === 'lead' && items.length) learnUnit(items[0].lead_unit.code, items[0].lead_unit.name);
    renderList();
  }, { retry: loadList });
}

async function loadCounts() {
  await guarded(async () => {
    const all = await Promise.all(TABS.map((t) => listTickets({ ...t.q }, 200)));
    TABS.forEach((t, i) => { counts[t.id] = all[i].items.length + (all[i].more ? '+' : ''); });
    renderChips();
  }, { retry: loadCounts });
}

// ------------------------------------------------------------------ one ticket

/**
 * Whether this unit leads or assists t.  The unit's code is learned from its
 * own lists; until then, the list scoped to this token answers whether it
 * leads the ticket (as=lead, narrowed to the ticket's intake instant).
 */
async function partyOf(t) {
  const s = session();
  if (s.unit) {
    if (t.lead_unit && t.lead_unit.code === s.unit) return 'lead';
    return (t.assists || []).some((a) => a.unit.code === s.unit) ? 'assist' : null;
  }
  const from = t.created_at;
  const to = new Date(Date.parse(from) + 1).toISOString();
  const r = await api('GET', '/api/v1/tickets' + qs({ as: 'lead', from, to, limit: 200 }));
  if (r.items.some((x) => x.id === t.id)) {
    learnUnit(t.lead_unit.code, t.lead_unit.name);
    return 'lead';
  }
  if ((t.assists || []).length === 1) learnUnit(t.assists[0].unit.code, t.assists[0].unit.name);
  return 'assist';
}

async function openTicket(number) {
  setHash(hashState().tab, number);
  for (const tr of document.querySelectorAll('#list tr[data-number]')) tr.classList.toggle('selected', tr.dataset.number === number);
  const detail = $('#detail');
  const load = () => guarded(async () => {
    const t = await api('GET', '/api/v1/tickets/' + encodeURIComponent(number));
    const party = await partyOf(t);
    current = t;
    const ctx = {
      party, ref, me: { unit: session().unit },
      reload: () => load(),
      onChanged: (nt) => {
        current = nt;
        renderTicket(detail, nt, { ...ctx, me: { unit: session().unit } });
        loadList();
        loadCounts();
      },
    };
    renderTicket(detail, t, ctx);
    $('#reload-ticket').classList.remove('hidden');
    $('#reload-ticket').onclick = () => load();
  }, { retry: () => load() });
  await load();
}

// ------------------------------------------------------------------ start

async function init() {
  ref = await guarded(reference, { retry: init });
  if (!ref) return;
  renderChips();
  await loadList();
  loadCounts();
  const { t } = hashState();
  if (t) openTicket(t);
  $('#refresh').addEventListener('click', () => { loadList(); loadCounts(); });
  setInterval(renderList, 30000); // countdowns move
  setInterval(() => { loadList(); loadCounts(); }, 60000);
}

document.title = (session()?.unitName ? session().unitName + ' · ' : '') + document.title;
init();
