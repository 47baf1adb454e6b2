// /graph: expression box, Graph / Table tabs, time range, resolution,
// stacked, auto-refresh. State lives in the URL with Prometheus' g0.*
// parameter names, so links from Prometheus-style alert generator URLs work.
import {api, parseErrorPosition} from './api.js';
import {Chart} from './chart.js';
import {addHistory, createExprInput} from './expr_input.js';
import {renderTable} from './table.js';
import {clear, errorBox, formatDuration, h, parseDuration, settings} from './util.js';

const RANGES = [60, 300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2419200, 4838400,
  15724800, 31449600];
const REFRESH = [['off', 0], ['5s', 5], ['10s', 10], ['30s', 30], ['1m', 60], ['5m', 300], ['15m', 900]];
const MAX_GRAPH_SERIES = 2000;

const pad = (n) => String(n).padStart(2, '0');
// ms -> the value of an <input type="datetime-local"> (browser zone or UTC).
function toInput(ms) {
  const d = new Date(ms);
  if (settings.utc) return d.toISOString().slice(0, 19);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
function fromInput(v) {
  if (!v) return null;
  const ms = settings.utc ? Date.parse(v.length === 16 ? `${v}:00Z` : `${v}Z`) : new Date(v).getTime();
  return Number.isFinite(ms) ? ms : null;
}
// g0.end_input / g0.moment_input: ISO, "YYYY-MM-DD HH:MM:SS" or unix seconds.
function parseTimeParam(v) {
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const iso = v.includes('T') ? v : v.replace(' ', 'T');
  const ms = /Z|[+-]\d\d:?\d\d$/.test(iso) ? Date.parse(iso) : fromInput(iso.slice(0, 19));
  return Number.isFinite(ms) ? ms : null;
}

function readState() {
  const p = new URLSearchParams(location.search);
  return {
    expr: p.get('g0.expr') || '',
    tab: p.get('g0.tab') === '1' ? 'table' : 'graph',
    range: parseDuration(p.get('g0.range_input') || '') || 3600,
    end: parseTimeParam(p.get('g0.end_input')),
    moment: parseTimeParam(p.get('g0.moment_input')),
    step: parseDuration(p.get('g0.step_input') || ''),
    stacked: p.get('g0.stacked') === '1',
    refresh: Number(p.get('refresh') || 0) || 0,
  };
}

function writeState(s) {
  const p = new URLSearchParams();
  p.set('g0.expr', s.expr);
  p.set('g0.tab', s.tab === 'table' ? '1' : '0');
  p.set('g0.range_input', formatDuration(s.range));
  if (s.end !== null) p.set('g0.end_input', new Date(s.end).toISOString());
  if (s.moment !== null) p.set('g0.moment_input', new Date(s.moment).toISOString());
  if (s.step) p.set('g0.step_input', formatDuration(s.step));
  if (s.stacked) p.set('g0.stacked', '1');
  if (s.refresh) p.set('refresh', String(s.refresh));
  history.replaceState(null, '', `/graph?${p}`);
}

export function autoStep(range) {
  return Math.max(Math.floor(range / 250), 1);
}

export function mountGraph(root) {
  const state = readState();
  let chart = null;
  let inflight = null;
  let timer = null;

  const input = createExprInput({value: state.expr, onRun: (e) => run(e, true)});
  const runBtn = h('button', {class: 'primary', type: 'button', onclick: () => run(input.value, true)}, 'Execute');

  const tabGraph = h('button', {type: 'button', class: 'tab', 'data-tab': 'graph', onclick: () => setTab('graph')}, 'Graph');
  const tabTable = h('button', {type: 'button', class: 'tab', 'data-tab': 'table', onclick: () => setTab('table')}, 'Table');

  // Graph controls.
  const rangeInput = h('input', {class: 'range-input', value: formatDuration(state.range), size: 6, title: 'Range (1h, 30m, 2d)',
    'aria-label': 'Range'});
  rangeInput.addEventListener('change', () => {
    const r = parseDuration(rangeInput.value);
    if (r) state.range = r;
    rangeInput.value = formatDuration(state.range);
    run(input.value);
  });
  const stepRange = (dir) => {
    const i = RANGES.findIndex((r) => r >= state.range);
    const cur = i < 0 ? RANGES.length - 1 : i;
    const next = dir < 0 ? (RANGES[cur] < state.range ? cur : cur - 1) : RANGES[cur] > state.range ? cur : cur + 1;
    state.range = RANGES[Math.max(0, Math.min(RANGES.length - 1, next))];
    rangeInput.value = formatDuration(state.range);
    run(input.value);
  };
  const endInput = h('input', {type: 'datetime-local', step: 1, class: 'time-input', title: 'End time (empty: now)',
    'aria-label': 'End time'});
  if (state.end !== null) endInput.value = toInput(state.end);
  endInput.addEventListener('change', () => {
    state.end = fromInput(endInput.value);
    run(input.value);
  });
  const shiftEnd = (dir) => {
    const base = state.end ?? Date.now();
    state.end = base + (dir * state.range * 1000) / 2;
    if (state.end >= Date.now()) state.end = null;
    endInput.value = state.end === null ? '' : toInput(state.end);
    run(input.value);
  };
  const stepInput = h('input', {class: 'step-input', size: 6, value: state.step ? formatDuration(state.step) : '',
    title: 'Resolution: seconds between points (empty: automatic)', 'aria-label': 'Resolution'});
  stepInput.addEventListener('change', () => {
    state.step = parseDuration(stepInput.value);
    stepInput.value = state.step ? formatDuration(state.step) : '';
    run(input.value);
  });
  const stacked = h('input', {type: 'checkbox', checked: state.stacked});
  stacked.addEventListener('change', () => {
    state.stacked = stacked.checked;
    run(input.value);
  });
  const refreshSel = h('select', {title: 'Auto-refresh (while the end time is now)', 'aria-label': 'Auto-refresh'},
    REFRESH.map(([label, v]) => h('option', {value: v, selected: v === state.refresh}, label)));
  refreshSel.addEventListener('change', () => {
    state.refresh = Number(refreshSel.value);
    schedule();
    writeState({...state, expr: input.value});
  });

  const graphControls = h('div', {class: 'controls'},
    h('span', {class: 'group'},
      h('button', {type: 'button', title: 'Shorter range', onclick: () => stepRange(-1)}, '−'),
      rangeInput,
      h('button', {type: 'button', title: 'Longer range', onclick: () => stepRange(1)}, '+')),
    h('span', {class: 'group'},
      h('button', {type: 'button', title: 'Back by half the range', onclick: () => shiftEnd(-1)}, '«'),
      endInput,
      h('button', {type: 'button', title: 'Forward by half the range', onclick: () => shiftEnd(1)}, '»'),
      h('button', {type: 'button', title: 'End now', onclick: () => {
        state.end = null;
        endInput.value = '';
        run(input.value);
      }}, 'now')),
    h('label', {class: 'group'}, 'Res. ', stepInput),
    h('label', {class: 'group'}, stacked, ' stacked'),
    h('label', {class: 'group'}, 'Refresh ', refreshSel));

  // Table controls.
  const momentInput = h('input', {type: 'datetime-local', step: 1, class: 'time-input', title: 'Evaluation time (empty: now)',
    'aria-label': 'Evaluation time'});
  if (state.moment !== null) momentInput.value = toInput(state.moment);
  momentInput.addEventListener('change', () => {
    state.moment = fromInput(momentInput.value);
    run(input.value);
  });
  const tableControls = h('div', {class: 'controls'},
    h('span', {class: 'group'}, 'Evaluation time ', momentInput,
      h('button', {type: 'button', onclick: () => {
        state.moment = null;
        momentInput.value = '';
        run(input.value);
      }}, 'now')));

  const info = h('div', {class: 'query-info', 'data-testid': 'query-info'});
  const errorEl = h('div', {class: 'query-error', 'data-testid': 'query-error'});
  const output = h('div', {class: 'output', 'data-testid': 'output'});

  root.append(
    h('section', {class: 'panel'},
      h('div', {class: 'expr-row'}, input.element, runBtn),
      h('div', {class: 'tabs'}, tabGraph, tabTable, h('span', {class: 'tab-controls'}, graphControls, tableControls)),
      errorEl,
      info,
      output));

  function setTab(tab) {
    state.tab = tab;
    tabGraph.classList.toggle('active', tab === 'graph');
    tabTable.classList.toggle('active', tab === 'table');
    graphControls.hidden = tab !== 'graph';
    tableControls.hidden = tab !== 'table';
    if (input.value.trim()) run(input.value);
    else writeState({...state, expr: input.value});
  }

  function showError(err, expr) {
    clear(errorEl);
    const pos = parseErrorPosition(err.message);
    let detail = null;
    if (pos) {
      const lines = expr.split('\n');
      const line = lines[pos.line - 1] ?? '';
      const caret = ' '.repeat(Math.max(0, pos.col - 1)) + '^';
      detail = h('div', {class: 'error-position'},
        h('div', {class: 'error-where'}, `line ${pos.line}, column ${pos.col}`),
        h('pre', {class: 'error-snippet', 'data-testid': 'error-snippet'}, `${line}\n${caret}`));
      // Put the cursor where the problem is.
      const offset = lines.slice(0, pos.line - 1).reduce((n, l) => n + l.length + 1, 0) + pos.col - 1;
      input.textarea.setSelectionRange(Math.min(offset, expr.length), Math.min(offset, expr.length));
    }
    errorEl.append(errorBox(err, detail));
    errorEl.dataset.errorType = err.type || '';
  }

  async function run(expr, fromUser = false) {
    expr = expr.trim();
    if (inflight) inflight.abort();
    clearTimeout(timer);
    writeState({...state, expr});
    if (!expr) return;
    if (fromUser) addHistory(expr);
    const ctrl = new AbortController();
    inflight = ctrl;
    root.dataset.state = 'loading';
    const t0 = performance.now();
    try {
      if (state.tab === 'graph') {
        const end = (state.end ?? Date.now()) / 1000;
        const start = end - state.range;
        const step = state.step || autoStep(state.range);
        const {data, warnings} = await api('query_range', {query: expr, start, end, step}, {signal: ctrl.signal});
        if (ctrl.signal.aborted) return;
        const t1 = performance.now();
        clear(errorEl);
        drawGraph(data, {start, end, step});
        setInfo(t0, data, warnings, `resolution ${formatDuration(step)}`, t1);
      } else {
        const time = state.moment === null ? undefined : state.moment / 1000;
        const {data, warnings} = await api('query', {query: expr, time}, {signal: ctrl.signal});
        if (ctrl.signal.aborted) return;
        clear(errorEl);
        if (chart) chart.destroy();
        chart = null;
        clear(output);
        renderTable(output, data);
        setInfo(t0, data, warnings, '');
      }
      root.dataset.state = 'done';
    } catch (err) {
      if (err.name === 'AbortError') return;
      showError(err, expr);
      clear(info);
      root.dataset.state = 'error';
    } finally {
      if (inflight === ctrl) inflight = null;
      schedule();
    }
  }

  // "Load time: 40 ms (query 31 ms, drawing 9 ms) · 16 series · resolution 14s"
  function setInfo(t0, data, warnings, extra, t1) {
    clear(info);
    const now = performance.now();
    const ms = Math.round(now - t0);
    const split = t1 ? ` (query ${Math.round(t1 - t0)} ms, drawing ${Math.round(now - t1)} ms)` : '';
    const n = Array.isArray(data.result) ? data.result.length : 1;
    const what = data.resultType === 'scalar' || data.resultType === 'string' ? data.resultType : 'series';
    info.append(`Load time: ${ms} ms${split} · ${n} ${what}`, extra ? ` · ${extra}` : '');
    for (const w of warnings) info.append(h('div', {class: 'warning'}, `Warning: ${w}`));
  }

  function drawGraph(data, range) {
    let result = data.result;
    if (data.resultType === 'scalar') result = [{metric: {}, values: [data.result]}];
    if (!Array.isArray(result)) result = [];
    if (!result.length) {
      if (chart) chart.destroy();
      chart = null;
      clear(output);
      output.append(h('div', {class: 'empty', 'data-testid': 'empty-result'}, 'Empty query result'));
      return;
    }
    let note = null;
    if (result.length > MAX_GRAPH_SERIES) {
      note = h('div', {class: 'warning'}, `Showing the first ${MAX_GRAPH_SERIES} of ${result.length} series.`);
      result = result.slice(0, MAX_GRAPH_SERIES);
    }
    if (!chart) {
      clear(output);
      chart = new Chart(output);
      chart.onZoom = (a, b) => {
        state.range = Math.max(1, Math.round(b - a));
        state.end = Math.round(b * 1000);
        rangeInput.value = formatDuration(state.range);
        endInput.value = toInput(state.end);
        run(input.value);
      };
    }
    output.querySelectorAll(':scope > .warning').forEach((e) => e.remove());
    if (note) output.prepend(note);
    chart.render(result, {...range, stacked: state.stacked});
  }

  function schedule() {
    clearTimeout(timer);
    const live = state.tab === 'graph' ? state.end === null : state.moment === null;
    if (state.refresh > 0 && live && input.value.trim()) {
      timer = setTimeout(() => {
        if (!document.hidden) run(input.value);
        else schedule();
      }, state.refresh * 1000);
    }
  }

  tabGraph.classList.toggle('active', state.tab === 'graph');
  tabTable.classList.toggle('active', state.tab === 'table');
  graphControls.hidden = state.tab !== 'graph';
  tableControls.hidden = state.tab !== 'table';
  if (state.expr) run(state.expr);
  else input.focus();

  return () => {
    clearTimeout(timer);
    if (inflight) inflight.abort();
    if (chart) chart.destroy();
  };
}
