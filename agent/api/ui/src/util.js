// Small DOM and formatting helpers shared by the pages.

// h('div', {class: 'x', onclick: fn}, child, 'text', [more children])
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else if (k === 'style' && typeof v === 'object') Object.assign(e.style, v);
      else if (k in e && typeof v !== 'string') e[k] = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
  return e;
}

// Times shown in UTC or the browser's zone, as the nav's checkbox says.
export const settings = {
  get utc() {
    return localStorage.getItem('cistern.utc') === '1';
  },
  set utc(v) {
    localStorage.setItem('cistern.utc', v ? '1' : '0');
  },
};

const pad = (n, w = 2) => String(n).padStart(w, '0');

// "2026-11-22 15:05:07" (ms precision if it has any), local or UTC.
export function formatTime(ms, withMs = false) {
  const d = new Date(ms);
  const u = settings.utc;
  const s =
    `${u ? d.getUTCFullYear() : d.getFullYear()}-${pad((u ? d.getUTCMonth() : d.getMonth()) + 1)}-` +
    `${pad(u ? d.getUTCDate() : d.getDate())} ${pad(u ? d.getUTCHours() : d.getHours())}:` +
    `${pad(u ? d.getUTCMinutes() : d.getMinutes())}:${pad(u ? d.getUTCSeconds() : d.getSeconds())}`;
  const frac = withMs && ms % 1000 !== 0 ? '.' + pad(Math.round(ms) % 1000, 3) : '';
  return s + frac + (u ? ' UTC' : '');
}

// "3m 20s ago", "in 5s"
export function formatAgo(ms) {
  if (!ms || ms <= 0) return 'never';
  const d = Date.now() - ms;
  const s = formatDuration(Math.abs(d) / 1000);
  return d >= 0 ? `${s} ago` : `in ${s}`;
}

const UNITS = [
  ['y', 365 * 86400],
  ['w', 7 * 86400],
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

// Seconds -> Prometheus duration ("1h30m", "15s", "250ms").
export function formatDuration(sec) {
  if (!isFinite(sec)) return String(sec);
  if (sec < 0.01) return sec <= 0 ? '0s' : `${Number((sec * 1000).toPrecision(2))}ms`;
  if (sec < 1) return `${Math.round(sec * 1000)}ms`;
  let rest = Math.round(sec);
  let out = '';
  for (const [u, n] of UNITS) {
    if (rest >= n) {
      out += Math.floor(rest / n) + u;
      rest %= n;
    }
  }
  return out;
}

// Prometheus duration ("1h30m", "90s", "2d") -> seconds; null if invalid.
export function parseDuration(text) {
  const t = String(text).trim();
  if (t === '') return null;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+)(ms|y|w|d|h|m|s)/g;
  let total = 0;
  let pos = 0;
  let m;
  while ((m = re.exec(t)) !== null) {
    if (m.index !== pos) return null;
    pos = re.lastIndex;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : n * UNITS.find(([u]) => u === m[2])[1];
  }
  return pos === t.length && total > 0 ? total : null;
}

// A sample value as the API sends it ("1.5", "NaN", "+Inf") -> number.
export function parseValue(v) {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

// Compact axis labels: 1.2k, 3.4M, 5m, 20µ.
const SI = [
  [1e24, 'Y'], [1e21, 'Z'], [1e18, 'E'], [1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k'],
];
const SI_SMALL = [[1e-3, 'm'], [1e-6, 'µ'], [1e-9, 'n'], [1e-12, 'p']];
export function formatSI(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  for (const [n, s] of SI) if (a >= n) return trim(v / n) + s;
  if (a >= 0.001) return trim(v);
  for (const [n, s] of SI_SMALL) if (a >= n) return trim(v / n) + s;
  return v.toExponential(2);
}
const trim = (x) => String(Number(x.toPrecision(4)));

// Full precision, like Prometheus' own UI.
export function formatValue(v) {
  if (v === null || v === undefined) return '';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

// {__name__="x", a="b"} -> 'x{a="b"}'
export function seriesName(metric) {
  const name = metric.__name__ || '';
  const labels = Object.keys(metric)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}="${escapeLabel(metric[k])}"`);
  return labels.length || !name ? `${name}{${labels.join(', ')}}` : name;
}

// The same, as DOM nodes with label names and values styled.
export function seriesNode(metric) {
  const name = metric.__name__ || '';
  const keys = Object.keys(metric)
    .filter((k) => k !== '__name__')
    .sort();
  const parts = [name ? h('span', {class: 'metric-name'}, name) : null];
  if (keys.length || !name) {
    parts.push('{');
    keys.forEach((k, i) => {
      if (i) parts.push(', ');
      parts.push(h('span', {class: 'label-name'}, k), '="', h('span', {class: 'label-value'}, escapeLabel(metric[k])), '"');
    });
    parts.push('}');
  }
  return h('span', {class: 'series-name'}, parts);
}

const escapeLabel = (v) => String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function labelsNode(labels) {
  return h(
    'span',
    {class: 'labels'},
    Object.keys(labels || {})
      .sort()
      .map((k) => h('span', {class: 'label-badge'}, `${k}="${labels[k]}"`)),
  );
}

// A link to the graph page for an expression (from rules and alerts).
export function graphLink(expr, tab = 'graph') {
  const p = new URLSearchParams({'g0.expr': expr, 'g0.tab': tab === 'table' ? '1' : '0'});
  return `/graph?${p}`;
}

// A key/value table for status objects.
export function kvTable(obj, format = (k, v) => v) {
  return h(
    'table',
    {class: 'kv'},
    h(
      'tbody',
      null,
      Object.entries(obj || {}).map(([k, v]) =>
        h('tr', null, h('th', null, k), h('td', null, format(k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)))),
      ),
    ),
  );
}

export function errorBox(err, extra) {
  return h('div', {class: 'error-box', role: 'alert'}, h('strong', null, 'Error: '), err.message || String(err), extra);
}

export function loading(text = 'Loading…') {
  return h('div', {class: 'loading'}, text);
}
