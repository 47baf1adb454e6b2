// The table view of an instant query: one row per series (vector), the
// samples of each series (matrix), or the single value (scalar, string).
import {formatTime, formatValue, h, parseValue, seriesNode} from './util.js';

const MAX_ROWS = 10000;

export function renderTable(container, data) {
  const rows = [];
  const {resultType, result} = data;
  if (resultType === 'scalar' || resultType === 'string') {
    rows.push(h('tr', null, h('td', {class: 'series'}, h('em', null, resultType)), h('td', {class: 'value'}, String(result[1]))));
  } else if (resultType === 'vector') {
    for (const s of result.slice(0, MAX_ROWS)) {
      const v = s.value ? formatValue(parseValue(s.value[1])) : s.histogram ? 'native histogram' : '';
      rows.push(h('tr', null, h('td', {class: 'series'}, seriesNode(s.metric)), h('td', {class: 'value'}, v)));
    }
  } else if (resultType === 'matrix') {
    for (const s of result.slice(0, MAX_ROWS)) {
      const vals = (s.values || []).map(([t, v]) =>
        h('div', {class: 'sample'}, formatValue(parseValue(v)), h('span', {class: 'at'}, ` @${t} (${formatTime(t * 1000, true)})`)));
      rows.push(h('tr', null, h('td', {class: 'series'}, seriesNode(s.metric)), h('td', {class: 'value'}, vals)));
    }
  }
  const n = Array.isArray(result) ? result.length : 1;
  if (n === 0) {
    container.append(h('div', {class: 'empty', 'data-testid': 'empty-result'}, 'Empty query result'));
    return;
  }
  container.append(
    n > MAX_ROWS ? h('div', {class: 'warning'}, `Showing the first ${MAX_ROWS} of ${n} series.`) : null,
    h('table', {class: 'result-table', 'data-testid': 'result-table'},
      h('thead', null, h('tr', null, h('th', null, 'Series'), h('th', null, 'Value'))),
      h('tbody', null, rows)));
}
