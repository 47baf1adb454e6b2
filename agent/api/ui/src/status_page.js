// /status: build, runtime, TSDB (head and cardinality), configuration and
// flags, each from its /api/v1/status/* endpoint and shown on its own (one
// failing endpoint does not hide the others).
import {api} from './api.js';
import {clear, errorBox, formatTime, h, kvTable, loading} from './util.js';

function section(title, id) {
  const body = h('div', null, loading());
  return {el: h('section', {class: 'panel status-section', 'data-testid': `status-${id}`}, h('h2', null, title), body), body};
}

const topTable = (title, rows) =>
  h('div', {class: 'top-table'}, h('h3', null, title),
    !rows || !rows.length ? h('div', {class: 'muted'}, 'none reported') : h('table', {class: 'list'},
      h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, 'Count'))),
      h('tbody', null, (rows || []).map((r) => h('tr', null, h('td', null, r.name), h('td', {class: 'num'}, String(r.value)))))));

export function mountStatus(root) {
  const build = section('Build information', 'build');
  const runtime = section('Runtime information', 'runtime');
  const tsdb = section('TSDB status', 'tsdb');
  const config = section('Configuration', 'config');
  const flags = section('Command-line flags', 'flags');
  root.append(h('h1', null, 'Status'), build.el, runtime.el, tsdb.el, config.el, flags.el);

  const show = (sec, path, render) =>
    api(path).then(({data}) => clear(sec.body).append(render(data)), (err) => clear(sec.body).append(errorBox(err)));

  show(build, 'status/buildinfo', (d) => kvTable(d));
  show(runtime, 'status/runtimeinfo', (d) =>
    kvTable(d, (k, v) => (/Time$/.test(k) && !Number.isNaN(Date.parse(v)) ? `${formatTime(Date.parse(v))} (${v})` : v)));
  show(tsdb, 'status/tsdb', (d) => {
    const hs = d.headStats || {};
    const head = {...hs};
    for (const k of ['minTime', 'maxTime']) if (typeof hs[k] === 'number' && Math.abs(hs[k]) < 1e15) head[k] = `${formatTime(hs[k], true)} (${hs[k]})`;
    return h('div', null,
      h('h3', null, 'Head'), kvTable(head),
      h('div', {class: 'top-tables'},
        topTable('Top series count by metric name', d.seriesCountByMetricName),
        topTable('Top label names by value count', d.labelValueCountByLabelName),
        topTable('Top label names by memory used (bytes)', d.memoryInBytesByLabelName),
        topTable('Top series count by label pair', d.seriesCountByLabelValuePair)));
  });
  show(config, 'status/config', (d) => h('pre', {class: 'config'}, d.yaml ?? JSON.stringify(d, null, 2)));
  show(flags, 'status/flags', (d) => kvTable(d));
  return () => {};
}
