// Cistern's built-in UI: a small single-page app over the public HTTP API.
// Pages: /graph, /alerts, /rules, /targets, /status (the server answers each
// path with this same index.html; the router picks the page).
import './style.css';
import {mountGraph} from './graph_page.js';
import {mountAlerts, mountRules} from './rules_page.js';
import {mountStatus} from './status_page.js';
import {mountTargets} from './targets_page.js';
import {clear, h, settings} from './util.js';

const PAGES = {
  graph: mountGraph,
  alerts: mountAlerts,
  rules: mountRules,
  targets: mountTargets,
  status: mountStatus,
};

const app = document.getElementById('app');
let unmount = null;

function route() {
  const name = location.pathname.replace(/^\/+|\/+$/g, '') || 'graph';
  const mount = PAGES[name];
  if (unmount) unmount();
  unmount = null;
  clear(app);
  document.querySelectorAll('.topnav a[data-page]').forEach((a) => a.classList.toggle('active', a.dataset.page === name));
  if (!mount) {
    app.append(h('section', {class: 'panel'}, h('h1', null, 'Not found'), h('p', null, 'No page ', h('code', null, location.pathname), '.')));
    return;
  }
  document.title = `Cistern · ${name[0].toUpperCase()}${name.slice(1)}`;
  app.dataset.page = name;
  unmount = mount(app) || null;
}

// Same-origin links to our pages change the page without a reload.
document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest('a[href]');
  if (!a || a.target || a.origin !== location.origin) return;
  const name = a.pathname.replace(/^\/+|\/+$/g, '');
  if (!(name in PAGES)) return;
  ev.preventDefault();
  history.pushState(null, '', a.pathname + a.search);
  route();
});
window.addEventListener('popstate', route);

const utc = document.getElementById('utc');
utc.checked = settings.utc;
utc.addEventListener('change', () => {
  settings.utc = utc.checked;
  route();
});

route();
