// /targets: /api/v1/targets' active targets grouped by scrape pool (for
// cistern: one pool per input), with health, last scrape and last error.
import {api} from './api.js';
import {clear, errorBox, formatAgo, formatDuration, h, labelsNode, loading} from './util.js';

export function mountTargets(root) {
  let onlyUnhealthy = false;
  let filter = '';
  let data = null;
  const body = h('div', {class: 'targets'}, loading());
  const search = h('input', {type: 'search', placeholder: 'Filter by endpoint or labels', class: 'filter'});
  search.addEventListener('input', () => {
    filter = search.value.toLowerCase();
    render();
  });
  const btnAll = h('button', {type: 'button', class: 'tab active', onclick: () => setMode(false)}, 'All');
  const btnBad = h('button', {type: 'button', class: 'tab', onclick: () => setMode(true)}, 'Unhealthy');
  root.append(h('section', {class: 'panel'}, h('h1', null, 'Targets'), h('div', {class: 'toolbar'}, btnAll, btnBad, search), body));

  function setMode(bad) {
    onlyUnhealthy = bad;
    btnAll.classList.toggle('active', !bad);
    btnBad.classList.toggle('active', bad);
    render();
  }

  function render() {
    if (!data) return;
    clear(body);
    const pools = new Map();
    for (const t of data.activeTargets || []) {
      const k = t.scrapePool || t.labels?.job || '';
      if (!pools.has(k)) pools.set(k, []);
      pools.get(k).push(t);
    }
    if (!pools.size) {
      body.append(h('div', {class: 'empty'}, 'No targets.'));
      return;
    }
    for (const [pool, targets] of [...pools.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const up = targets.filter((t) => t.health === 'up').length;
      const shown = targets.filter((t) => {
        if (onlyUnhealthy && t.health === 'up') return false;
        if (!filter) return true;
        const text = `${t.scrapeUrl} ${JSON.stringify(t.labels)} ${t.lastError}`.toLowerCase();
        return text.includes(filter);
      });
      if (!shown.length && (onlyUnhealthy || filter)) continue;
      const rows = shown.map((t) =>
        h('tr', {'data-testid': 'target-row'},
          h('td', null, t.scrapeUrl || t.labels?.instance || ''),
          h('td', null, h('span', {class: `badge health-${t.health}`}, t.health.toUpperCase())),
          h('td', null, labelsNode(t.labels)),
          h('td', {title: t.lastScrape}, formatAgo(Date.parse(t.lastScrape))),
          h('td', null, t.lastScrapeDuration ? formatDuration(t.lastScrapeDuration) : ''),
          h('td', {class: 'error-cell'}, t.lastError || '')));
      body.append(
        h('details', {open: true, class: 'pool', 'data-testid': 'target-pool'},
          h('summary', null, h('strong', null, pool), ` (${up}/${targets.length} up)`),
          h('table', {class: 'list'},
            h('thead', null, h('tr', null, ['Endpoint', 'State', 'Labels', 'Last scrape', 'Duration', 'Error'].map((c) => h('th', null, c)))),
            h('tbody', null, rows))));
    }
  }

  let timer = null;
  let alive = true;
  async function load() {
    try {
      ({data} = await api('targets', {state: 'active'}));
      render();
    } catch (err) {
      clear(body).append(errorBox(err));
    }
    if (alive) timer = setTimeout(load, 15000);
  }
  load();
  return () => {
    alive = false;
    clearTimeout(timer);
  };
}
