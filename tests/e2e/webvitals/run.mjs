// Drives Debian Chromium (playwright-core, no downloaded browser) through the
// three test pages, served from a loopback origin other than the agent's.
// Prints JSON: {"sent": [{page, style, name, id, value, how}...], "errors": [...]}.
//   node run.mjs STATIC_PORT ENDPOINT_URL SCREENSHOT_PATH
import {chromium} from 'playwright-core';
import {createServer} from 'node:http';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const [staticPort, endpoint, screenshot] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const pageHtml = readFileSync(join(here, 'page.html'));
const vitalsJs = readFileSync(join(here, 'node_modules/web-vitals/dist/web-vitals.iife.js'));
const STYLES = ['beacon', 'batch', 'fetch'];

const server = createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/web-vitals.iife.js') {
    res.writeHead(200, {'Content-Type': 'text/javascript'});
    res.end(vitalsJs);
  } else if (STYLES.some((s) => path === `/e2e/${s}`)) {
    // A little server time, so TTFB is not zero.
    setTimeout(() => {
      res.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'});
      res.end(pageHtml);
    }, 30);
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => server.listen(Number(staticPort), '127.0.0.1', resolve));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const out = {sent: [], errors: [], console: []};
try {
  const context = await browser.newContext({viewport: {width: 900, height: 700}});
  for (const style of STYLES) {
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') out.console.push(`${style}: ${m.text()}`); });
    page.on('pageerror', (e) => out.errors.push(`${style}: page error: ${e.message}`));
    const url = `http://127.0.0.1:${staticPort}/e2e/${style}?endpoint=${encodeURIComponent(endpoint)}`;
    await page.goto(url, {waitUntil: 'load'});
    await page.waitForFunction(() => window.__shifted === true);
    await sleep(700);  // let the shifts and paints be observed
    // Two trusted clicks on the slow handler: the first finalises LCP, both
    // are slow interactions (250 ms, then 350 ms: INP grows, same id).
    await page.click('#slow');
    await sleep(400);
    await page.click('#slow');
    await sleep(800);
    if (style === 'beacon') await page.screenshot({path: screenshot, fullPage: true});
    // The page-hide flush: what a tab switch or closing the tab does.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
      Object.defineProperty(document, 'hidden', {value: true, configurable: true});
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await sleep(300);
    await page.waitForFunction(() => window.__pending === 0, null, {timeout: 10000});
    const {sent, errors} = await page.evaluate(() => ({sent: window.__sent, errors: window.__errors}));
    for (const s of sent) out.sent.push({page: `/e2e/${style}`, style, ...s});
    for (const e of errors) out.errors.push(`${style}: ${e}`);
    // The page stays open until the end; closing the browser may send
    // repeats of ids already sent, which the agent ignores.
  }
} finally {
  await browser.close();
  server.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
