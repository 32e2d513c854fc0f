// status.js — the resident's page: number + query code → the status in plain
// words, the steps so far, the unit, the deadline and the result.  Calls only
// the public endpoint, never with a token.

import { api } from './api.js';
import { $, clearFormErrors, fill, fmtTime, h, hideOffline, markField, showOffline } from './ui.js';

const PLAIN = {
  pending_dispatch: ['已受理', '您的诉求已受理，正在确定承办单位。', 'open'],
  dispatched: ['已派单', '已派至承办单位，等待签收办理。', 'open'],
  accepted: ['办理中', '承办单位正在办理您的诉求。', 'open'],
  return_requested: ['办理中', '正在确认最合适的承办单位，确认后继续办理。', 'open'],
  suspended: ['暂缓办理', '因政策或客观条件限制暂时无法解决，已登记跟踪，条件具备后继续办理。', 'open'],
  replied: ['已办结，待回访', '承办单位已反馈办理结果，12345 将回访听取您的意见。', 'done'],
  closed: ['已办结', '诉求已办结并完成回访。感谢您的反映。', 'done'],
  answered: ['已答复', '12345 已直接答复您的诉求。', 'done'],
  rejected: ['不予受理', '该诉求不属于热线受理范围，已告知您其他办理途径。', 'ended'],
  merged: ['已合并办理', '与相同诉求合并办理，进度以合并后的工单为准。', 'ended'],
  cancelled: ['已撤销', '该诉求已撤销。', 'ended'],
};

const STEP = {
  intake: '12345 受理了您的诉求',
  dispatch: '派至承办单位',
  accept: '承办单位签收',
  contact: '承办单位与您联系',
  whistle: '召集相关部门协同办理',
  assist_accept: '协同部门报到',
  assist_reply: '协同部门反馈',
  request_return: '承办单位申请重新分派',
  approve_return: '重新分派承办单位',
  reject_return: '维持原承办单位办理',
  request_extension: '承办单位申请延长办理时间',
  approve_extension: '同意延长办理时间',
  reject_extension: '不同意延长办理时间',
  suspend: '暂缓办理',
  resume: '恢复办理',
  reply: '承办单位反馈办理结果',
  callback: '12345 回访',
  reopen: '重新办理',
  merge: '合并办理',
  cancel: '撤销',
  answer: '12345 直接答复',
  reject: '不予受理',
  sla_overdue: '超过办理时限，已督促承办单位',
  sla_report: '超期较长，已通报督办',
};

const form = $('#lookup');
const out = $('#result');

function digits(el) {
  el.addEventListener('input', () => {
    const v = el.value.replace(/\D/g, '');
    if (v !== el.value) el.value = v;
  });
}
digits(form.elements.number);
digits(form.elements.code);

const pre = new URLSearchParams(location.hash.slice(1)).get('n');
if (pre && /^\d{8,20}$/.test(pre)) {
  form.elements.number.value = pre;
  form.elements.code.focus();
} else {
  form.elements.number.focus();
}

function render(t) {
  const [word, plain, tone] = PLAIN[t.status] || [t.status_label || t.status, '', 'open'];
  const steps = (t.timeline || []).filter((s) => STEP[s.action]);
  const rows = [
    ['工单号', h('span', { class: 'mono' }, t.number)],
    ['诉求类别', t.category ? t.category.name : '—'],
    t.title ? ['诉求', t.title] : null,
    ['承办单位', t.unit ? t.unit.name : '确定中'],
    ['受理时间', fmtTime(t.created_at)],
    t.deadline ? ['办理时限', fmtTime(t.deadline)] : null,
    t.replied_at ? ['办结时间', fmtTime(t.replied_at)] : null,
  ].filter(Boolean);
  fill(out,
    h('section', { class: 'panel', 'data-testid': 'public-ticket', 'data-status': t.status },
      h('div', { class: 'muted small' }, '当前状态'),
      h('div', { class: 'state ' + tone, 'data-testid': 'status-label' }, t.status_label || word),
      h('div', { class: 'plain' }, plain),
      h('dl', {}, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
    t.result ? h('section', { class: 'panel' }, h('h2', { style: { marginBottom: '8px' } }, '办理结果'),
      h('div', { class: 'result', 'data-testid': 'public-result' }, t.result)) : null,
    h('section', { class: 'panel' }, h('h2', { style: { marginBottom: '10px' } }, '办理过程'),
      steps.length ? h('ol', { class: 'timeline', 'data-testid': 'public-timeline' }, steps.map((s) => h('li', {
        class: s.action.startsWith('sla_') ? 'bad' : ['closed', 'answered'].includes(s.status) ? 'done' : '',
      }, h('div', { class: 'what' }, s.action === 'intake' && s.status === 'dispatched' ? STEP.intake + '，并派至承办单位' : STEP[s.action]), h('div', { class: 'when' }, fmtTime(s.at))))) :
        h('div', { class: 'empty' }, '暂无记录')));
}

async function lookup() {
  clearFormErrors(form);
  const number = form.elements.number.value.trim();
  const code = form.elements.code.value.trim();
  if (!/^\d{8,20}$/.test(number)) {
    markField(form, 'number', '请输入完整的工单号（数字）');
    return;
  }
  if (!/^\d{6}$/.test(code)) {
    markField(form, 'code', '查询码是 6 位数字');
    return;
  }
  const btn = $('#go');
  btn.disabled = true;
  try {
    const t = await api('GET', `/api/v1/public/tickets/${encodeURIComponent(number)}?code=${encodeURIComponent(code)}`,
      undefined, { auth: false });
    hideOffline();
    render(t);
  } catch (err) {
    fill(out);
    if (err.status === 404) {
      const box = h('div', { class: 'form-error', role: 'alert', 'data-testid': 'form-error' },
        '没有查到：工单号或查询码不正确，请核对受理短信。');
      $('.error-slot', form).append(box);
    } else if (err.status === 429) {
      const wait = Number(err.retryAfter) || 60;
      $('.error-slot', form).append(h('div', { class: 'form-error', role: 'alert', 'data-testid': 'form-error' },
        `查询次数过多，请 ${wait} 秒后再试。`));
    } else if (err.status === 0 || err.status >= 500) {
      showOffline(lookup, '查询服务暂时不可用，请稍后再试。');
    } else {
      $('.error-slot', form).append(h('div', { class: 'form-error', role: 'alert' }, '查询失败，请稍后再试。'));
    }
  } finally {
    btn.disabled = false;
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  lookup();
});
