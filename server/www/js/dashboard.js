// dashboard.js — the leader's view: this month so far and last month, from
// the report engine (the same JSON as minhu-report): the 三率 ranking from
// GET /api/v1/reports/ranking (score chart, table, overdue counts, red/black
// lists) and the hotspots from GET /api/v1/reports/hotspots.

import { api, ApiError, qs, reference } from './api.js';
import { KIND } from './labels.js';
import { $, fill, fmtTime, guarded, h, hideOffline, monthOf, showError, topbar } from './ui.js';

topbar({ workspace: 'leader', tabs: [{ id: 'ranking', label: '三率排名', href: '#' }], active: 'ranking' });

const SVG = 'http://www.w3.org/2000/svg';
const KINDS = ['street', 'department', 'enterprise', 'district'];
const thisMonth = monthOf();
const lastMonth = (() => {
  const [y, m] = thisMonth.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
})();
const state = { month: thisMonth, kind: 'street' };
let ref = null;
let loadSeq = 0; // the current load(); answers to an earlier one are dropped

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const pct = (x) => (x === null || x === undefined ? '—' : (x * 100).toFixed(1) + '%');
const num = (x) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('zh-CN'));

function seg(el, options, value, onPick, name) {
  fill(el, options.map(([v, label]) => h('label', {},
    h('input', { type: 'radio', name, value: v, checked: v === value, onchange: () => onPick(v) }), h('span', {}, label))));
}

function controls() {
  seg($('#months'), [[thisMonth, `本月 ${thisMonth}（截至今日）`], [lastMonth, `上月 ${lastMonth}`]],
    state.month, (v) => { state.month = v; $('#month-input').value = v; load(); }, 'month');
  seg($('#kinds'), KINDS.map((k) => [k, KIND[k]]), state.kind, (v) => { state.kind = v; load(); }, 'kind');
  const months = [];
  for (let i = 0, [y, m] = thisMonth.split('-').map(Number); i < 24; i++) {
    months.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) { m = 12; y -= 1; }
  }
  fill($('#month-input'), months.map((m) => h('option', { value: m }, m.replace('-', ' 年 ') + ' 月')));
  $('#month-input').value = state.month;
}

$('#month-input').addEventListener('change', (e) => {
  if (/^\d{4}-\d{2}$/.test(e.target.value)) {
    state.month = e.target.value;
    controls();
    load();
  }
});
$('#refresh').addEventListener('click', () => load());

// ------------------------------------------------------------------ pieces

function nameOf(r, x) {
  if (x && typeof x === 'object') return x.name || x.code;
  const u = r.units.find((y) => y.unit.code === x);
  return u ? u.unit.name : (ref ? ref.unitName(x) : x);
}

function kpis(r) {
  const units = r.units;
  const pop = units.reduce((a, u) => a + (u.population || 0), 0);
  const vol = units.reduce((a, u) => a + (u.volume || 0), 0);
  const w = (f) => (pop ? units.reduce((a, u) => a + (u[f] || 0) * (u.population || 0), 0) / pop : null);
  const over = units.reduce((a, u) => a + Object.values(u.overdue || {}).reduce((x, y) => x + y, 0), 0);
  const ranked = units.filter((u) => u.rank !== null && u.rank !== undefined);
  const avg = ranked.length ? ranked.reduce((a, u) => a + u.score, 0) / ranked.length : null;
  const card = (v, l, testid, small) => h('div', { class: 'panel kpi', 'data-testid': testid },
    h('div', { class: 'v' + (small ? ' sm' : '') }, v), h('div', { class: 'l' }, l));
  return h('div', { class: 'kpis' },
    card(`${ranked.length}/${units.length}`, '参与排名 / 全部单位', 'kpi-units'),
    card(num(vol), `受理量 · 考核样本 ${num(pop)}`, 'kpi-volume'),
    card(avg === null ? '—' : avg.toFixed(2), '平均综合得分', 'kpi-score'),
    card([h('span', {}, pct(w('response_rate'))), h('span', {}, pct(w('resolution_rate'))), h('span', {}, pct(w('satisfaction_rate')))],
      '响应率 · 解决率 · 满意率（按样本加权）', 'kpi-rates', true),
    card(num(over), '超时件次（签收 + 联系 + 办结）', 'kpi-overdue'));
}

function chart(r) {
  const red = new Set((r.red_list || []).map((x) => (typeof x === 'object' ? x.code : x)));
  const black = new Set((r.black_list || []).map((x) => (typeof x === 'object' ? x.code : x)));
  const units = [...r.units].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  const rowH = 22;
  const left = 150;
  const width = 760;
  const plot = width - left - 100;
  const top = 22;
  const height = top + units.length * rowH + 8;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': '综合得分条形图', 'data-testid': 'score-chart' });
  for (let v = 0; v <= 100; v += 20) {
    const x = left + (plot * v) / 100;
    svg.append(s('line', { x1: x, x2: x, y1: top - 4, y2: height - 6, stroke: '#e4e7ec', 'stroke-width': 1 }),
      s('text', { x, y: 12, 'font-size': 10, 'text-anchor': 'middle', fill: '#98a2b3' }, v));
  }
  units.forEach((u, i) => {
    const y = top + i * rowH;
    const code = u.unit.code;
    const color = u.rank === null || u.rank === undefined ? '#b8c0cc' : red.has(code) ? '#16803c' : black.has(code) ? '#c4262e' : '#1f5fbf';
    const has = u.score !== null && u.score !== undefined;
    const w = has ? Math.max(1, (plot * Math.max(0, Math.min(100, u.score))) / 100) : 0;
    const unranked = u.rank === null || u.rank === undefined;
    svg.append(
      s('text', { x: left - 8, y: y + 14, 'font-size': 12, 'text-anchor': 'end', fill: '#1d2533' }, u.unit.name),
      has ? s('rect', { x: left, y: y + 4, width: w, height: rowH - 8, rx: 2, fill: color }, s('title', {}, `${u.unit.name} ${u.score}`)) : null,
      s('text', { x: left + w + 6, y: y + 14, 'font-size': 11, fill: has ? '#344054' : '#98a2b3', 'font-family': 'monospace' },
        has ? u.score.toFixed(2) + (unranked ? ' 未排名' : '') : '无样本'));
  });
  return h('section', { class: 'panel chart' },
    h('header', {}, h('h2', {}, '综合得分'), h('span', { class: 'grow' }),
      h('span', { class: 'small muted' }, h('span', { class: 'light green' }, '红榜'), '　', h('span', { class: 'light red' }, '黑榜'), '　',
        `权重 响应 ${r.weights?.response ?? '—'} · 解决 ${r.weights?.resolution ?? '—'} · 满意 ${r.weights?.satisfaction ?? '—'}`)),
    h('div', { class: 'body' }, units.length ? svg : h('div', { class: 'empty' }, '本月暂无数据')));
}

function table(r) {
  const rows = r.units.map((u) => {
    const o = u.overdue || {};
    const ch = u.rank_change;
    return h('tr', { 'data-unit': u.unit.code },
      h('td', { class: 'num' }, u.rank ?? h('span', { class: 'faint', title: '样本不足 10 件，不参与排名' }, '—')),
      h('td', { class: 'num' }, ch ? h('span', { class: ch > 0 ? 'change-up' : 'change-down' }, (ch > 0 ? '▲' : '▼') + Math.abs(ch)) : h('span', { class: 'faint' }, '–')),
      h('td', {}, u.unit.name),
      h('td', { class: 'num' }, num(u.population)),
      h('td', { class: 'num' }, num(u.volume)),
      h('td', { class: 'num' }, pct(u.response_rate)),
      h('td', { class: 'num' }, pct(u.resolution_rate)),
      h('td', { class: 'num' }, pct(u.satisfaction_rate)),
      h('td', { class: 'num' }, h('b', {}, u.score === null || u.score === undefined ? '—' : u.score.toFixed(2))),
      h('td', { class: 'num' }, `${o.accept ?? 0}/${o.contact ?? 0}/${o.reply ?? 0}`),
      h('td', { class: 'num' }, u.returns ?? '—'),
      h('td', { class: 'num' }, u.reopens ?? '—'),
      h('td', { class: 'num' }, u.extensions ?? '—'),
      h('td', { class: 'num' }, u.median_handling_hours === null || u.median_handling_hours === undefined ? '—' : u.median_handling_hours + 'h'));
  });
  const heads = ['#排名', '#变化', '单位', '#样本', '#受理', '#响应率', '#解决率', '#满意率', '#得分', '#超时 签/联/结', '#退单', '#重办', '#延期', '#办理时长中位'];
  return h('section', { class: 'panel' },
    h('header', {}, h('h2', {}, `${KIND[r.kind] || r.kind}排名 · ${r.month}`), h('span', { class: 'grow' }),
      h('span', { class: 'small muted' }, '样本：当月回访结案的工单；样本不足 10 件的单位列出但不排名')),
    rows.length ? h('div', { style: { overflow: 'auto' } }, h('table', { class: 'list', 'data-testid': 'ranking-table' },
      h('thead', {}, h('tr', {}, heads.map((x) => h('th', { class: x.startsWith('#') ? 'num' : '' }, x.replace(/^#/, ''))))),
      h('tbody', {}, rows))) : h('div', { class: 'empty' }, '本月暂无考核数据'));
}

function lists(r) {
  const li = (arr) => (arr && arr.length ? h('ol', {}, arr.map((x) => h('li', {}, nameOf(r, x)))) : h('div', { class: 'faint small' }, '无'));
  const overdue = [...r.units].map((u) => [u, Object.values(u.overdue || {}).reduce((a, b) => a + b, 0)])
    .filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]).slice(0, 6);
  const max = overdue.length ? overdue[0][1] : 1;
  return [
    h('section', { class: 'panel' }, h('header', {}, h('h2', {}, '红黑榜')),
      h('div', { class: 'body lists' },
        h('div', {}, h('h3', { style: { color: 'var(--green)', marginBottom: '4px' } }, '红榜'), li(r.red_list)),
        h('div', {}, h('h3', { style: { color: 'var(--red)', marginBottom: '4px' } }, '黑榜'), li(r.black_list))),
      h('div', { class: 'body', style: { paddingTop: 0 } }, h('h3', { style: { marginBottom: '4px' } }, '约谈（连续两月黑榜）'),
        r.interview && r.interview.length ? h('div', { 'data-testid': 'interview' }, r.interview.map((x) => h('span', { class: 'badge bad', style: { marginRight: '4px' } }, nameOf(r, x)))) : h('div', { class: 'faint small' }, '无'))),
    h('section', { class: 'panel' }, h('header', {}, h('h2', {}, '超时最多')),
      h('div', { class: 'body' }, overdue.length ? h('table', { class: 'list' }, h('tbody', {}, overdue.map(([u, n]) => h('tr', {},
        h('td', {}, u.unit.name), h('td', { style: { width: '45%' } }, h('div', { class: 'bar-track' }, h('span', { style: { width: `${(100 * n) / max}%`, background: 'var(--red)' } }))),
        h('td', { class: 'num' }, n))))) : h('div', { class: 'faint small' }, '本月无超时'))),
  ];
}

// ------------------------------------------------------------------ hotspots

const HOT_TOP = 6;

/** Growth over the three months before, as the report gives it (null: new this month). */
function growth(g) {
  if (g === null || g === undefined) return h('span', { class: 'growth-up', title: '前三个月没有此类工单' }, '新增');
  const p = Math.round(g * 100);
  return h('span', { class: p > 0 ? 'growth-up' : p < 0 ? 'growth-down' : 'faint', title: '较前三个月月均' },
    (p > 0 ? '+' : '') + p + '%');
}

function hotList(title, entries, label, testid) {
  const max = entries.length ? Math.max(...entries.map((e) => e.count)) : 1;
  return h('div', { 'data-testid': testid }, h('h3', { style: { marginBottom: '4px' } }, title),
    entries.length ? h('table', { class: 'list' }, h('tbody', {}, entries.map((e) => h('tr', {},
      h('td', { title: `前三个月月均 ${e.previous_average}` }, label(e)),
      h('td', { style: { width: '34%' } }, h('div', { class: 'bar-track' }, h('span', { style: { width: `${(100 * e.count) / max}%` } }))),
      h('td', { class: 'num' }, num(e.count)),
      h('td', { class: 'num' }, growth(e.growth)))))) : h('div', { class: 'faint small' }, '无'));
}

function hotBody(r, month) {
  const named = (e) => e.name || e.code;
  const place = (e) => [e.address, h('span', { class: 'faint small' }, ' ' + (e.area?.name || e.area?.code || ''))];
  return h('div', { class: 'stack' },
    h('div', { class: 'small muted' }, (month === thisMonth ? `本月截至今日（${month}）` : month) +
      (month === thisMonth ? `受理件数；增长较前三个月同期（各月 1 日至同一天）月均，增长榜只列本月 10 件以上的。` : `受理件数；增长较前三个月月均，增长榜只列本月 10 件以上的。`)),
    hotList('分类', r.categories || [], named, 'hot-categories'),
    hotList('增长最快的分类', r.categories_growth || [], named, 'hot-growth'),
    hotList('地点', r.areas || [], named, 'hot-areas'),
    hotList('高发地址', r.addresses || [], place, 'hot-addresses'));
}

function hotError(err, retry) {
  const why = err instanceof ApiError && err.status === 404 ? '本系统尚未开放热点接口（/api/v1/reports/hotspots），可使用命令行 minhu-report hotspots。'
    : err instanceof ApiError && err.status === 403 ? '当前令牌无权查看报表。'
      : `统计失败（${err.status || '网络不通'}），请重试。`;
  return [
    h('div', { class: 'form-error', role: 'alert', 'data-testid': 'hotspots-error' }, '热点暂不可用：' + why,
      err.message ? h('span', { class: 'orig' }, err.message) : null),
    h('button', { class: 'small', 'data-testid': 'hotspots-retry', onclick: retry }, '重试'),
  ];
}

/** Hotspots (每月一题) of the month from the report engine; a refusal is shown in the panel. */
function hotspots(month) {
  const body = h('div', { class: 'body' });
  const mine = loadSeq;
  const fetchHot = async () => {
    fill(body, h('div', { class: 'faint small' }, '统计中…'));
    try {
      const r = await api('GET', '/api/v1/reports/hotspots' + qs({ month, top: HOT_TOP }));
      if (mine !== loadSeq) return;
      hideOffline();
      fill(body, hotBody(r, month));
    } catch (err) {
      if (mine !== loadSeq) return;
      fill(body, ...hotError(err, fetchHot));
      // 401 back to the login, 503 the offline banner (whose retry comes here), the rest a toast.
      if (!(err instanceof ApiError) || ![403, 404].includes(err.status)) showError(err, { retry: fetchHot });
    }
  };
  fetchHot();
  return h('section', { class: 'panel', 'data-testid': 'hotspots' }, h('header', {}, h('h2', {}, '热点（每月一题）')), body);
}

// ------------------------------------------------------------------ load

function placeholder(title, text, testid) {
  return h('div', { class: 'panel placeholder', 'data-testid': testid }, h('h2', {}, title), h('p', {}, text));
}

async function load() {
  const mine = ++loadSeq;
  const board = $('#board');
  fill(board, h('div', { class: 'panel placeholder' }, '加载中…'));
  try {
    const r = await api('GET', '/api/v1/reports/ranking' + qs({ month: state.month, kind: state.kind }));
    hideOffline();
    if (mine !== loadSeq) return;
    $('#asof').textContent = '更新于 ' + fmtTime(new Date().toISOString(), { short: true });
    fill(board, h('div', { class: 'stack' }, kpis(r),
      h('div', { class: 'split dash' },
        h('div', { class: 'stack' }, chart(r), table(r)),
        h('div', { class: 'stack' }, lists(r), hotspots(state.month)))));
  } catch (err) {
    if (mine !== loadSeq) return;
    if (err instanceof ApiError && err.status === 404) {
      fill(board, placeholder('报表服务未启用', '本系统尚未开放排名接口（/api/v1/reports/ranking）。请联系管理员启用报表服务，或使用命令行 minhu-report ranking。', 'reports-disabled'));
    } else if (err instanceof ApiError && err.status === 403) {
      fill(board, placeholder('无权查看报表', '当前令牌不是领导或管理员令牌。请点击右上角「切换令牌」。', 'reports-forbidden'));
    } else {
      fill(board, placeholder('报表暂不可用', '请稍后重试。', 'reports-error'));
      showError(err, { retry: load });
    }
  }
}

async function init() {
  ref = await guarded(reference, { retry: init });
  controls();
  load();
}

init();
