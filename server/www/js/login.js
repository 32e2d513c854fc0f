// login.js — the token field.  The token lives in sessionStorage only; a
// role switch is just another token.

import { api, ApiError, qs, saveSession, session } from './api.js';
import { $, clearFormErrors, h, hideOffline, markField, monthOf, showError } from './ui.js';

const PAGES = { operator: 'operator.html', unit: 'unit.html', leader: 'dashboard.html' };

const form = $('#login');
const params = new URLSearchParams(location.search);

if (params.get('expired')) {
  $('#notice').append(h('div', { class: 'form-error', role: 'alert', 'data-testid': 'expired', style: { marginBottom: '12px' } },
    '登录已失效：令牌已过期或被撤销，请重新输入令牌。'));
}
const current = session();
if (current) {
  form.elements.token.value = current.token;
  form.elements.workspace.value = current.workspace || 'operator';
}
const wsParam = params.get('ws');
if (wsParam && PAGES[wsParam]) form.elements.workspace.value = wsParam;

/**
 * Learns what a unit token is: the list endpoint accepts `as=lead` without a
 * unit only from unit tokens (others get 400), and a unit's own tickets name
 * its code.  Returns {isUnit, unit, unitName}.
 */
async function probeUnit(token) {
  try {
    const lead = await api('GET', '/api/v1/tickets' + qs({ as: 'lead', limit: 1 }), undefined, { token });
    if (lead.items.length) {
      const u = lead.items[0].lead_unit;
      return { isUnit: true, unit: u.code, unitName: u.name };
    }
    const assist = await api('GET', '/api/v1/tickets' + qs({ as: 'assist', limit: 50 }), undefined, { token });
    let common = null;
    for (const t of assist.items) {
      const codes = new Map((t.assists || []).map((a) => [a.unit.code, a.unit.name]));
      common = common ? new Map([...common].filter(([c]) => codes.has(c))) : codes;
    }
    if (common && common.size === 1) {
      const [[unit, unitName]] = [...common];
      return { isUnit: true, unit, unitName };
    }
    return { isUnit: true, unit: null, unitName: null };
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) return { isUnit: false };
    throw err;
  }
}

async function signIn() {
  clearFormErrors(form);
  const token = form.elements.token.value.trim();
  let workspace = form.elements.workspace.value;
  if (!token) {
    markField(form, 'token', '请输入访问令牌');
    return;
  }
  const btn = $('#signin');
  btn.disabled = true;
  try {
    await api('GET', '/api/v1/units', undefined, { token });
    const who = await probeUnit(token);
    if (who.isUnit) workspace = 'unit';
    else if (workspace === 'unit') {
      markField(form, 'token', '此令牌不是承办单位令牌，请选择“受理坐席”或“领导看板”。');
      return;
    }
    if (workspace === 'leader') {
      try {
        await api('GET', '/api/v1/reports/ranking' + qs({ month: monthOf(), kind: 'street' }), undefined, { token });
      } catch (err) {
        if (err.status === 403) {
          markField(form, 'token', '此令牌无权查看报表（需要领导或管理员令牌）。');
          return;
        }
        if (err.status !== 404) throw err; // 404: the report service is not enabled; the page says so
      }
    }
    hideOffline();
    saveSession({ token, workspace, unit: who.unit || null, unitName: who.unitName || null });
    const next = params.get('next');
    const target = next && /^[a-z]+\.html(#.*)?$/.test(next) && next.startsWith(PAGES[workspace]) ? next : PAGES[workspace];
    location.href = target;
  } catch (err) {
    if (err.status === 401) {
      markField(form, 'token', '令牌无效、已过期或已被撤销。');
    } else {
      showError(err, { form, retry: signIn });
    }
  } finally {
    btn.disabled = false;
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  signIn();
});
