// ticket.js — one ticket on screen: deadline lights (domain.md §4), the
// timeline, and exactly the actions the viewer may take now
// (docs/workflow-table.md), each sent with expected_version.

import { api } from './api.js';
import {
  ACTION, ASSIST_STATUS, CHANNEL, CLOCK, EXTENSION_STATE, KIND, NATURE, OPEN_STATUSES,
  SATISFACTION, STATUS, URGENCY,
} from './labels.js';
import {
  $, $$, clearFormErrors, countdown, fill, fmtTime, h, hideOffline, isoToLocalInput,
  localInputToIso, showError, toast,
} from './ui.js';

// ------------------------------------------------------------------ clocks

const CLOCKS = ['dispatch', 'accept', 'contact', 'reply', 'callback'];
const WARN_AT = 0.75;

/** Whether clock c runs now: the rule of minhu_clock_running() in sql/R_sla.sql. */
export function clockRunning(t, c) {
  const d = t.deadlines || {};
  if (t.status === 'suspended') return false;
  switch (c) {
    case 'dispatch': return t.status === 'pending_dispatch' && !!d.dispatch;
    case 'accept': return !!d.accept && !t.accepted_at && !!t.lead_unit &&
      ['dispatched', 'return_requested'].includes(t.status);
    case 'contact': return !!d.contact && !t.contacted_at && !!t.accepted_at &&
      ['accepted', 'return_requested'].includes(t.status);
    case 'reply': return !!d.reply && !t.replied_at && !!t.dispatched_at &&
      ['dispatched', 'accepted', 'return_requested'].includes(t.status);
    case 'callback': return t.status === 'replied' && !!d.callback;
    default: return false;
  }
}

const CLOCK_START = {
  dispatch: (t) => t.created_at,
  accept: (t) => t.dispatched_at,
  contact: (t) => t.accepted_at,
  reply: (t) => t.dispatched_at,
  callback: (t) => t.replied_at,
};

const CLOCK_DONE = {
  dispatch: (t) => t.dispatched_at,
  accept: (t) => t.accepted_at,
  contact: (t) => t.contacted_at,
  reply: (t) => t.replied_at,
  callback: (t) => t.closed_at,
};

/**
 * The light of one clock: green while under 75 % of its span, yellow from
 * 75 % (or when the server marked it warned), red once overdue.  Stopped
 * clocks are 'done' (red when they ran late) or 'paused' while suspended.
 */
export function clockState(t, c, now = Date.now()) {
  const due = (t.deadlines || {})[c];
  if (!due) return null;
  const dueMs = Date.parse(due);
  const marked = (t.overdue || []).includes(c);
  if (!clockRunning(t, c)) {
    if (t.status === 'suspended' && !CLOCK_DONE[c](t)) {
      return { clock: c, due, state: 'paused', text: '挂账暂停' };
    }
    const done = CLOCK_DONE[c](t);
    if (!done) return null;
    const late = marked || Date.parse(done) > dueMs;
    return { clock: c, due, state: late ? 'red done' : 'done', text: late ? '已完成（超时）' : '已完成' };
  }
  let state = 'green';
  if (marked || now > dueMs) state = 'red';
  else if ((t.warned || []).includes(c)) state = 'yellow';
  else {
    const start = Date.parse(CLOCK_START[c](t) || '');
    if (start && dueMs > start && now >= start + WARN_AT * (dueMs - start)) state = 'yellow';
  }
  return { clock: c, due, state, text: countdown(due, now) };
}

/** The running clock due soonest, for lists. */
export function nearestClock(t, now = Date.now()) {
  let best = null;
  for (const c of CLOCKS) {
    if (!clockRunning(t, c)) continue;
    const s = clockState(t, c, now);
    if (s && (!best || Date.parse(s.due) < Date.parse(best.due))) best = s;
  }
  return best;
}

/** The list cell for a ticket's deadline: a light with the countdown. */
export function deadlineCell(t, now = Date.now()) {
  const s = nearestClock(t, now);
  if (!s) {
    if (t.status === 'suspended') return h('span', { class: 'light paused' }, '挂账暂停');
    return h('span', { class: 'faint' }, '—');
  }
  return h('span', {
    class: 'light ' + s.state, 'data-light': s.state, title: `${CLOCK[s.clock]}时限 ${fmtTime(s.due)}`,
  }, h('span', { class: 'lbl' }, CLOCK[s.clock]), s.text);
}

export function statusBadge(status) {
  return h('span', { class: 'badge s-' + status, 'data-status': status }, STATUS[status] || status);
}

export function urgencyBadge(u) {
  if (!u || u === 'normal') return null;
  return h('span', { class: 'badge urg-' + u }, URGENCY[u] || u);
}

// ------------------------------------------------------------------ who may do what

const ANY_STATUS = Object.keys(STATUS);
const MAX_WHISTLE = 8;

function myAssist(t, me) {
  const list = t.assists || [];
  if (me && me.unit) return list.find((a) => a.unit && a.unit.code === me.unit) || null;
  return list.length === 1 ? list[0] : null;
}

function returnWindowOpen(t, now) {
  const d = (t.deadlines || {}).return_window;
  return !d || now <= Date.parse(d);
}

/**
 * Every action of docs/workflow-table.md with the party that takes it and the
 * statuses it starts from.  `when` hides an action the guards would refuse
 * for sure (a closed return window, a pending extension); `blocked` shows it
 * disabled with the reason (reply before contact).
 */
export const ACTIONS = [
  // the lead unit
  { id: 'accept', parties: ['lead'], from: ['dispatched'], primary: true },
  {
    id: 'contact', label: '记录先行联系', parties: ['lead'], from: ['accepted'],
    when: (t) => !t.contacted_at, primary: true,
    fields: [{ name: 'note', label: '联系情况（可选）', type: 'textarea', optional: true }],
  },
  {
    id: 'reply', parties: ['lead'], from: ['accepted'], primary: true,
    blocked: (t) => {
      if (!t.contacted_at && !(t.caller && t.caller.anonymous)) return '须先记录先行联系';
      const open = (t.assists || []).filter((a) => a.status !== 'replied');
      if (open.length) return '协办单位尚未全部反馈';
      return null;
    },
    fields: [{ name: 'result', label: '办理结果（将告知来电人）', type: 'textarea', required: true }],
  },
  {
    id: 'whistle', parties: ['lead'], from: ['accepted'],
    when: (t) => (t.assists || []).length < 16,
    fields: [
      { name: 'units', label: '吹哨部门（协办单位）', type: 'units', required: true },
      { name: 'note', label: '说明（可选）', type: 'textarea', optional: true },
    ],
  },
  {
    id: 'request_extension', parties: ['lead'], from: ['accepted'],
    when: (t, now) => {
      const e = t.extension;
      if (e && (e.state === 'requested' || e.state === 'approved')) return false;
      const d = (t.deadlines || {}).reply;
      return !d || now <= Date.parse(d);
    },
    fields: [
      { name: 'until', label: '延期至', type: 'datetime', required: true },
      { name: 'reason', label: '延期理由', type: 'textarea', required: true },
    ],
  },
  {
    id: 'request_return', parties: ['lead'], from: ['dispatched', 'accepted'],
    when: (t, now) => returnWindowOpen(t, now), danger: true,
    fields: [{ name: 'reason', label: '退单理由（非本单位职责的依据）', type: 'textarea', required: true }],
  },
  // an assist unit
  {
    id: 'assist_accept', parties: ['assist'], from: ['accepted'], primary: true,
    when: (t, now, me) => (myAssist(t, me) || {}).status === 'summoned',
  },
  {
    id: 'assist_reply', parties: ['assist'], from: ['accepted'], primary: true,
    when: (t, now, me) => (myAssist(t, me) || {}).status === 'accepted',
    fields: [{ name: 'note', label: '协办办理情况', type: 'textarea', required: true }],
  },
  // the centre
  {
    id: 'dispatch', parties: ['centre'], from: ['pending_dispatch'], primary: true,
    fields: [{ name: 'unit', label: '承办单位', type: 'unit', required: true }],
  },
  {
    id: 'callback', parties: ['centre'], from: ['replied'], primary: true,
    fields: [{ name: 'callback', type: 'callback' }],
  },
  { id: 'approve_extension', parties: ['centre'], from: ['accepted'], primary: true,
    when: (t) => t.extension && t.extension.state === 'requested' },
  { id: 'reject_extension', parties: ['centre'], from: ['accepted'],
    when: (t) => t.extension && t.extension.state === 'requested' },
  {
    id: 'approve_return', parties: ['centre'], from: ['return_requested'], primary: true,
    fields: [{ name: 'unit', label: '改派至（可选；不选则回到待派单）', type: 'unit', optional: true }],
  },
  {
    id: 'reject_return', parties: ['centre'], from: ['return_requested'],
    fields: [{ name: 'note', label: '驳回说明（可选）', type: 'textarea', optional: true }],
  },
  { id: 'answer', parties: ['centre'], from: ['pending_dispatch'],
    fields: [{ name: 'result', label: '答复内容', type: 'textarea', required: true }] },
  { id: 'resume', parties: ['centre'], from: ['suspended'], primary: true },
  { id: 'suspend', parties: ['centre'], from: ['accepted'],
    fields: [{ name: 'reason', label: '挂账理由', type: 'textarea', required: true }] },
  {
    id: 'reopen', parties: ['centre'], from: ['closed'],
    when: (t, now) => !t.closed_at || now - Date.parse(t.closed_at) <= 30 * 86400000,
    fields: [{ name: 'reason', label: '重办理由', type: 'textarea', required: true }],
  },
  { id: 'merge', parties: ['centre'], from: OPEN_STATUSES,
    fields: [{ name: 'into', label: '合并到工单号', type: 'text', required: true }] },
  { id: 'reject', parties: ['centre'], from: ['pending_dispatch'], danger: true,
    fields: [{ name: 'reason', label: '不予受理理由', type: 'textarea', required: true }] },
  { id: 'cancel', parties: ['centre'], from: OPEN_STATUSES, danger: true,
    fields: [{ name: 'reason', label: '撤销理由', type: 'textarea', required: true }] },
  { id: 'flag_unreasonable', parties: ['centre'], from: ANY_STATUS, danger: true,
    when: (t) => !t.unreasonable,
    fields: [{ name: 'reason', label: '认定理由', type: 'textarea', required: true }] },
  // everyone on the ticket
  { id: 'note', label: '添加备注', parties: ['centre', 'lead', 'assist'], from: OPEN_STATUSES,
    fields: [{ name: 'note', label: '备注（内部，不对市民公开）', type: 'textarea', required: true }] },
];

/** The actions `party` ('centre', 'lead', 'assist') may take on t now. */
export function availableActions(t, party, me = {}, now = Date.now()) {
  if (!party) return [];
  return ACTIONS.filter((a) => a.parties.includes(party) && a.from.includes(t.status) &&
    (!a.when || a.when(t, now, me)));
}

// ------------------------------------------------------------------ action forms

function unitOptions(ref, { exclude = [], kinds } = {}) {
  const groups = {};
  for (const u of ref.units) {
    if (u.kind === 'center' || exclude.includes(u.code)) continue;
    if (kinds && !kinds.includes(u.kind)) continue;
    (groups[u.kind] ||= []).push(u);
  }
  const order = ['street', 'department', 'enterprise', 'district', 'community', 'grid'];
  return order.filter((k) => groups[k]).map((k) => h('optgroup', { label: KIND[k] },
    groups[k].map((u) => h('option', { value: u.code }, u.name))));
}

/** A <select> of units, grouped by kind; `suggested` is preselected. */
export function unitSelect(ref, { name = 'unit', suggested, optional = false, exclude, testid } = {}) {
  const sel = h('select', { name, 'data-field': name, class: 'queue-unit', 'data-testid': testid },
    h('option', { value: '' }, optional ? '（不改派）' : '选择承办单位…'),
    unitOptions(ref, { exclude, kinds: ['street', 'department', 'enterprise', 'district'] }));
  if (suggested) sel.value = suggested;
  return sel;
}

function unitsChooser(ref, t) {
  const exclude = [t.lead_unit && t.lead_unit.code, ...(t.assists || []).map((a) => a.unit.code)];
  const search = h('input', { type: 'search', placeholder: '搜索部门、企业、街道…', 'aria-label': '搜索协办单位' });
  const box = h('div', { class: 'checks', 'data-field': 'units', style: { maxHeight: '150px', overflow: 'auto', border: '1px solid var(--line)', padding: '6px 8px', borderRadius: '4px', background: '#fff', alignItems: 'flex-start' } });
  const all = ref.units.filter((u) => ['department', 'enterprise', 'street', 'district'].includes(u.kind) &&
    !exclude.includes(u.code));
  all.sort((a, b) => ['department', 'enterprise', 'street', 'district'].indexOf(a.kind) -
    ['department', 'enterprise', 'street', 'district'].indexOf(b.kind));
  for (const u of all) {
    box.append(h('label', { 'data-name': u.name + ' ' + u.code, style: { minWidth: '190px' } },
      h('input', { type: 'checkbox', name: 'units', value: u.code }), u.name,
      h('span', { class: 'faint small' }, KIND[u.kind])));
  }
  search.addEventListener('input', () => {
    const q = search.value.trim();
    for (const l of $$('label', box)) l.classList.toggle('hidden', !!q && !l.dataset.name.includes(q));
  });
  return h('div', { class: 'stack' }, search, box);
}

function callbackFields(t) {
  if (t.caller && t.caller.anonymous) {
    return h('p', { class: 'muted' }, '匿名诉求无回访：提交即结案。');
  }
  const yesNo = (name, label) => h('div', { class: 'field' }, h('span', { class: 'label' }, label),
    h('div', { class: 'seg', 'data-field': name, role: 'radiogroup', 'aria-label': label },
      h('label', {}, h('input', { type: 'radio', name, value: 'true', required: true }), h('span', {}, '是')),
      h('label', {}, h('input', { type: 'radio', name, value: 'false' }), h('span', {}, '否'))));
  const sat = h('div', { class: 'seg', 'data-field': 'satisfaction', role: 'radiogroup', 'aria-label': '满意度' },
    [5, 4, 3, 2, 1].map((n) => h('label', { title: SATISFACTION[n] },
      h('input', { type: 'radio', name: 'satisfaction', value: String(n), required: n === 5 }),
      h('span', {}, `${n} ${SATISFACTION[n]}`))));
  return h('div', { class: 'stack' },
    h('div', { class: 'row wrap', style: { gap: '16px' } },
      yesNo('contacted', '① 承办单位是否联系了您'), yesNo('resolved', '② 问题是否解决')),
    h('div', { class: 'field' }, h('span', { class: 'label' }, '③ 对办理结果的满意度'), sat),
    h('label', { class: 'checks' }, h('input', { type: 'checkbox', name: 'reopen', 'data-field': 'reopen' }),
      '重办：因承办单位原因未解决或不满意，退回原单位重新办理'));
}

/** Reads the callback answers; null when one is missing (marked on the form). */
function readCallback(form, t) {
  if (t.caller && t.caller.anonymous) return {};
  const get = (n) => { const el = $(`input[name="${n}"]:checked`, form); return el ? el.value : null; };
  const body = {};
  for (const [n, label] of [['contacted', '是否联系'], ['resolved', '是否解决'], ['satisfaction', '满意度']]) {
    const v = get(n);
    if (v === null) {
      const seg = $(`[data-field="${n}"]`, form);
      seg.classList.add('invalid');
      seg.after(h('div', { class: 'field-error' }, `请选择${label}`));
      return null;
    }
    body[n] = n === 'satisfaction' ? Number(v) : v === 'true';
  }
  body.reopen = $('input[name="reopen"]', form).checked;
  return body;
}

function actionForm(a, t, ctx) {
  const form = h('form', { class: 'action-form', 'data-action': a.id, 'data-testid': 'action-form', novalidate: true },
    h('h3', {}, a.label || ACTION[a.id]), h('div', { class: 'error-slot' }));
  const controls = h('div', { class: 'stack' });
  for (const f of a.fields || []) {
    let ctl;
    if (f.type === 'textarea') {
      ctl = h('textarea', { name: f.name, 'data-field': f.name, rows: 3, required: !!f.required, maxlength: 2000 });
    } else if (f.type === 'unit') {
      const suggested = a.id === 'dispatch' && ctx.ref && t.area ? (ctx.ref.streetOf(t.area.code) || {}).code : null;
      ctl = unitSelect(ctx.ref, { name: f.name, optional: f.optional, suggested,
        exclude: a.id === 'approve_return' && t.lead_unit ? [t.lead_unit.code] : [] });
    } else if (f.type === 'units') {
      ctl = unitsChooser(ctx.ref, t);
    } else if (f.type === 'datetime') {
      const reply = (t.deadlines || {}).reply;
      const base = reply ? Date.parse(reply) : Date.now();
      ctl = h('input', { type: 'datetime-local', name: f.name, 'data-field': f.name, required: true,
        value: isoToLocalInput(new Date(base + 7 * 86400000).toISOString()) });
    } else if (f.type === 'callback') {
      ctl = callbackFields(t);
    } else {
      ctl = h('input', { type: 'text', name: f.name, 'data-field': f.name, required: !!f.required,
        inputmode: f.name === 'into' ? 'numeric' : null });
    }
    controls.append(f.type === 'callback' ? ctl :
      h('div', { class: 'field' }, h('label', {}, f.label, f.required ? h('span', { class: 'req' }, '*') : null), ctl));
  }
  const submit = h('button', { type: 'submit', class: a.danger ? 'danger' : 'primary', 'data-testid': 'action-submit' },
    '提交' + (a.label || ACTION[a.id]));
  form.append(controls, h('div', { class: 'row', style: { marginTop: '10px' } }, submit,
    h('button', { type: 'button', onclick: () => form.remove() }, '取消'),
    h('span', { class: 'faint small' }, h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter'), ' 提交')));
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    } else if (e.key === 'Escape') {
      form.remove();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const body = {};
    for (const f of a.fields || []) {
      if (f.type === 'callback') {
        const cb = readCallback(form, t);
        if (!cb) return;
        Object.assign(body, cb);
      } else if (f.type === 'units') {
        body.units = $$('input[name="units"]:checked', form).map((i) => i.value);
        if (!body.units.length || body.units.length > MAX_WHISTLE) {
          const box = $('[data-field="units"]', form);
          box.classList.add('invalid');
          box.after(h('div', { class: 'field-error' }, `请选择 1–${MAX_WHISTLE} 个协办单位`));
          return;
        }
      } else {
        const el = form.elements[f.name];
        let v = el.value.trim();
        if (f.type === 'datetime') v = localInputToIso(v);
        if (!v) {
          if (f.required) {
            el.classList.add('invalid');
            el.after(h('div', { class: 'field-error' }, '必填'));
            el.focus();
            return;
          }
          continue;
        }
        body[f.name] = v;
      }
    }
    submit.disabled = true;
    await runAction(t, a.id, body, ctx, form);
    submit.disabled = false;
  });
  return form;
}

/** The inline form of action `id` for ticket t (callback, dispatch, …). */
export function actionFormFor(id, t, ctx) {
  const a = ACTIONS.find((x) => x.id === id && x.parties.includes(ctx.party || 'centre'));
  return a ? actionForm(a, t, ctx) : null;
}

/** Sends one action with expected_version; re-renders on success. */
export async function runAction(t, action, body, ctx, form) {
  const send = async () => {
    const nt = await api('POST', `/api/v1/tickets/${encodeURIComponent(t.id)}/${action}`,
      { ...body, expected_version: t.version });
    hideOffline();
    toast(`已${ACTION[action] || action}：${nt.number}`, 'ok');
    if (ctx.onChanged) ctx.onChanged(nt, action);
    return nt;
  };
  try {
    return await send();
  } catch (err) {
    showError(err, { form, reload: ctx.reload, retry: () => runAction(t, action, body, ctx, form) });
    return null;
  }
}

// ------------------------------------------------------------------ the ticket

function actionBar(t, ctx) {
  const wrap = h('div', { 'data-testid': 'actions' });
  const now = Date.now();
  const acts = availableActions(t, ctx.party, ctx.me, now);
  if (!acts.length) {
    wrap.append(h('div', { class: 'no-actions', 'data-testid': 'no-actions' },
      ctx.party ? '当前状态下没有可执行的操作。' : '只读：本令牌不能对此工单操作。'));
    return wrap;
  }
  const bar = h('div', { class: 'actions' });
  const formSlot = h('div');
  for (const a of acts) {
    const why = a.blocked ? a.blocked(t) : null;
    const btn = h('button', {
      class: (a.primary ? 'primary' : a.danger ? 'danger' : '') + ' action',
      'data-action': a.id, disabled: !!why, title: why || null,
    }, a.label || ACTION[a.id]);
    btn.addEventListener('click', async () => {
      if (!a.fields) {
        btn.disabled = true;
        await runAction(t, a.id, {}, ctx, null);
        btn.disabled = false;
        return;
      }
      const existing = $('form.action-form', formSlot);
      if (existing && existing.dataset.action === a.id) {
        existing.remove();
        return;
      }
      const f = actionForm(a, t, ctx);
      fill(formSlot, f);
      const first = $('textarea, input:not([type=radio]):not([type=checkbox]), select, input[type=radio]', f);
      if (first) first.focus();
    });
    bar.append(btn);
  }
  wrap.append(bar);
  const blocked = acts.map((a) => a.blocked && a.blocked(t)).filter(Boolean);
  for (const b of blocked) wrap.append(h('div', { class: 'action-hint', 'data-testid': 'action-hint' }, '办结反馈：' + b));
  wrap.append(formSlot);
  return wrap;
}

function callerText(c) {
  if (!c) return '—';
  if (c.anonymous) return '匿名';
  const parts = [c.name, c.phone].filter(Boolean);
  let s = parts.length ? parts.join(' ') : '（不向承办单位显示）';
  if (c.confidential) s += '（保密）';
  return s;
}

function eventDetail(e, ref) {
  const d = e.data || {};
  const name = (c) => (ref ? ref.unitName(c) : c);
  const bits = [];
  if (e.action === 'dispatch' || e.action === 'approve_return') {
    if (d.unit) bits.push('派往 ' + name(d.unit));
  }
  if (e.action === 'whistle' && d.units) bits.push('协办：' + d.units.map(name).join('、'));
  if (e.action === 'request_extension' && d.until) bits.push('延期至 ' + fmtTime(d.until));
  if (e.action === 'callback' && 'contacted' in d) {
    bits.push(`联系：${d.contacted ? '是' : '否'}；解决：${d.resolved ? '是' : '否'}；满意度：${d.satisfaction} ${SATISFACTION[d.satisfaction] || ''}`);
  }
  if (e.action === 'callback' && d.reopen) bits.push('重办');
  if (e.action === 'merge' && d.into) bits.push('并入 ' + d.into);
  if (e.action.startsWith('sla_') && d.clock) bits.push((CLOCK[d.clock] || d.clock) + '时限 ' + fmtTime(d.deadline));
  return bits.join('；');
}

/** The timeline of events, oldest first. */
export function timeline(events, ref) {
  if (!events || !events.length) return h('div', { class: 'empty' }, '暂无记录');
  return h('ol', { class: 'timeline', 'data-testid': 'timeline' }, events.map((e) => {
    const sys = e.action.startsWith('sla_');
    const label = sys && e.data && e.data.clock ? `${CLOCK[e.data.clock] || ''}${ACTION[e.action]}` : (ACTION[e.action] || e.action);
    const detail = eventDetail(e, ref);
    const cls = sys ? (e.action === 'sla_warning' ? 'sys' : 'bad') : (['closed', 'answered'].includes(e.to) ? 'done' : '');
    return h('li', { class: cls, 'data-action': e.action },
      h('div', { class: 'row' }, h('span', { class: 'what' }, label),
        e.from && e.to && e.from !== e.to ? h('span', { class: 'small muted' }, `${STATUS[e.from] || e.from} → ${STATUS[e.to] || e.to}`) : null,
        h('span', { class: 'grow' }), h('span', { class: 'when' }, fmtTime(e.at))),
      h('div', { class: 'who' }, [e.actor === 'system' ? '系统' : e.actor, e.unit && !sys ? (ref ? ref.unitName(e.unit) : e.unit) : null].filter(Boolean).join(' · ')),
      detail ? h('div', { class: 'note' }, detail) : null,
      e.note ? h('div', { class: 'note' }, e.note) : null);
  }));
}

function clocksView(t) {
  const now = Date.now();
  const cells = [];
  for (const c of CLOCKS) {
    const s = clockState(t, c, now);
    if (!s) continue;
    cells.push(h('div', { class: 'clock ' + s.state.split(' ')[0], 'data-clock': c, 'data-light': s.state.split(' ')[0] },
      h('div', { class: 'name' }, CLOCK[c] + '时限'),
      h('div', { class: 'light ' + s.state.split(' ')[0] }, s.text),
      h('div', { class: 'due' }, fmtTime(s.due))));
  }
  const rw = (t.deadlines || {}).return_window;
  if (rw && ['dispatched', 'accepted'].includes(t.status)) {
    const open = now <= Date.parse(rw);
    cells.push(h('div', { class: 'clock' }, h('div', { class: 'name' }, '可退单至'),
      h('div', { class: open ? '' : 'muted' }, open ? countdown(rw, now) : '已过退单期'),
      h('div', { class: 'due' }, fmtTime(rw))));
  }
  return cells.length ? h('div', { class: 'clocks', 'data-testid': 'clocks' }, cells) : null;
}

/**
 * Renders ticket t into el.  ctx: {party: 'centre'|'lead'|'assist'|null,
 * me: {unit}, ref (reference data), reload(), onChanged(newTicket, action)}.
 */
export function renderTicket(el, t, ctx) {
  const ref = ctx.ref;
  const assists = t.assists || [];
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, '分类'), h('dd', {}, t.category ? t.category.name : '—'),
    h('dt', {}, '性质'), h('dd', {}, `${NATURE[t.nature] || t.nature || '—'} · ${URGENCY[t.urgency] || ''}`),
    h('dt', {}, '地点'), h('dd', {}, t.area ? t.area.name : '—'),
    h('dt', {}, '渠道'), h('dd', {}, CHANNEL[t.channel] || t.channel || '—'),
    h('dt', {}, '详细地址'), h('dd', { class: 'wide' }, t.address || '—'),
    h('dt', {}, '主办单位'), h('dd', { 'data-testid': 'lead-unit' }, t.lead_unit ? t.lead_unit.name : '（待派单）'),
    h('dt', {}, '受理时间'), h('dd', {}, fmtTime(t.created_at)),
    h('dt', {}, '来电人'), h('dd', { 'data-testid': 'caller' }, callerText(t.caller)),
    h('dt', {}, '回访'), h('dd', {}, t.callback_wanted ? '需要回访' : '无需回访'));

  const flags = [];
  if (t.problem) flags.push(h('span', { class: 'badge bad' }, '问题工单'));
  if (t.unreasonable) flags.push(h('span', { class: 'badge' }, '不合理诉求'));
  if (t.reopen_count) flags.push(h('span', { class: 'badge warn' }, `重办 ${t.reopen_count}`));
  if (t.return_count) flags.push(h('span', { class: 'badge warn' }, `退单 ${t.return_count}`));
  for (const c of t.overdue || []) flags.push(h('span', { class: 'badge bad' }, `${CLOCK[c] || c}超时`));

  const blocks = [
    h('div', { class: 'ticket-head' },
      h('span', { class: 'number', 'data-testid': 'ticket-number' }, t.number), statusBadge(t.status),
      urgencyBadge(t.urgency), flags, h('span', { class: 'grow' }),
      h('span', { class: 'faint small mono' }, 'v' + t.version),
      h('h2', {}, t.title || (t.category ? t.category.name : '（无标题）'))),
    h('div', { class: 'section-title' }, '可执行操作'),
    actionBar(t, ctx),
    h('div', { class: 'section-title' }, '诉求'),
    facts,
    h('div', { class: 'desc', style: { marginTop: '8px' } }, t.description || ''),
  ];
  const clocks = clocksView(t);
  if (clocks) blocks.push(h('div', { class: 'section-title' }, '时限'), clocks);
  if (t.extension) {
    blocks.push(h('div', { class: 'section-title' }, '延期'),
      h('div', { 'data-testid': 'extension' }, h('span', { class: 'badge ' + (t.extension.state === 'requested' ? 'warn' : t.extension.state === 'approved' ? 'good' : '') },
        EXTENSION_STATE[t.extension.state] || t.extension.state), ' 延期至 ', fmtTime(t.extension.until),
      t.extension.reason ? h('div', { class: 'muted' }, '理由：' + t.extension.reason) : null));
  }
  if (assists.length) {
    blocks.push(h('div', { class: 'section-title' }, '协办单位（吹哨报到）'),
      h('table', { class: 'list', 'data-testid': 'assists' }, h('thead', {}, h('tr', {}, h('th', {}, '单位'), h('th', {}, '状态'), h('th', {}, '报到时限'))),
        h('tbody', {}, assists.map((a) => h('tr', {}, h('td', {}, a.unit.name),
          h('td', {}, h('span', { class: 'badge ' + (a.status === 'replied' ? 'good' : a.status === 'summoned' ? 'warn' : '') }, ASSIST_STATUS[a.status] || a.status)),
          h('td', { class: 'mono small' }, a.status === 'summoned' && a.due_at ? countdown(a.due_at) : fmtTime(a.due_at)))))));
  }
  if (t.result) {
    blocks.push(h('div', { class: 'section-title' }, '办理结果'),
      h('div', { class: 'desc result-text', 'data-testid': 'result' }, t.result));
  }
  if (t.callback) {
    const cb = t.callback;
    blocks.push(h('div', { class: 'section-title' }, '回访'),
      h('div', { 'data-testid': 'callback' }, `联系：${cb.contacted ? '是' : '否'}　解决：${cb.resolved ? '是' : '否'}　满意度：${cb.satisfaction ?? '—'} ${SATISFACTION[cb.satisfaction] || ''}　${fmtTime(cb.at)}`));
  }
  if (t.events) blocks.push(h('div', { class: 'section-title' }, '办理过程'), timeline(t.events, ref));
  fill(el, h('div', { class: 'ticket', 'data-number': t.number, 'data-status': t.status, 'data-version': t.version }, blocks));
}
