// operator.js — the 12345 centre's console: intake while on the phone,
// the dispatch queue, return/extension review and the callback worklist.

import { api, listTickets, reference } from './api.js';
import { CHANNEL, NATURE, OPEN_STATUSES, URGENCY } from './labels.js';
import { picker } from './picker.js';
import {
  actionFormFor, deadlineCell, renderTicket, runAction, statusBadge, unitSelect, urgencyBadge,
} from './ticket.js';
import {
  $, $$, clearFormErrors, fill, fmtSpan, fmtTime, groupNumber, guarded, h, markField, showError,
  topbar,
} from './ui.js';

const TABS = [
  { id: 'intake', label: '受理', href: '#intake', key: 'Alt+1' },
  { id: 'dispatch', label: '派单', href: '#dispatch', key: 'Alt+2' },
  { id: 'review', label: '退单/延期审核', href: '#review', key: 'Alt+3' },
  { id: 'callback', label: '回访', href: '#callback', key: 'Alt+4' },
];
const viewOf = () => (TABS.find((t) => '#' + t.id === location.hash) || TABS[0]).id;
const bar = topbar({ workspace: 'operator', tabs: TABS, active: viewOf() });
let ref = null;

// ------------------------------------------------------------------ drawer (one ticket)

let drawer = null;

function closeDrawer() {
  if (drawer) drawer.el.remove();
  drawer = null;
}

async function openDrawer(ref_) {
  closeDrawer();
  const content = h('div', { class: 'content' }, h('div', { class: 'empty' }, '加载中…'));
  const el = h('aside', { class: 'drawer', 'data-testid': 'drawer', 'aria-label': '工单详情' },
    h('header', {}, h('h2', {}, '工单详情'), h('span', { class: 'grow' }),
      h('button', { class: 'small', onclick: () => load() }, '刷新'),
      h('button', { class: 'small', onclick: closeDrawer, title: '关闭 (Esc)' }, '关闭')),
    content);
  document.body.append(el);
  drawer = { el };
  const ctx = {
    party: 'centre', ref,
    reload: () => load(),
    onChanged: (nt) => { renderTicket(content, nt, ctx); refreshView(); refreshCounts(); },
  };
  const load = () => guarded(async () => {
    const t = await api('GET', '/api/v1/tickets/' + encodeURIComponent(ref_));
    renderTicket(content, t, ctx);
  });
  await load();
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && drawer && !document.querySelector('.dialog-backdrop')) {
    if (!e.target.closest || !e.target.closest('.action-form, .picker')) closeDrawer();
  }
});

function numberLink(t) {
  return h('a', {
    href: '#', class: 'mono', 'data-number': t.number,
    onclick: (e) => { e.preventDefault(); openDrawer(t.number); },
  }, t.number);
}

// ------------------------------------------------------------------ intake

const form = $('#intake');
let catPicker;
let areaPicker;
let idemKey = crypto.randomUUID();
let callStarted = Date.now();

function buildIntake() {
  fill($('#nature'), Object.entries(NATURE).map(([v, l], i) => h('label', {},
    h('input', { type: 'radio', name: 'nature', value: v, checked: i === 0 }), h('span', {}, l))));
  fill($('#urgency'), Object.entries(URGENCY).map(([v, l]) => h('label', {},
    h('input', { type: 'radio', name: 'urgency', value: v, checked: v === 'normal' }), h('span', {}, l))));
  fill($('#channel'), Object.entries(CHANNEL).map(([v, l]) => h('option', { value: v }, l)));

  catPicker = picker($('#category'), ref.categories.map((c) => ({ code: c.code, name: c.name, path: c.path })),
    { onChange: checkDuplicates });
  const places = ref.units.filter((u) => ['district', 'street', 'community', 'grid'].includes(u.kind));
  areaPicker = picker($('#area'), places.map((u) => ({ code: u.code, name: u.name, path: u.path })),
    { onChange: checkDuplicates });

  $('#anonymous').addEventListener('change', syncAnonymous);
  $('#new-call').addEventListener('click', newCall);
  form.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.isComposing) return;
    const t = e.target;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      form.requestSubmit();
    } else if (t.tagName !== 'TEXTAREA' && t.tagName !== 'BUTTON' && t.tagName !== 'SELECT') {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saveIntake();
  });
  setInterval(() => {
    $('#call-clock').textContent = '本次来电 ' + fmtSpan(Date.now() - callStarted);
  }, 15000);
}

function syncAnonymous() {
  const anon = $('#anonymous').checked;
  for (const id of ['phone', 'name']) {
    const el = $('#' + id);
    el.disabled = anon;
    if (anon) el.value = '';
  }
  $('#confidential').disabled = anon;
  $('#callback_wanted').disabled = anon;
  if (anon) {
    $('#confidential').checked = false;
    $('#callback_wanted').checked = false;
  }
}

function newCall() {
  form.reset();
  catPicker.clear();
  areaPicker.clear();
  syncAnonymous();
  clearFormErrors(form);
  idemKey = crypto.randomUUID();
  callStarted = Date.now();
  $('#call-clock').textContent = '';
  fill($('#dups'), h('div', { class: 'empty' }, '选好分类和地点后，这里列出同类同地 7 日内的未结工单。'));
  setView('intake');
  $('#phone').focus();
}

function dupItem(d, reason) {
  const why = reason === 'same_phone' ? '同一来电号码' : reason === 'same_place' ? '同类同地' : null;
  return h('li', { 'data-number': d.number, onclick: () => openDrawer(d.number), title: '查看工单' },
    h('div', { class: 'top' }, h('span', { class: 'mono' }, d.number), statusBadge(d.status),
      why ? h('span', { class: 'badge warn' }, why) : null),
    h('div', {}, d.title || ''),
    h('div', { class: 't' }, fmtTime(d.created_at)));
}

let dupSeq = 0;

/** Before saving: open tickets of the same category in the same community in the last 7 days. */
async function checkDuplicates() {
  const cat = catPicker.value();
  const area = areaPicker.value();
  const box = $('#dups');
  if (!cat || !area) {
    fill(box, h('div', { class: 'empty' }, '选好分类和地点后，这里列出同类同地 7 日内的未结工单。'));
    return;
  }
  const mine = ++dupSeq;
  fill(box, h('div', { class: 'empty' }, '查询中…'));
  await guarded(async () => {
    const { items } = await listTickets({
      status: OPEN_STATUSES.join(','), category: cat.code, area: area.code.slice(0, 12),
      from: new Date(Date.now() - 7 * 86400000).toISOString(),
    }, 20);
    if (mine !== dupSeq) return;
    if (!items.length) {
      fill(box, h('div', { class: 'empty', 'data-testid': 'no-dups' }, `「${area.name}」7 日内没有未结的「${cat.name}」工单。`));
      return;
    }
    fill(box, h('div', { class: 'body small muted', style: { paddingBottom: '4px' } },
      `「${area.name}」7 日内未结的「${cat.name}」工单 ${items.length} 件，可能是同一件事：`),
    h('ul', { class: 'dups' }, items.map((d) => dupItem(d, 'same_place'))));
  }, { retry: checkDuplicates });
}

function intakeBody() {
  const f = form.elements;
  const anon = f.anonymous.checked;
  const body = {
    channel: f.channel.value,
    nature: form.querySelector('input[name="nature"]:checked')?.value,
    urgency: form.querySelector('input[name="urgency"]:checked')?.value || 'normal',
    category: catPicker.value()?.code,
    description: f.description.value.trim(),
    callback_wanted: !anon && f.callback_wanted.checked,
  };
  const area = areaPicker.value();
  if (area) body.area = area.code;
  for (const k of ['address', 'title']) if (f[k].value.trim()) body[k] = f[k].value.trim();
  if (anon) body.caller = { anonymous: true };
  else {
    body.caller = { phone: f.phone.value.trim(), anonymous: false, confidential: f.confidential.checked };
    if (f.name.value.trim()) body.caller.name = f.name.value.trim();
  }
  return body;
}

async function saveIntake() {
  clearFormErrors(form);
  if (!catPicker.value()) {
    markField(form, 'category', $('#category').value ? '请从列表中选择分类' : '请选择分类');
    return;
  }
  if ($('#area').value.trim() && !areaPicker.value()) {
    markField(form, 'area', '请从列表中选择地点，或清空');
    return;
  }
  if (!form.elements.description.value.trim()) {
    markField(form, 'description', '请填写诉求内容');
    return;
  }
  const body = intakeBody();
  const btn = $('#save');
  btn.disabled = true;
  try {
    const t = await api('POST', '/api/v1/tickets', body, { headers: { 'Idempotency-Key': idemKey } });
    showSaved(t);
    newCall();
    refreshCounts();
  } catch (err) {
    showError(err, { form, retry: saveIntake });
  } finally {
    btn.disabled = false;
  }
}

function showSaved(t) {
  const panel = $('#saved');
  const dups = t.possible_duplicates || [];
  const route = t.status === 'dispatched'
    ? h('div', { class: 'route' }, '已按规则直派：', h('b', {}, t.lead_unit ? t.lead_unit.name : ''))
    : h('div', { class: 'route' }, '已进入派单队列，请尽快派单。');
  fill(panel,
    h('header', {}, h('h2', {}, '受理成功'), statusBadge(t.status), h('span', { class: 'grow' }),
      h('span', { class: 'muted small' }, fmtTime(t.created_at))),
    h('div', { class: 'saved' },
      h('div', { class: 'big-label' }, '工单号（请向来电人读出）'),
      h('div', { class: 'big', 'data-testid': 'saved-number', 'data-number': t.number }, groupNumber(t.number)),
      h('div', { class: 'big-label' }, '查询码'),
      h('div', { class: 'big code', 'data-testid': 'saved-code' }, t.query_code),
      h('div', { class: 'muted small' }, '凭工单号和查询码可在「市民查询」页查看办理进度'),
      route,
      h('div', { class: 'row', style: { justifyContent: 'center', marginTop: '12px' } },
        h('button', { class: 'primary', onclick: newCall }, '下一个来电 ', h('kbd', {}, 'F2')),
        h('button', { onclick: () => openDrawer(t.number) }, '查看工单'),
        t.status === 'pending_dispatch' ? h('button', { onclick: () => setView('dispatch') }, '去派单') : null)),
    dups.length ? h('div', {},
      h('div', { class: 'body small', style: { color: 'var(--yellow)', paddingBottom: '4px' } },
        `可能重复（${dups.length} 件）：同一号码或同类同地的未结工单，可在详情中合并`),
      h('ul', { class: 'dups', 'data-testid': 'possible-duplicates' }, dups.map((d) => dupItem(d, d.reason)))) : null);
  panel.classList.remove('hidden');
}

// ------------------------------------------------------------------ dispatch queue

function table(headers, rows, empty) {
  if (!rows.length) return h('div', { class: 'empty' }, empty);
  return h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { class: x.startsWith('#') ? 'num' : '' }, x.replace(/^#/, ''))))),
    h('tbody', {}, rows));
}

async function loadDispatch() {
  const { items } = await listTickets({ status: 'pending_dispatch', sort: 'deadline' }, 200);
  items.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  bar.setCount('dispatch', items.length, items.some((t) => (t.overdue || []).length));
  const rows = items.map((t) => {
    const suggested = t.area ? ref.streetOf(t.area.code) : null;
    const sel = unitSelect(ref, { suggested: suggested && suggested.code, testid: 'dispatch-unit' });
    const go = h('button', { class: 'primary small', 'data-testid': 'dispatch-go' }, '派单');
    const rowForm = h('td', {}, h('div', { class: 'row' }, sel, go));
    go.addEventListener('click', async () => {
      sel.classList.remove('invalid');
      if (!sel.value) {
        sel.classList.add('invalid');
        sel.focus();
        return;
      }
      go.disabled = true;
      await runAction(t, 'dispatch', { unit: sel.value }, { reload: refreshView, onChanged: refreshAll }, null);
      go.disabled = false;
    });
    sel.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); go.click(); } });
    return h('tr', { 'data-number': t.number },
      h('td', {}, numberLink(t)),
      h('td', { class: 'mono small' }, fmtTime(t.created_at, { short: true })),
      h('td', {}, urgencyBadge(t.urgency) || h('span', { class: 'faint' }, URGENCY[t.urgency])),
      h('td', {}, t.category ? t.category.name : '—'),
      h('td', {}, t.area ? t.area.name : h('span', { class: 'faint' }, '未填')),
      h('td', { class: 'title-cell', title: t.description || '' }, t.title || t.description || ''),
      h('td', {}, deadlineCell(t)),
      h('td', { class: 'small' }, suggested ? suggested.name : h('span', { class: 'faint' }, '无')),
      rowForm);
  });
  fill($('#dispatch-list'), table(['工单号', '受理时间', '紧急', '分类', '地点', '标题', '派单时限', '建议单位', '派往'],
    rows, '队列已清空：没有待派单的工单。'));
}

// ------------------------------------------------------------------ review

async function loadReview() {
  const [ret, acc] = await Promise.all([
    listTickets({ status: 'return_requested', sort: 'deadline' }, 200),
    listTickets({ status: 'accepted', sort: 'deadline' }, 1000),
  ]);
  const exts = acc.items.filter((t) => t.extension && t.extension.state === 'requested');
  bar.setCount('review', ret.items.length + exts.length);
  const detailed = await Promise.all(ret.items.slice(0, 50).map((t) =>
    api('GET', '/api/v1/tickets/' + encodeURIComponent(t.id))));
  const retRows = detailed.map((t) => {
    const ev = [...(t.events || [])].reverse().find((e) => e.action === 'request_return') || {};
    const sel = unitSelect(ref, { optional: true, exclude: t.lead_unit ? [t.lead_unit.code] : [], testid: 'return-unit' });
    const ctx = { reload: refreshView, onChanged: refreshAll };
    return h('tr', { 'data-number': t.number },
      h('td', {}, numberLink(t)),
      h('td', {}, t.lead_unit ? t.lead_unit.name : '—'),
      h('td', { class: 'title-cell', title: ev.note || '' }, ev.note || '—'),
      h('td', { class: 'mono small' }, fmtTime(ev.at, { short: true })),
      h('td', { class: 'small' }, `${t.category ? t.category.name : ''} · ${t.area ? t.area.name : ''}`),
      h('td', { class: 'num' }, t.return_count),
      h('td', {}, h('div', { class: 'row' }, sel,
        h('button', {
          class: 'primary small', 'data-action': 'approve_return',
          onclick: () => runAction(t, 'approve_return', sel.value ? { unit: sel.value } : {}, ctx, null),
        }, '同意退单'),
        h('button', { class: 'small', 'data-action': 'reject_return', onclick: () => runAction(t, 'reject_return', {}, ctx, null) }, '驳回'))));
  });
  fill($('#return-list'), table(['工单号', '申请单位', '退单理由', '申请时间', '分类 · 地点', '#已退', '处理（不改派则回到待派单）'],
    retRows, '没有待审核的退单申请。'));
  const extRows = exts.map((t) => {
    const ctx = { reload: refreshView, onChanged: refreshAll };
    return h('tr', { 'data-number': t.number },
      h('td', {}, numberLink(t)),
      h('td', {}, t.lead_unit ? t.lead_unit.name : '—'),
      h('td', { class: 'mono small' }, fmtTime(t.deadlines && t.deadlines.reply, { short: true })),
      h('td', { class: 'mono small' }, fmtTime(t.extension.until, { short: true })),
      h('td', { class: 'title-cell', title: t.extension.reason || '' }, t.extension.reason || '—'),
      h('td', {}, h('div', { class: 'row' },
        h('button', { class: 'primary small', 'data-action': 'approve_extension', onclick: () => runAction(t, 'approve_extension', {}, ctx, null) }, '同意延期'),
        h('button', { class: 'small', 'data-action': 'reject_extension', onclick: () => runAction(t, 'reject_extension', {}, ctx, null) }, '驳回'))));
  });
  fill($('#extension-list'), table(['工单号', '主办单位', '现办结时限', '申请延期至', '理由', '处理'], extRows, '没有待审核的延期申请。'));
}

// ------------------------------------------------------------------ callback worklist

async function loadCallback() {
  const { items } = await listTickets({ status: 'replied', sort: 'deadline' }, 200);
  bar.setCount('callback', items.length, items.some((t) => (t.overdue || []).includes('callback')));
  const rows = [];
  for (const t of items) {
    const c = t.caller || {};
    const caller = c.anonymous ? h('span', { class: 'faint' }, '匿名（无回访）')
      : h('span', {}, h('span', {}, c.name || '—'), ' ', h('span', { class: 'mono' }, c.phone || ''),
        c.confidential ? h('span', { class: 'badge warn', style: { marginLeft: '4px' } }, '保密') : null);
    const open = h('button', { class: 'primary small', 'data-testid': 'callback-open' }, '回访');
    const tr = h('tr', { 'data-number': t.number },
      h('td', {}, numberLink(t)),
      h('td', {}, t.lead_unit ? t.lead_unit.name : '—'),
      h('td', {}, caller),
      h('td', { class: 'title-cell', title: t.result || '' }, t.result || ''),
      h('td', { class: 'mono small' }, fmtTime(t.replied_at, { short: true })),
      h('td', {}, deadlineCell(t)),
      h('td', {}, open));
    const formRow = h('tr', { class: 'cb-row hidden' }, h('td', { colspan: 7 }));
    open.addEventListener('click', () => {
      const shown = !formRow.classList.contains('hidden');
      for (const r of $$('.cb-row')) r.classList.add('hidden');
      if (shown) return;
      const ctx = { party: 'centre', ref, reload: refreshView, onChanged: refreshAll };
      const f = actionFormFor('callback', t, ctx);
      fill(formRow.firstChild,
        h('div', { class: 'small muted' }, `${t.title || ''}　办理结果：`),
        h('div', { class: 'result-text', style: { margin: '2px 0 6px' } }, t.result || ''), f);
      formRow.classList.remove('hidden');
      const first = $('input', f);
      if (first) first.focus();
    });
    rows.push(tr, formRow);
  }
  fill($('#callback-list'), table(['工单号', '主办单位', '来电人', '办理结果', '办结时间', '回访时限', ''], rows,
    '没有待回访的工单。'));
}

// ------------------------------------------------------------------ views

const loaders = { intake: null, dispatch: loadDispatch, review: loadReview, callback: loadCallback };

function setView(id) {
  if (location.hash !== '#' + id) history.replaceState(null, '', '#' + id);
  for (const s of $$('[data-view]')) s.classList.toggle('hidden', s.dataset.view !== id);
  bar.setActive(id);
  refreshView();
}

function refreshView() {
  const id = viewOf();
  if (loaders[id]) return guarded(loaders[id], { retry: refreshView });
  return refreshCounts();
}

/** After an action: the current list and every tab's count. */
function refreshAll() {
  refreshView();
  refreshCounts();
}

async function refreshCounts() {
  await guarded(async () => {
    const [p, r, c, a] = await Promise.all([
      listTickets({ status: 'pending_dispatch' }, 200),
      listTickets({ status: 'return_requested' }, 200),
      listTickets({ status: 'replied' }, 200),
      listTickets({ status: 'accepted' }, 1000),
    ]);
    const ext = a.items.filter((t) => t.extension && t.extension.state === 'requested').length;
    const n = (x) => (x.items.length ? x.items.length + (x.more ? '+' : '') : 0);
    bar.setCount('dispatch', n(p), p.items.some((t) => (t.overdue || []).length));
    bar.setCount('review', r.items.length + ext);
    bar.setCount('callback', n(c), c.items.some((t) => (t.overdue || []).includes('callback')));
  }, { retry: refreshCounts });
}

window.addEventListener('hashchange', () => setView(viewOf()));
for (const b of $$('[data-refresh]')) b.addEventListener('click', refreshView);
document.addEventListener('keydown', (e) => {
  if (e.key === 'F2') {
    e.preventDefault();
    newCall();
  } else if (e.altKey && /^[1-4]$/.test(e.key)) {
    e.preventDefault();
    setView(TABS[Number(e.key) - 1].id);
  } else if (e.altKey && (e.key === 'k' || e.key === 'K')) {
    e.preventDefault();
    setView('intake');
    $('#category').focus();
  } else if (e.altKey && (e.key === 'l' || e.key === 'L')) {
    e.preventDefault();
    setView('intake');
    $('#area').focus();
  }
});

async function init() {
  ref = await guarded(reference, { retry: init });
  if (!ref) return;
  buildIntake();
  setView(viewOf());
  if (viewOf() === 'intake') $('#phone').focus();
  else refreshCounts();
  setInterval(refreshCounts, 30000);
}

init();
