// Drives Debian Chromium (playwright-core, no downloaded browser) through
// the built-in UI of a running cistern and checks what a person would see.
// Prints one JSON object: {"checks": [{name, ok, detail}], "timings": {...}, "api": [...]}.
//   node run.mjs BASE_URL SCREENSHOT_DIR            the checks
//   node run.mjs BASE_URL SCREENSHOT_DIR EXPR       only the timing: a fresh page load of EXPR over
//                                                   6 h to its chart fully drawn
import {chromium} from 'playwright-core';

const [base, shotDir, benchExpr] = process.argv.slice(2);
const checksMode = !benchExpr;
const checks = [];
const timings = {};
const check = (name, ok, detail = '') => checks.push({name, ok: !!ok, detail: String(detail)});

const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu']});
const page = await browser.newPage({viewport: {width: 1400, height: 1000}});
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
const external = [];
page.on('request', (r) => {
  if (!r.url().startsWith(base) && !r.url().startsWith('data:')) external.push(r.url());
});
const apiCalls = new Set();
page.on('request', (r) => {
  const u = new URL(r.url());
  if (u.pathname.startsWith('/api/')) apiCalls.add(u.pathname);
});

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(name, false, e.message.split('\n')[0]);
  }
}

const graphUrl = (expr, tab = 0, range = '5m') =>
  `${base}/graph?${new URLSearchParams({'g0.expr': expr, 'g0.tab': String(tab), 'g0.range_input': range})}`;

if (checksMode) {
// 1. "/" redirects to the graph page; type the query, run it, see the chart.
await step('graph page: rate(node_cpu_seconds_total[1m]) draws one line per series', async () => {
  const resp = await page.goto(`${base}/`);
  check('"/" redirects to /graph', new URL(page.url()).pathname === '/graph', page.url());
  check('the page loads with status 200', resp.status() === 200, resp.status());
  const box = page.locator('textarea.expr');
  await box.fill('node_cpu_seconds');
  const metricCompletion = page.locator('.completion[data-kind="metric"]', {hasText: 'node_cpu_seconds_total'});
  await metricCompletion.first().waitFor({timeout: 10000});
  check('autocomplete offers node_cpu_seconds_total from /api/v1/label/__name__/values', await metricCompletion.count() > 0);
  await box.fill('rate(node_cpu_seconds_total[1m])');
  await box.press('Escape');
  // The time-range picker: the last minute (the host input has been running for seconds).
  await page.fill('.range-input', '1m');
  await box.press('Enter');
  await page.waitForSelector('[data-testid="chart"][data-drawn-series]:not([data-drawn-series="0"])', {timeout: 20000});
  const series = Number(await page.getAttribute('[data-testid="chart"]', 'data-series'));
  const drawn = Number(await page.getAttribute('[data-testid="chart"]', 'data-drawn-series'));
  const legend = await page.locator('[data-testid="legend-item"]').allInnerTexts();
  const api = await page.evaluate(async () => {
    const r = await fetch('/api/v1/query?query=' + encodeURIComponent('rate(node_cpu_seconds_total[1m])'));
    return (await r.json()).data.result.length;
  });
  check(`the chart drew one line per series (${drawn} of ${series}; the API has ${api})`, series > 0 && drawn === series && Math.abs(series - api) <= 0);
  check(`the legend has one entry per series (${legend.length})`, legend.length === series);
  check('the legend names cpu and mode', legend.length > 0 && legend.every((t) => /cpu="[^"]+"/.test(t) && /mode="[^"]+"/.test(t)), legend[0]);
  // Hover: the tooltip names a series and its value.
  const over = page.locator('.u-over');
  const bb = await over.boundingBox();
  await page.mouse.move(bb.x + bb.width * 0.995, bb.y + bb.height * 0.5);
  await page.mouse.move(bb.x + bb.width * 0.998, bb.y + bb.height * 0.5);
  const tip = page.locator('.chart-tooltip');
  await tip.waitFor({state: 'visible', timeout: 5000});
  const tipText = await tip.innerText();
  check('hovering shows the nearest series with its value', /node_cpu_seconds_total|cpu=/.test(tipText) && /value:/.test(tipText), tipText.replace(/\n/g, ' '));
  await page.screenshot({path: `${shotDir}/ui_graph.png`, fullPage: true});
  // Stacked.
  await page.locator('label.group', {hasText: 'stacked'}).locator('input').check();
  await page.waitForFunction(() => document.querySelector('#app').dataset.state === 'done');
  await page.waitForSelector('[data-testid="chart"]:not([data-drawn-series="0"])');
  check('stacked mode redraws the chart', new URL(page.url()).searchParams.get('g0.stacked') === '1');
  await page.screenshot({path: `${shotDir}/ui_graph_stacked.png`, fullPage: true});
});

// 2. Table view.
await step('table view', async () => {
  await page.locator('button.tab[data-tab="table"]').click();
  await page.waitForSelector('[data-testid="result-table"]', {timeout: 10000});
  const rows = await page.locator('[data-testid="result-table"] tbody tr').count();
  const first = await page.locator('[data-testid="result-table"] tbody tr').first().innerText();
  check(`the table view lists the series (${rows} rows)`, rows > 0 && /cpu=/.test(first) && /mode=/.test(first), first.replace(/\s+/g, ' '));
  check('the URL says the table tab', new URL(page.url()).searchParams.get('g0.tab') === '1');
  await page.screenshot({path: `${shotDir}/ui_table.png`, fullPage: true});
});

// 3. A malformed query: the error with its position.
await step('query errors', async () => {
  await page.goto(graphUrl('', 0));
  const box = page.locator('textarea.expr');
  await box.focus();
  const hist = page.locator('.completion[data-kind="history"]', {hasText: 'rate(node_cpu_seconds_total[1m])'});
  await hist.first().waitFor({timeout: 5000});
  check('the empty expression box offers the query history', (await hist.count()) > 0);
  await box.fill('sum(rate(node_cpu_seconds_total[1m])');
  await box.press('Escape');
  await box.press('Enter');
  const err = page.locator('[data-testid="query-error"] .error-box');
  await err.waitFor({timeout: 10000});
  const text = await err.innerText();
  const snippet = await page.locator('[data-testid="error-snippet"]').innerText().catch(() => '');
  check('a malformed query shows the API\'s parse error', /parse error/.test(text), text.replace(/\n/g, ' | '));
  check('the error shows its position (line 1, column N) with a caret under it', /line 1, column \d+/.test(text) && /\^/.test(snippet),
    snippet.replace(/\n/g, ' | '));
  await page.screenshot({path: `${shotDir}/ui_error.png`, fullPage: true});
});

// 4. Targets and status pages.
await step('targets page', async () => {
  const want = await page.evaluate(async () => (await (await fetch('/api/v1/targets')).json()).data.activeTargets);
  await page.locator('.topnav a[data-page="targets"]').click();
  await page.waitForSelector('[data-testid="target-row"], .targets .empty', {timeout: 10000});
  const rows = await page.locator('[data-testid="target-row"]').count();
  const text = await page.locator('.targets').innerText();
  check(`the targets page shows every target /api/v1/targets has (${rows} of ${want.length})`, rows === want.length);
  const node = want.find((t) => t.labels && t.labels.job === 'node');
  check('the API lists the host input as a target (job="node")', node, JSON.stringify(want).slice(0, 200));
  if (node) check('the targets page shows the host input with its health', /job="node"/.test(text) && /\bUP\b|\bDOWN\b|\bUNKNOWN\b/.test(text));
  await page.screenshot({path: `${shotDir}/ui_targets.png`, fullPage: true});
});
await step('status page', async () => {
  await page.locator('.topnav a[data-page="status"]').click();
  await page.waitForSelector('[data-testid="status-build"] table', {timeout: 10000});
  await page.waitForSelector('[data-testid="status-tsdb"] table', {timeout: 10000});
  const build = await page.locator('[data-testid="status-build"]').innerText();
  const tsdb = await page.locator('[data-testid="status-tsdb"]').innerText();
  check('the status page shows the build version', /version/i.test(build), build.replace(/\n/g, ' ').slice(0, 120));
  check('the status page shows the TSDB head', /numSeries/.test(tsdb), tsdb.replace(/\n/g, ' ').slice(0, 120));
  const runtime = await page.locator('[data-testid="status-runtime"]').innerText();
  check('the status page shows runtime information', /startTime|storageRetention/.test(runtime), runtime.replace(/\n/g, ' ').slice(0, 120));
  await page.screenshot({path: `${shotDir}/ui_status.png`, fullPage: true});
});
await step('alerts and rules pages', async () => {
  await page.locator('.topnav a[data-page="alerts"]').click();
  await page.waitForSelector('[data-testid="no-alerts"], [data-testid="alert-row"], .error-box', {timeout: 10000});
  await page.locator('.topnav a[data-page="rules"]').click();
  await page.waitForSelector('[data-testid="no-rules"], [data-testid="rule-group"], .error-box', {timeout: 10000});
  const errs = await page.locator('.error-box').count();
  check('the alerts and rules pages load', errs === 0, errs ? await page.locator('.error-box').first().innerText() : '');
});

}

// 5. Timing: a fresh page load to the first chart drawn (optional bench expression, 6 h).
if (benchExpr) {
  await step('bench', async () => {
    const p2 = await browser.newPage({viewport: {width: 1400, height: 900}});
    const t0 = Date.now();
    await p2.goto(graphUrl(benchExpr, 0, '6h'));
    await p2.waitForSelector('[data-testid="chart"]:not([data-drawn-series="0"])', {timeout: 60000});
    await p2.waitForFunction(() => {
      const c = document.querySelector('[data-testid="chart"]');
      return c && c.dataset.drawnSeries === c.dataset.series;
    });
    timings.load_to_chart_ms = Date.now() - t0;
    timings.bench_series = Number(await p2.getAttribute('[data-testid="chart"]', 'data-series'));
    timings.bench_points = await p2.evaluate(() => document.querySelector('[data-testid="query-info"]').innerText);
    const nav = await p2.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation')[0].toJSON()));
    timings.dom_content_loaded_ms = Math.round(JSON.parse(nav).domContentLoadedEventEnd);
    await p2.screenshot({path: `${shotDir}/ui_bench_6h.png`, fullPage: true});
    await p2.close();
  });
}

check('no JavaScript errors on any page', pageErrors.length === 0, pageErrors.join('; '));
check('no request left the server\'s origin', external.length === 0, external.join(' '));
check('the UI used only /api/v1/* endpoints', [...apiCalls].every((p) => p.startsWith('/api/v1/')), [...apiCalls].join(' '));
await browser.close();
console.log(JSON.stringify({checks, timings, api: [...apiCalls].sort()}));
