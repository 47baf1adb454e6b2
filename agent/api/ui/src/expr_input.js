// The expression box: a textarea that grows with its text, Enter runs
// (Shift+Enter: new line), a dropdown that completes metric names (from
// /api/v1/label/__name__/values), PromQL functions and keywords, and the
// query history (localStorage) when the box is empty.
import {api} from './api.js';
import {h, clear} from './util.js';

const FUNCTIONS = [
  'abs', 'absent', 'absent_over_time', 'avg_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min',
  'count_over_time', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'delta', 'deriv', 'exp',
  'floor', 'histogram_quantile', 'holt_winters', 'hour', 'idelta', 'increase', 'irate', 'label_join',
  'label_replace', 'last_over_time', 'ln', 'log10', 'log2', 'max_over_time', 'min_over_time', 'minute', 'month',
  'predict_linear', 'present_over_time', 'quantile_over_time', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort',
  'sort_desc', 'sqrt', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'time', 'timestamp', 'vector',
  'year', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg',
  'rad', 'pi',
];
const AGGREGATIONS = [
  'sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values',
];
const KEYWORDS = ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless'];

const HISTORY_KEY = 'cistern.history';
const HISTORY_MAX = 50;

export function loadHistory() {
  try {
    const v = JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]');
    return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function addHistory(expr) {
  const e = expr.trim();
  if (!e) return;
  const list = [e, ...loadHistory().filter((x) => x !== e)].slice(0, HISTORY_MAX);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(list));
}

// Metric names, fetched once per page view and refreshed at most every 60 s.
let metricNames = [];
let metricNamesAt = 0;
async function refreshMetricNames() {
  if (Date.now() - metricNamesAt < 60000) return;
  metricNamesAt = Date.now();
  try {
    const {data} = await api('label/__name__/values');
    if (Array.isArray(data)) metricNames = data;
  } catch {
    metricNamesAt = 0; // try again next time; the box works without completions
  }
}

// Label names and values for completions inside braces, per metric, cached
// for 60 s: /api/v1/labels and /api/v1/label/<name>/values with match[].
const labelCache = new Map();
function cachedList(key, fetcher, onReady) {
  const hit = labelCache.get(key);
  if (hit && Date.now() - hit.at < 60000) return hit.list;
  if (!hit || !hit.pending) {
    labelCache.set(key, {at: hit ? hit.at : 0, list: hit ? hit.list : [], pending: true});
    fetcher().then(
      ({data}) => {
        labelCache.set(key, {at: Date.now(), list: Array.isArray(data) ? data : [], pending: false});
        onReady();
      },
      () => labelCache.set(key, {at: Date.now(), list: [], pending: false}),
    );
  }
  return hit ? hit.list : [];
}
const labelNames = (metric, onReady) =>
  cachedList(`n:${metric || ''}`, () => api('labels', metric ? {'match[]': metric} : {}), onReady).filter((n) => n !== '__name__');
const labelValues = (name, metric, onReady) =>
  cachedList(`v:${name}:${metric || ''}`, () => api(`label/${encodeURIComponent(name)}/values`, metric ? {'match[]': metric} : {}), onReady);

// onRun(expr) is called on Enter.
export function createExprInput({value = '', onRun}) {
  const ta = h('textarea', {
    class: 'expr',
    rows: 1,
    spellcheck: false,
    autocomplete: 'off',
    placeholder: 'Expression (Enter runs, Shift+Enter: new line, Tab: complete)',
    'aria-label': 'Expression',
  });
  ta.value = value;
  const menu = h('ul', {class: 'completions', role: 'listbox', hidden: true});
  const historyBtn = h('button', {type: 'button', class: 'icon-btn', title: 'Query history', 'aria-label': 'Query history'});
  historyBtn.innerHTML =
    '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">' +
    '<path d="M3 12a9 9 0 1 0 3-6.7L3 8"/><path d="M3 3v5h5"/><path d="M12 7v5l3 3"/></svg>';
  const wrap = h('div', {class: 'expr-wrap'}, ta, historyBtn, menu);

  let items = []; // {text, kind, insert: [from, to]}
  let selected = -1;

  const grow = () => {
    ta.style.height = 'auto';
    ta.style.height = `${ta.scrollHeight + 2}px`;
  };

  function close() {
    menu.hidden = true;
    items = [];
    selected = -1;
  }

  function render() {
    clear(menu);
    if (!items.length) {
      menu.hidden = true;
      return;
    }
    items.forEach((it, i) => {
      const li = h(
        'li',
        {
          class: `completion ${i === selected ? 'selected' : ''}`,
          role: 'option',
          'data-kind': it.kind,
          onmousedown: (ev) => {
            ev.preventDefault();
            accept(i);
          },
        },
        h('span', {class: 'completion-text'}, it.text),
        h('span', {class: 'completion-kind'}, it.kind),
      );
      menu.append(li);
    });
    menu.hidden = false;
    const sel = menu.children[selected];
    if (sel) sel.scrollIntoView({block: 'nearest'});
  }

  function showHistory() {
    const hist = loadHistory();
    items = hist.map((t) => ({text: t, kind: 'history', insert: [0, ta.value.length]}));
    selected = -1;
    render();
  }

  // The identifier that ends at the cursor, and the completions for it.
  function complete() {
    const pos = ta.selectionStart;
    const before = ta.value.slice(0, pos);
    if (ta.value.trim() === '') {
      showHistory();
      return;
    }
    if (before.lastIndexOf('{') > before.lastIndexOf('}')) {
      completeInBraces(before, pos);
      return;
    }
    const m = /[a-zA-Z_:][a-zA-Z0-9_:]*$/.exec(before);
    // Not inside a string or braces' label value, and a word of at least one character.
    const quotes = (before.match(/"/g) || []).length;
    if (!m || quotes % 2 === 1) {
      close();
      return;
    }
    const word = m[0];
    const from = pos - word.length;
    let to = pos;
    while (to < ta.value.length && /[a-zA-Z0-9_:]/.test(ta.value[to])) to++;
    const lw = word.toLowerCase();
    const inBraces = before.lastIndexOf('{') > before.lastIndexOf('}');
    const out = [];
    const seen = new Set();
    const add = (text, kind) => {
      if (text !== word && !seen.has(text)) {
        seen.add(text);
        out.push({text, kind, insert: [from, to]});
      }
    };
    if (!inBraces) {
      for (const f of FUNCTIONS) if (f.startsWith(lw)) add(f, 'function');
      for (const a of AGGREGATIONS) if (a.startsWith(lw)) add(a, 'aggregation');
      for (const k of KEYWORDS) if (k.startsWith(lw) && word.length >= 2) add(k, 'keyword');
      const prefix = [];
      const inner = [];
      for (const n of metricNames) {
        const ln = n.toLowerCase();
        if (ln.startsWith(lw)) prefix.push(n);
        else if (lw.length >= 2 && ln.includes(lw)) inner.push(n);
        if (prefix.length >= 200) break;
      }
      for (const n of prefix) add(n, 'metric');
      for (const n of inner.slice(0, 100)) add(n, 'metric');
    }
    items = out.slice(0, 100);
    selected = -1; // Enter still runs; Tab (or arrows, then Enter) takes a completion
    render();
  }

  // Inside a selector's braces: label names, or the values of the label
  // whose matcher string the cursor is in, for the metric before the brace.
  function completeInBraces(before, pos) {
    const open = before.lastIndexOf('{');
    const metric = (/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(before.slice(0, open)) || [])[1];
    const again = () => {
      if (document.activeElement === ta) complete();
    };
    const value = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(before.slice(open));
    let word;
    let list;
    let kind;
    if (value) {
      word = value[3];
      list = labelValues(value[1], metric, again).map((v) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"'));
      kind = 'label value';
    } else {
      const name = /[{,]\s*([a-zA-Z_][a-zA-Z0-9_]*)?$/.exec(before);
      if (!name) {
        close();
        return;
      }
      word = name[1] || '';
      list = labelNames(metric, again);
      kind = 'label';
    }
    const lw = word.toLowerCase();
    const from = pos - word.length;
    const pre = list.filter((x) => x.toLowerCase().startsWith(lw) && x !== word);
    const mid = lw ? list.filter((x) => !x.toLowerCase().startsWith(lw) && x.toLowerCase().includes(lw)) : [];
    items = [...pre, ...mid].slice(0, 100).map((text) => ({text, kind, insert: [from, pos]}));
    selected = -1;
    render();
  }

  function accept(i) {
    const it = items[i];
    if (!it) return;
    const [from, to] = it.insert;
    let text = it.text;
    const after = ta.value.slice(to);
    if ((it.kind === 'function' || it.kind === 'aggregation') && !after.startsWith('(')) text += '()';
    if (it.kind === 'label value' && !after.startsWith('"')) text += '"';
    ta.value = ta.value.slice(0, from) + text + after;
    let caret = from + text.length;
    if (text.endsWith('()') && it.kind !== 'history') caret -= 1;
    if (it.kind === 'label value') caret = from + text.length + (text.endsWith('"') ? 0 : 1);
    ta.setSelectionRange(caret, caret);
    close();
    grow();
    ta.focus();
  }

  ta.addEventListener('input', () => {
    grow();
    complete();
  });
  ta.addEventListener('focus', () => {
    refreshMetricNames();
    if (ta.value.trim() === '') showHistory();
  });
  ta.addEventListener('blur', () => setTimeout(close, 100));
  ta.addEventListener('keydown', (ev) => {
    const open = !menu.hidden && items.length > 0;
    if (open && (ev.key === 'ArrowDown' || ev.key === 'ArrowUp')) {
      ev.preventDefault();
      const n = items.length;
      selected = ev.key === 'ArrowDown' ? (selected + 1) % n : (selected - 1 + n) % n;
      render();
      return;
    }
    if (open && ev.key === 'Tab' && !ev.shiftKey) {
      ev.preventDefault();
      accept(selected >= 0 ? selected : 0);
      return;
    }
    if (open && selected >= 0 && ev.key === 'Enter' && !ev.shiftKey && items[selected].kind !== 'history') {
      ev.preventDefault();
      accept(selected);
      return;
    }
    if (open && ev.key === 'Enter' && !ev.shiftKey && selected >= 0 && items[selected].kind === 'history') {
      ev.preventDefault();
      accept(selected);
      onRun(ta.value);
      return;
    }
    if (ev.key === 'Escape') {
      close();
      return;
    }
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      close();
      onRun(ta.value);
    }
  });
  historyBtn.addEventListener('click', () => {
    if (!menu.hidden && items.length && items[0].kind === 'history') {
      close();
      return;
    }
    ta.focus();
    showHistory();
  });

  requestAnimationFrame(grow);
  refreshMetricNames();
  return {
    element: wrap,
    get value() {
      return ta.value;
    },
    set value(v) {
      ta.value = v;
      grow();
    },
    focus: () => ta.focus(),
    textarea: ta,
  };
}
