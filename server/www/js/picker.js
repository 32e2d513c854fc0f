// picker.js — a keyboard-first search box over a fixed list (categories,
// places): type a name, part of a path or a code prefix; ↑/↓ move, Enter or
// Tab takes the highlighted row, Esc closes.

import { $$, h } from './ui.js';

let seq = 0;

function highlight(text, q) {
  if (!q) return text;
  const i = text.indexOf(q);
  if (i < 0) return text;
  return [text.slice(0, i), h('mark', {}, text.slice(i, i + q.length)), text.slice(i + q.length)];
}

/**
 * Turns `input` (inside a .picker) into a combobox over items
 * [{code, name, path: [..names]}].  onChange(item|null) fires on every
 * choice.  Returns {value(), set(code), clear()}.
 */
export function picker(input, items, { onChange, max = 60 } = {}) {
  const id = 'pk-' + ++seq;
  const list = h('ul', { role: 'listbox', id, class: 'hidden' });
  const chosen = h('div', { class: 'chosen', 'aria-live': 'polite' });
  input.after(list, chosen);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', id);
  input.setAttribute('aria-expanded', 'false');
  input.autocomplete = 'off';
  const byCode = new Map(items.map((it) => [it.code, it]));
  const text = (it) => it.path.join(' › ');
  let current = null;
  let shown = [];
  let active = -1;

  function matches(q) {
    if (!q) return items.slice(0, max);
    const out = [];
    for (const it of items) {
      if (it.code.startsWith(q)) out.push([0, it]);
      else if (it.name.startsWith(q)) out.push([1, it]);
      else if (it.name.includes(q)) out.push([2, it]);
      else if (text(it).includes(q)) out.push([3, it]);
    }
    out.sort((a, b) => a[0] - b[0] || a[1].code.localeCompare(b[1].code));
    return out.slice(0, max).map((x) => x[1]);
  }

  function open() {
    const q = input.value.trim();
    shown = matches(current && q === current.name ? '' : q);
    list.replaceChildren(...shown.map((it, i) => h('li', {
      role: 'option', id: `${id}-${i}`, 'data-code': it.code, 'aria-selected': 'false',
      onmousedown: (e) => { e.preventDefault(); choose(it); },
    }, h('span', { class: 'code' }, it.code), h('span', {}, highlight(it.name, q)),
    it.path.length > 1 ? h('span', { class: 'path' }, it.path.slice(0, -1).join(' › ')) : null)));
    if (!shown.length) list.replaceChildren(h('li', { class: 'faint', style: { padding: '4px 10px' } }, '无匹配项'));
    list.classList.remove('hidden');
    input.setAttribute('aria-expanded', 'true');
    move(shown.length ? 0 : -1);
  }

  function close() {
    list.classList.add('hidden');
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function move(i) {
    const opts = $$('[role="option"]', list);
    if (!opts.length) return;
    active = (i + opts.length) % opts.length;
    opts.forEach((o, k) => o.setAttribute('aria-selected', k === active ? 'true' : 'false'));
    input.setAttribute('aria-activedescendant', opts[active].id);
    opts[active].scrollIntoView({ block: 'nearest' });
  }

  function choose(it, { silent = false } = {}) {
    current = it;
    input.value = it ? it.name : '';
    input.dataset.code = it ? it.code : '';
    chosen.replaceChildren(...(it ? [h('b', {}, it.code), ' ', text(it)] : []));
    input.classList.remove('invalid');
    close();
    if (!silent && onChange) onChange(it);
  }

  input.addEventListener('input', () => {
    if (current && input.value !== current.name) {
      current = null;
      input.dataset.code = '';
      chosen.replaceChildren();
      if (onChange) onChange(null);
    }
    open();
  });
  input.addEventListener('focus', () => { if (!current) open(); });
  input.addEventListener('blur', () => {
    // Leaving with a typed text that names exactly one item takes it.
    if (!current && input.value.trim()) {
      const m = matches(input.value.trim());
      if (m.length === 1) choose(m[0]);
    }
    close();
  });
  input.addEventListener('keydown', (e) => {
    const isOpen = !list.classList.contains('hidden');
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!isOpen) open(); else move(active + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (isOpen) move(active - 1);
    } else if ((e.key === 'Enter' || e.key === 'Tab') && isOpen && active >= 0 && shown[active] &&
               !(e.key === 'Tab' && !input.value.trim())) {
      if (e.key === 'Enter') {
        e.preventDefault();
        e.stopPropagation();
      }
      choose(shown[active]);
    } else if (e.key === 'Escape' && isOpen) {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });

  return {
    value: () => current,
    set: (code) => choose(byCode.get(code) || null, { silent: true }),
    clear: () => choose(null, { silent: true }),
    isOpen: () => !list.classList.contains('hidden'),
  };
}
