// The pages' rules without a browser: the actions offered per party and
// status match docs/workflow-table.md exactly, and the deadline lights follow
// domain.md §4 (yellow from 75 % of a clock or the server's warning, red when
// overdue).  Runs in node against server/www/js/ticket.js itself.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ACTIONS, availableActions, clockState } from '../../server/www/js/ticket.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** (action, from, party) triples of the generated transition table. */
function workflowTable() {
  const text = fs.readFileSync(path.join(root, 'docs/workflow-table.md'), 'utf8');
  const rows = new Set();
  for (const line of text.split('\n')) {
    const m = line.match(/^\| `(\w+)` \| (\w+|—) \| [^|]+ \| ([\w, ]+) \|/);
    if (!m || m[1] === 'intake') continue;
    for (const party of m[3].split(',').map((s) => s.trim())) rows.add(`${m[1]} ${m[2]} ${party}`);
  }
  return rows;
}

test('every action a page offers is allowed by the workflow table', () => {
  const table = workflowTable();
  assert.ok(table.size > 40, 'the workflow table was read');
  for (const a of ACTIONS) {
    for (const from of a.from) {
      for (const party of a.parties) {
        assert.ok(table.has(`${a.id} ${from} ${party}`), `${a.id} from ${from} by ${party} is not in the table`);
      }
    }
  }
});

test('every action the workflow table allows a person is offered somewhere', () => {
  const offered = new Set();
  for (const a of ACTIONS) for (const from of a.from) for (const p of a.parties) offered.add(`${a.id} ${from} ${p}`);
  for (const row of workflowTable()) {
    if (row.endsWith(' channel')) continue;
    assert.ok(offered.has(row), `the table allows "${row}" but no page offers it`);
  }
});

const NOW = Date.parse('2026-11-20T10:00:00+08:00');
const iso = (ms) => new Date(ms).toISOString();
const H = 3600000;

function ticket(over = {}) {
  return {
    id: 't', number: '2026112000000001', version: 2, status: 'dispatched',
    caller: { anonymous: false }, assists: [], warned: [], overdue: [], extension: null,
    created_at: iso(NOW - 2 * H), dispatched_at: iso(NOW - 2 * H), accepted_at: null, contacted_at: null,
    replied_at: null, closed_at: null,
    lead_unit: { code: '610104002', name: '红庙坡街道', kind: 'street' },
    deadlines: { accept: iso(NOW + 22 * H), reply: iso(NOW + 166 * H), return_window: iso(NOW + 22 * H) },
    ...over,
  };
}

const ids = (t, party, me) => availableActions(t, party, me, NOW).map((a) => a.id).sort();

test('a lead unit is offered exactly what it may do now', () => {
  assert.deepEqual(ids(ticket(), 'lead'), ['accept', 'note', 'request_return']);
  const late = ticket({ deadlines: { ...ticket().deadlines, return_window: iso(NOW - H) } });
  assert.deepEqual(ids(late, 'lead'), ['accept', 'note'], 'no return after the window');
  const acc = ticket({ status: 'accepted', accepted_at: iso(NOW - H) });
  assert.deepEqual(ids(acc, 'lead'), ['contact', 'note', 'reply', 'request_extension', 'request_return', 'whistle']);
  const reply = availableActions(acc, 'lead', {}, NOW).find((a) => a.id === 'reply');
  assert.equal(reply.blocked(acc), '须先记录先行联系');
  const contacted = { ...acc, contacted_at: iso(NOW) };
  assert.equal(reply.blocked(contacted), null);
  assert.ok(!ids(contacted, 'lead').includes('contact'));
  const waiting = { ...contacted, assists: [{ unit: { code: 'dept-q-cgj' }, status: 'accepted' }] };
  assert.equal(reply.blocked(waiting), '协办单位尚未全部反馈');
  const ext = { ...contacted, extension: { state: 'requested', until: iso(NOW + 300 * H) } };
  assert.ok(!ids(ext, 'lead').includes('request_extension'), 'one pending request at a time');
  assert.deepEqual(ids(ticket({ status: 'replied' }), 'lead'), ['note']);
  assert.deepEqual(ids(ticket({ status: 'closed' }), 'lead'), []);
});

test('an assist unit reports in, then replies; nothing else', () => {
  const me = { unit: 'dept-q-cgj' };
  const base = ticket({ status: 'accepted', accepted_at: iso(NOW - H) });
  const summoned = { ...base, assists: [{ unit: { code: 'dept-q-cgj' }, status: 'summoned' }] };
  assert.deepEqual(ids(summoned, 'assist', me), ['assist_accept', 'note']);
  const accepted = { ...base, assists: [{ unit: { code: 'dept-q-cgj' }, status: 'accepted' }] };
  assert.deepEqual(ids(accepted, 'assist', me), ['assist_reply', 'note']);
  const replied = { ...base, assists: [{ unit: { code: 'dept-q-cgj' }, status: 'replied' }] };
  assert.deepEqual(ids(replied, 'assist', me), ['note']);
});

test('the centre is offered its queue actions', () => {
  assert.deepEqual(ids(ticket({ status: 'pending_dispatch', lead_unit: null }), 'centre'),
    ['answer', 'cancel', 'dispatch', 'flag_unreasonable', 'merge', 'note', 'reject']);
  assert.deepEqual(ids(ticket({ status: 'replied' }), 'centre'), ['callback', 'cancel', 'flag_unreasonable', 'merge', 'note']);
  const ext = ticket({ status: 'accepted', extension: { state: 'requested' } });
  assert.ok(ids(ext, 'centre').includes('approve_extension'));
  assert.ok(!ids(ticket({ status: 'accepted' }), 'centre').includes('approve_extension'));
  assert.deepEqual(ids(ticket(), null), []);
});

test('deadline lights: green, yellow from 75 % or a warning, red when overdue', () => {
  const start = NOW - 10 * H;
  const t = (dueInH, over = {}) => ticket({ dispatched_at: iso(start), deadlines: { accept: iso(NOW + dueInH * H) }, ...over });
  assert.equal(clockState(t(30), 'accept', NOW).state, 'green'); // 25 % gone
  assert.equal(clockState(t(3), 'accept', NOW).state, 'yellow'); // 77 % gone
  assert.equal(clockState(t(30, { warned: ['accept'] }), 'accept', NOW).state, 'yellow');
  assert.equal(clockState(t(-1), 'accept', NOW).state, 'red');
  assert.equal(clockState(t(30, { overdue: ['accept'] }), 'accept', NOW).state, 'red');
  assert.match(clockState(t(-1), 'accept', NOW).text, /^超时 1小时/);
  assert.match(clockState(t(30), 'accept', NOW).text, /^剩 1天6小时/);
  const accepted = t(30, { status: 'accepted', accepted_at: iso(NOW - H) });
  assert.equal(clockState(accepted, 'accept', NOW).state, 'done');
  const suspended = ticket({ status: 'suspended', accepted_at: iso(NOW - H), deadlines: { reply: iso(NOW + H) } });
  assert.equal(clockState(suspended, 'reply', NOW).state, 'paused');
});
