// ui.js — small DOM helpers, times, toasts, dialogs, the top bar, and the one
// place where every API refusal is shown to a person.

import { clearSession, session } from './api.js';
import { FIELD, translate } from './labels.js';

/** Creates an element: h('button', {class: 'primary', onclick}, 'text', child…). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'html') throw new Error('no raw HTML');
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// ------------------------------------------------------------------ times

const TZ = 'Asia/Shanghai';
const partsFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function parts(d) {
  const o = {};
  for (const p of partsFmt.formatToParts(d)) o[p.type] = p.value;
  return o;
}

/** "2026-11-22 14:05" (Asia/Shanghai); short: "11-22 14:05". */
export function fmtTime(iso, { short = false } = {}) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const p = parts(d);
  const hm = `${p.hour}:${p.minute}`;
  return short ? `${p.month}-${p.day} ${hm}` : `${p.year}-${p.month}-${p.day} ${hm}`;
}

/** The Asia/Shanghai month of a date: "2026-11". */
export function monthOf(d = new Date()) {
  const p = parts(d);
  return `${p.year}-${p.month}`;
}

/** "2天3小时", "3小时12分", "8分钟" for a span in milliseconds. */
export function fmtSpan(ms) {
  const m = Math.max(0, Math.floor(ms / 60000));
  const d = Math.floor(m / 1440);
  const hh = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  if (d > 0) return hh ? `${d}天${hh}小时` : `${d}天`;
  if (hh > 0) return mm ? `${hh}小时${mm}分` : `${hh}小时`;
  return `${mm}分钟`;
}

/** "剩 3小时12分" or "超时 1天2小时". */
export function countdown(dueIso, now = Date.now()) {
  const left = new Date(dueIso).getTime() - now;
  return left >= 0 ? `剩 ${fmtSpan(left)}` : `超时 ${fmtSpan(-left)}`;
}

/** An RFC 3339 time with the +08:00 offset, for a value of <input type=datetime-local>. */
export function localInputToIso(v) {
  if (!v) return null;
  const s = v.length === 16 ? v + ':00' : v;
  return s + '+08:00';
}

/** The value for <input type=datetime-local> of an instant, in Asia/Shanghai. */
export function isoToLocalInput(iso) {
  const p = parts(new Date(iso));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** Groups a ticket number for reading aloud: "20261122 0000 0001". */
export function groupNumber(n) {
  const s = String(n || '');
  return s.length > 8 ? s.slice(0, 8) + ' ' + s.slice(8).replace(/(\d{4})(?=\d)/g, '$1 ') : s;
}

// ------------------------------------------------------------------ toasts, dialogs

function toastBox() {
  let box = $('.toasts');
  if (!box) {
    box = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  return box;
}

export function toast(message, kind = 'info', ms = 3000) {
  const t = h('div', { class: 'toast ' + kind, 'data-testid': 'toast' }, message);
  toastBox().append(t);
  setTimeout(() => t.remove(), kind === 'error' ? ms * 2 : ms);
  return t;
}

/** A modal dialog; resolves with the value of the pressed button. */
export function dialog({ title, body, buttons, testid }) {
  return new Promise((resolve) => {
    const prev = document.activeElement;
    const close = (v) => {
      back.remove();
      document.removeEventListener('keydown', onKey, true);
      if (prev && prev.focus) prev.focus();
      resolve(v);
    };
    const onKey = (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close(null);
      }
    };
    const btns = buttons.map((b) => h('button', {
      class: b.primary ? 'primary' : '', onclick: () => close(b.value),
    }, b.label));
    const back = h('div', { class: 'dialog-backdrop' },
      h('div', { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', 'data-testid': testid },
        h('header', {}, title), h('div', { class: 'content' }, body), h('footer', {}, btns)));
    document.body.append(back);
    document.addEventListener('keydown', onKey, true);
    (btns.find((_, i) => buttons[i].primary) || btns[0]).focus();
  });
}

let conflictOpen = false;

/** 409 version_conflict: someone else changed the ticket. */
export async function conflictDialog(reload) {
  if (conflictOpen) return;
  conflictOpen = true;
  const v = await dialog({
    title: '工单已被他人修改，请刷新',
    body: h('p', {}, '在您操作期间，这张工单已被其他人（或系统时限）更新，本次操作未执行。刷新后查看最新内容再操作。'),
    buttons: [{ label: '取消', value: null }, { label: '刷新工单', value: 'reload', primary: true }],
    testid: 'conflict-dialog',
  });
  conflictOpen = false;
  if (v === 'reload' && reload) reload();
}

// ------------------------------------------------------------------ offline banner

let offline = null;

/**
 * Shows the offline banner.  Every request that failed registers its retry;
 * the button (and a timer, every 5 s) runs them all.
 */
export function showOffline(retry, message = '数据库离线或网络中断，本次操作未完成；恢复后可重试。') {
  if (!offline) {
    const timer = h('span', { class: 'small' });
    const btn = h('button', { class: 'small', 'data-testid': 'offline-retry' }, '立即重试');
    const el = h('div', { class: 'banner offline', role: 'alert', 'data-testid': 'offline-banner' },
      h('strong', {}, '服务暂不可用'), h('span', { class: 'grow' }, message), timer, btn);
    const host = $('#banner-host') || document.body;
    host.prepend(el);
    offline = { el, btn, timer, retries: new Set(), left: 5, interval: null };
    btn.addEventListener('click', () => runRetry());
    offline.interval = setInterval(() => {
      if (!offline) return;
      offline.left -= 1;
      if (offline.left <= 0) runRetry();
      else offline.timer.textContent = `${offline.left} 秒后自动重试`;
    }, 1000);
  }
  if (retry) offline.retries.add(retry);
  offline.left = 5;
  offline.timer.textContent = '5 秒后自动重试';
}

async function runRetry() {
  if (!offline) return;
  offline.left = 5;
  const all = [...offline.retries];
  offline.retries.clear();
  if (!all.length) {
    hideOffline();
    return;
  }
  // A retry that fails registers itself again (and keeps the banner).
  await Promise.allSettled(all.map((r) => r()));
}

export function hideOffline() {
  if (!offline) return;
  clearInterval(offline.interval);
  offline.el.remove();
  offline = null;
}

// ------------------------------------------------------------------ form errors

export function clearFormErrors(form) {
  if (!form) return;
  for (const el of $$('.invalid', form)) {
    el.classList.remove('invalid');
    el.removeAttribute('aria-invalid');
  }
  for (const el of $$('.field-error, .form-error', form)) el.remove();
}

/** Finds the control for an API field name inside form (data-field="caller.phone"). */
function fieldControl(form, field) {
  if (!form || !field) return null;
  return $(`[data-field="${CSS.escape(field)}"]`, form) ||
    $(`[data-field="${CSS.escape(field.split('.')[0])}"]`, form);
}

/** Marks a field invalid with a message; returns true when the field was found. */
export function markField(form, field, message) {
  const el = fieldControl(form, field);
  if (!el) return false;
  el.classList.add('invalid');
  el.setAttribute('aria-invalid', 'true');
  const msg = h('div', { class: 'field-error', 'data-testid': 'field-error' }, message);
  const holder = el.closest('.field') || el.parentElement;
  holder.append(msg);
  const focusable = el.matches('input, select, textarea') ? el : $('input, select, textarea', el);
  if (focusable) focusable.focus();
  return true;
}

function formError(form, title, original) {
  const box = h('div', { class: 'form-error', role: 'alert', 'data-testid': 'form-error' }, title,
    original ? h('span', { class: 'orig' }, original) : null);
  const slot = $('.error-slot', form) || form;
  slot.prepend(box);
  return box;
}

// ------------------------------------------------------------------ the one error handler

/**
 * Shows a refusal where the person is looking.
 *   form    the form (or container) that sent it: 400/422 are shown there
 *   reload  reloads the ticket (409 version_conflict)
 *   retry   repeats the request (503, network)
 * Returns nothing; 401 leaves the page for the login.
 */
export function showError(err, { form, reload, retry } = {}) {
  const status = err && err.status;
  const code = err && err.code;
  const zh = translate(err && err.message);
  if (form) clearFormErrors(form);
  if (status === 401) {
    clearSession();
    const next = location.pathname.replace(/^\//, '') + location.hash;
    location.href = 'index.html?expired=1&next=' + encodeURIComponent(next);
    return;
  }
  if (status === 0 || status === 503) {
    showOffline(retry);
    return;
  }
  if (status === 409 && code === 'version_conflict') {
    conflictDialog(reload);
    return;
  }
  if (status === 400 || status === 413 || status === 415) {
    const label = FIELD[err.field] || err.field;
    const msg = (zh || '请检查填写内容') + (label ? `（${label}）` : '');
    if (form && markField(form, err.field, zh || err.message)) {
      formError(form, msg, err.message);
    } else if (form) {
      formError(form, msg, err.message);
    } else {
      toast(`${msg}：${err.message}`, 'error');
    }
    return;
  }
  if (status === 422) {
    const msg = '操作未执行：' + (zh || '当前状态不允许此操作');
    if (form) formError(form, msg, err.message);
    else toast(`${msg}（${err.message}）`, 'error');
    return;
  }
  if (status === 403) {
    const msg = '无权操作：当前令牌的角色不能执行此操作';
    if (form) formError(form, msg, err.message);
    else toast(msg, 'error');
    return;
  }
  if (status === 429) {
    toast('请求过于频繁，请稍后再试', 'error');
    return;
  }
  const msg = zh || err.message || '出错了';
  if (form) formError(form, `${msg}（${status}）`, err.message);
  else toast(`${msg}（${status}）`, 'error');
}

/** Runs fn; on success hides the offline banner; on failure shows the error. */
export async function guarded(fn, opts = {}) {
  try {
    const v = await fn();
    hideOffline();
    return v;
  } catch (err) {
    if (!(err && 'status' in err)) {
      console.error(err);
      toast('页面出错：' + (err && err.message), 'error');
      return undefined;
    }
    showError(err, { retry: opts.retry || (() => guarded(fn, opts)), ...opts });
    return undefined;
  }
}

// ------------------------------------------------------------------ the top bar

const WS_LABEL = { operator: '受理坐席', unit: '承办单位', leader: '领导看板' };

/**
 * The page's top bar.  tabs: [{id, label, href, key, count}]; returns
 * {setCount(id, n, hot), setActive(id)}.  Requires a session, else goes to the login.
 */
export function topbar({ workspace, tabs = [], active }) {
  const s = session();
  if (!s) {
    location.href = 'index.html?next=' + encodeURIComponent(location.pathname.replace(/^\//, '') + location.hash);
    throw new Error('not signed in');
  }
  const links = tabs.map((t) => h('a', {
    href: t.href, id: 'tab-' + t.id, 'data-tab': t.id,
    'aria-current': t.id === active ? 'page' : null,
  }, t.label, h('span', { class: 'count hidden' }), t.key ? h('kbd', {}, t.key) : null));
  const whoName = h('strong', { 'data-testid': 'who' }, s.unitName || WS_LABEL[workspace] || '');
  const bar = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: 'index.html', title: '切换工作台' },
      h('span', { class: 'logo' }, '12345'), '民呼', h('small', {}, WS_LABEL[workspace] || '')),
    h('nav', { class: 'tabs', 'aria-label': '功能' }, links),
    h('div', { class: 'who' }, whoName,
      h('button', {
        class: 'dark', 'data-testid': 'logout',
        onclick: () => { clearSession(); location.href = 'index.html'; },
      }, '切换令牌')));
  document.body.prepend(h('div', { id: 'banner-host' }));
  document.body.prepend(bar);
  return {
    setCount(id, n, hot = false) {
      const c = $(`#tab-${id} .count`);
      if (!c) return;
      c.textContent = n;
      c.classList.toggle('hidden', !n);
      c.classList.toggle('hot', hot);
    },
    setActive(id) {
      for (const a of links) a.setAttribute('aria-current', a.dataset.tab === id ? 'page' : 'false');
    },
    setWho(text) { whoName.textContent = text; },
  };
}
