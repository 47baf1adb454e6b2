// /alerts (active alerts from /api/v1/alerts, alerting rules with their
// state from /api/v1/rules?type=alert) and /rules (every group and rule from
// /api/v1/rules, with health, last error and evaluation times).
import {api} from './api.js';
import {clear, errorBox, formatAgo, formatDuration, formatValue, graphLink, h, labelsNode, loading, parseValue} from './util.js';

const link = (expr) => h('a', {href: graphLink(expr, 'table'), class: 'expr-link', 'data-nav': ''}, expr);

function ruleDefinition(r) {
  const lines = [];
  lines.push(h('div', null, h('span', {class: 'k'}, r.type === 'alerting' ? 'alert: ' : 'record: '), h('strong', null, r.name)));
  lines.push(h('div', null, h('span', {class: 'k'}, 'expr: '), link(r.query)));
  if (r.duration) lines.push(h('div', null, h('span', {class: 'k'}, 'for: '), formatDuration(r.duration)));
  if (r.labels && Object.keys(r.labels).length) lines.push(h('div', null, h('span', {class: 'k'}, 'labels: '), labelsNode(r.labels)));
  if (r.annotations && Object.keys(r.annotations).length) {
    lines.push(h('div', null, h('span', {class: 'k'}, 'annotations:'),
      h('dl', {class: 'annotations'}, Object.entries(r.annotations).flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]))));
  }
  return h('div', {class: 'rule-def'}, lines);
}

function alertsTable(alerts) {
  return h('table', {class: 'list'},
    h('thead', null, h('tr', null, ['Labels', 'State', 'Active since', 'Value'].map((c) => h('th', null, c)))),
    h('tbody', null, alerts.map((a) =>
      h('tr', {'data-testid': 'alert-row'},
        h('td', null, labelsNode(a.labels)),
        h('td', null, h('span', {class: `badge state-${a.state}`}, a.state.toUpperCase())),
        h('td', {title: a.activeAt}, a.activeAt ? formatAgo(Date.parse(a.activeAt)) : ''),
        h('td', {class: 'num'}, a.value === undefined ? '' : formatValue(parseValue(a.value)))))));
}

function poll(load, ms) {
  let alive = true;
  let timer = null;
  const tick = async () => {
    await load();
    if (alive) timer = setTimeout(tick, ms);
  };
  tick();
  return () => {
    alive = false;
    clearTimeout(timer);
  };
}

export function mountAlerts(root) {
  const active = h('div', null, loading());
  const rules = h('div', null, loading());
  root.append(h('section', {class: 'panel'}, h('h1', null, 'Alerts'), h('h2', null, 'Active alerts'), active,
    h('h2', null, 'Alerting rules'), rules));
  return poll(async () => {
    await Promise.all([
      api('alerts').then(({data}) => {
        clear(active);
        const list = data.alerts || [];
        if (!list.length) active.append(h('div', {class: 'empty', 'data-testid': 'no-alerts'}, 'No alerts are pending or firing.'));
        else active.append(alertsTable(list));
      }, (err) => clear(active).append(errorBox(err))),
      api('rules', {type: 'alert'}).then(({data}) => {
        clear(rules);
        const groups = data.groups || [];
        const all = groups.flatMap((g) => (g.rules || []).filter((r) => r.type === 'alerting').map((r) => ({g, r})));
        if (!all.length) {
          rules.append(h('div', {class: 'empty', 'data-testid': 'no-alert-rules'}, 'No alerting rules are configured ([rules] files).'));
          return;
        }
        const count = (s) => all.filter(({r}) => r.state === s).length;
        rules.append(h('div', {class: 'toolbar'},
          ['firing', 'pending', 'inactive'].map((s) => h('span', {class: `badge state-${s}`}, `${s} (${count(s)})`))));
        for (const {g, r} of all) {
          rules.append(h('details', {class: `alert-rule rule-${r.state}`, open: r.state !== 'inactive', 'data-testid': 'alert-rule'},
            h('summary', null, h('span', {class: `badge state-${r.state}`}, r.state.toUpperCase()), ' ', h('strong', null, r.name),
              h('span', {class: 'muted'}, ` ${g.file} › ${g.name}`), (r.alerts || []).length ? ` (${r.alerts.length} active)` : ''),
            ruleDefinition(r),
            (r.alerts || []).length ? alertsTable(r.alerts) : null));
        }
      }, (err) => clear(rules).append(errorBox(err))),
    ]);
  }, 15000);
}

export function mountRules(root) {
  const body = h('div', null, loading());
  root.append(h('section', {class: 'panel'}, h('h1', null, 'Rules'), body));
  return poll(async () => {
    try {
      const {data} = await api('rules');
      clear(body);
      const groups = data.groups || [];
      if (!groups.length) {
        body.append(h('div', {class: 'empty', 'data-testid': 'no-rules'}, 'No rule groups are configured ([rules] files).'));
        return;
      }
      for (const g of groups) {
        body.append(h('div', {class: 'rule-group', 'data-testid': 'rule-group'},
          h('h2', null, g.name, h('span', {class: 'muted'}, ` ${g.file}`)),
          h('div', {class: 'muted'}, `interval ${formatDuration(g.interval)} · last evaluation ${formatAgo(Date.parse(g.lastEvaluation))}` +
            ` · took ${formatDuration(g.evaluationTime || 0)}`),
          h('table', {class: 'list'},
            h('thead', null, h('tr', null, ['Rule', 'State', 'Error', 'Last evaluation', 'Evaluation time'].map((c) => h('th', null, c)))),
            h('tbody', null, (g.rules || []).map((r) =>
              h('tr', null,
                h('td', null, ruleDefinition(r)),
                h('td', null, h('span', {class: `badge health-${r.health === 'ok' ? 'up' : r.health === 'err' ? 'down' : 'unknown'}`},
                  (r.health || 'unknown').toUpperCase())),
                h('td', {class: 'error-cell'}, r.lastError || ''),
                h('td', null, formatAgo(Date.parse(r.lastEvaluation))),
                h('td', null, formatDuration(r.evaluationTime || 0))))))));
      }
    } catch (err) {
      clear(body).append(errorBox(err));
    }
  }, 15000);
}
