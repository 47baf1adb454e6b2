// The graph of a range query: uPlot with one line per series, stacked or
// not, a legend of full label sets (click: only this series; Ctrl/Cmd+click:
// toggle it) that shows each series' value under the cursor, and a tooltip
// naming the series nearest the cursor.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import {h, clear, formatSI, formatTime, formatValue, parseValue, seriesName, seriesNode, settings} from './util.js';

const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#3366cc', '#dc3912', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00', '#b82e2e', '#316395', '#994499',
];
// Time-axis labels in 24-hour ISO style (uPlot's table: tick increment, then
// the format for the first tick and when the year/month/day/hour/minute/second changes).
const TIME_VALUES = [
  [3600 * 24 * 365, '{YYYY}', null, null, null, null, null, null, 1],
  [3600 * 24 * 28, '{YYYY}-{MM}', '\n{YYYY}', null, null, null, null, null, 1],
  [3600 * 24, '{MM}-{DD}', '\n{YYYY}', null, null, null, null, null, 1],
  [3600, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
  [60, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
  [1, '{HH}:{mm}:{ss}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
  [0.001, ':{ss}.{fff}', '\n{YYYY}-{MM}-{DD} {HH}:{mm}', null, '\n{MM}-{DD} {HH}:{mm}', null, '\n{HH}:{mm}', null, 1],
];

export function colorOf(i) {
  if (i < PALETTE.length) return PALETTE[i];
  // Beyond the palette: spread hues by the golden angle.
  return `hsl(${Math.round((i * 137.508) % 360)}, 65%, 45%)`;
}

function alpha(color, a) {
  if (color.startsWith('#')) {
    const n = parseInt(color.slice(1), 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
  }
  return color.replace('hsl(', 'hsla(').replace(')', `, ${a})`);
}

// result: the API's matrix; start, end (s), step (s).
// Returns the x values (s) and one column of numbers (or null) per series.
export function alignMatrix(result, start, end, step) {
  const n = Math.max(1, Math.floor((end - start) / step + 1e-9) + 1);
  const xs = new Array(n);
  for (let i = 0; i < n; i++) xs[i] = start + i * step;
  const cols = result.map((s) => {
    const col = new Array(n).fill(null);
    for (const [t, v] of s.values || []) {
      const i = Math.round((t - start) / step);
      const x = parseValue(v);
      if (i >= 0 && i < n && Number.isFinite(x)) col[i] = x;
    }
    return col;
  });
  return {xs, cols};
}

function stack(cols, shown) {
  const n = cols.length ? cols[0].length : 0;
  const acc = new Array(n).fill(0);
  return cols.map((col, si) => {
    if (!shown[si]) return col.map(() => null);
    return col.map((v, i) => {
      if (v === null) return null;
      acc[i] += v;
      return acc[i];
    });
  });
}

export class Chart {
  // container: where the chart and legend go. Call destroy() when done.
  constructor(container) {
    this.container = container;
    this.plotEl = h('div', {class: 'plot', 'data-testid': 'chart'});
    this.tooltip = h('div', {class: 'chart-tooltip', hidden: true});
    this.legendEl = h('div', {class: 'legend', 'data-testid': 'legend'});
    this.plotWrap = h('div', {class: 'plot-wrap'}, this.plotEl, this.tooltip);
    container.append(this.plotWrap, this.legendEl);
    this.u = null;
    this.resize = new ResizeObserver(() => {
      if (this.u) this.u.setSize(this.size());
    });
    this.resize.observe(this.plotWrap);
  }

  size() {
    return {width: Math.max(300, this.plotWrap.clientWidth), height: 380};
  }

  // result: matrix; opts: {start, end, step, stacked}.
  render(result, {start, end, step, stacked}) {
    this.result = result;
    this.stacked = stacked;
    const {xs, cols} = alignMatrix(result, start, end, step);
    this.xs = xs;
    this.cols = cols;
    if (!this.shown || this.shown.length !== result.length || this.lastKey !== this.keyOf(result)) {
      this.shown = result.map(() => true);
    }
    this.lastKey = this.keyOf(result);
    this.drawn = new Set();
    this.plotEl.dataset.series = String(result.length);
    this.plotEl.dataset.drawnSeries = '0';
    this.build(start, end);
    this.renderLegend();
  }

  keyOf(result) {
    return result.map((s) => seriesName(s.metric)).join('\n');
  }

  build(start, end) {
    if (this.u) this.u.destroy();
    const stacked = this.stacked;
    const values = stacked ? stack(this.cols, this.shown) : this.cols;
    const series = [{}];
    this.result.forEach((s, i) => {
      const c = colorOf(i);
      series.push({
        label: seriesName(s.metric),
        stroke: c,
        width: 1.5,
        show: this.shown[i],
        fill: stacked ? alpha(c, 0.35) : undefined,
        spanGaps: false,
        points: {size: 4, fill: c},
        value: (u, v) => formatValue(v),
      });
    });
    const bands = [];
    if (stacked) {
      let prev = -1;
      this.result.forEach((_, i) => {
        if (!this.shown[i]) return;
        if (prev >= 0) {
          bands.push({series: [i + 1, prev + 1], fill: alpha(colorOf(i), 0.35)});
          series[i + 1].fill = undefined;
        }
        prev = i;
      });
      // The lowest shown series fills down to zero, the others to the one below.
    }
    const self = this;
    const style = getComputedStyle(document.documentElement);
    const fg = style.getPropertyValue('--fg-muted').trim() || '#666';
    const grid = style.getPropertyValue('--grid').trim() || '#e5e5e5';
    const opts = {
      ...this.size(),
      tzDate: settings.utc ? (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC') : undefined,
      scales: {x: {time: true, min: start, max: end}},
      series,
      bands,
      legend: {show: false},
      cursor: {
        focus: {prox: 16},
        points: {size: 6},
        drag: {x: true, y: false, setScale: false},
      },
      focus: {alpha: 0.35},
      axes: [
        {stroke: fg, grid: {stroke: grid}, ticks: {stroke: grid}, space: 70, values: TIME_VALUES},
        {
          stroke: fg,
          grid: {stroke: grid},
          ticks: {stroke: grid},
          size: 60,
          values: (u, ticks) => ticks.map(formatSI),
        },
      ],
      hooks: {
        drawSeries: [
          (u, si) => {
            self.drawn.add(si);
            self.plotEl.dataset.drawnSeries = String(self.drawn.size);
          },
        ],
        setCursor: [(u) => self.onCursor(u)],
        setSelect: [
          (u) => {
            // Drag to zoom: tell the page the new range.
            if (u.select.width > 5 && self.onZoom) {
              const a = u.posToVal(u.select.left, 'x');
              const b = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({left: 0, width: 0, top: 0, height: 0}, false);
              self.onZoom(a, b);
            }
          },
        ],
      },
    };
    // Columns in display order: x, then each series.
    this.u = new uPlot(opts, [this.xs, ...values], this.plotEl);
  }

  onCursor(u) {
    const idx = u.cursor.idx;
    const tip = this.tooltip;
    if (idx === null || idx === undefined || u.cursor.left < 0) {
      tip.hidden = true;
      this.updateLegendValues(null);
      return;
    }
    this.updateLegendValues(idx);
    // Nearest shown series to the cursor, by vertical distance.
    let best = -1;
    let bestDist = Infinity;
    for (let si = 1; si < u.series.length; si++) {
      if (!u.series[si].show) continue;
      const v = u.data[si][idx];
      if (v === null || v === undefined) continue;
      const d = Math.abs(u.valToPos(v, 'y') - u.cursor.top);
      if (d < bestDist) {
        bestDist = d;
        best = si;
      }
    }
    if (best < 0) {
      tip.hidden = true;
      return;
    }
    const s = this.result[best - 1];
    const raw = this.cols[best - 1][idx];
    clear(tip);
    tip.append(
      h('div', {class: 'tip-time'}, formatTime(u.data[0][idx] * 1000)),
      h(
        'div',
        {class: 'tip-series'},
        h('span', {class: 'swatch', style: {background: colorOf(best - 1)}}),
        seriesNode(s.metric),
      ),
      h('div', {class: 'tip-value'}, 'value: ', h('strong', null, formatValue(raw))),
    );
    tip.hidden = false;
    const w = this.plotWrap.clientWidth;
    const left = u.cursor.left + u.over.offsetLeft;
    const top = u.cursor.top + u.over.offsetTop;
    tip.style.left = `${Math.min(left + 14, w - tip.offsetWidth - 4)}px`;
    tip.style.top = `${top + 14}px`;
  }

  renderLegend() {
    clear(this.legendEl);
    this.valueEls = [];
    this.result.forEach((s, i) => {
      const val = h('span', {class: 'legend-value'});
      this.valueEls.push(val);
      const item = h(
        'div',
        {
          class: `legend-item ${this.shown[i] ? '' : 'hidden-series'}`,
          'data-testid': 'legend-item',
          title: 'Click: show only this series; Ctrl/Cmd+click: show or hide it',
          onclick: (ev) => this.toggle(i, ev.ctrlKey || ev.metaKey),
          onmouseenter: () => this.u && this.shown[i] && this.u.setSeries(i + 1, {focus: true}),
          onmouseleave: () => this.u && this.u.setSeries(null, {focus: false}),
        },
        h('span', {class: 'swatch', style: {background: colorOf(i)}}),
        seriesNode(s.metric),
        val,
      );
      this.legendEl.append(item);
    });
  }

  updateLegendValues(idx) {
    if (!this.valueEls) return;
    this.valueEls.forEach((el, i) => {
      el.textContent = idx === null ? '' : formatValue(this.cols[i][idx]);
    });
  }

  toggle(i, single) {
    const onlyThis = this.shown.every((v, j) => v === (j === i));
    if (single) this.shown[i] = !this.shown[i];
    else if (onlyThis) this.shown = this.shown.map(() => true);
    else this.shown = this.shown.map((_, j) => j === i);
    const x = this.u.scales.x;
    this.build(x.min, x.max);
    this.renderLegend();
  }

  destroy() {
    this.resize.disconnect();
    if (this.u) this.u.destroy();
    this.u = null;
    clear(this.container);
  }
}
