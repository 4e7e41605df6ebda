/* global document, location, history, fetch, EventSource, URLSearchParams, setTimeout, setInterval */
// samestory dashboard. Every value from the API reaches the page through textContent or an
// attribute set by the DOM API, never through HTML parsing, so article text cannot inject markup.

const SVG = 'http://www.w3.org/2000/svg';
const main = document.getElementById('main');
const live = document.getElementById('live');
const healthBox = document.getElementById('health');

/** Builds an element; string/number children become text nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'on') for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Only http(s) links are rendered as links: a javascript: URL in an article stays text. */
function safeHref(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '–');
const fmtSim = (x) => x.toFixed(2);

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

/** An empty inline SVG chart of w x h with an accessible title. */
function chart(w, h, className, label) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  svg.setAttribute('role', 'img');
  svg.setAttribute('class', className);
  const title = document.createElementNS(SVG, 'title');
  title.textContent = label;
  svg.append(title);
  return svg;
}

/** Inline SVG sparkline of cumulative members over time. */
function sparkline(times, label) {
  const w = 120;
  const h = 28;
  const svg = chart(w, h, 'spark', label);
  const sorted = [...times].sort((a, b) => a - b);
  if (sorted.length === 0) return svg;
  if (sorted.length === 1) {
    // One article: no growth to draw yet, just a dot.
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', String(w - 3));
    dot.setAttribute('cy', String(h - 3));
    dot.setAttribute('r', '2.5');
    dot.setAttribute('fill', 'currentColor');
    svg.append(dot);
    return svg;
  }
  const t0 = sorted[0];
  const span = Math.max(sorted[sorted.length - 1] - t0, 1);
  const points = sorted.map((t, i) => {
    const x = ((t - t0) / span) * (w - 2) + 1;
    const y = h - 1 - ((i + 1) / sorted.length) * (h - 2);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', [`1,${h - 1}`, ...points].join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

/** Inline SVG bar chart (e.g. jobs per minute). */
function bars(values, label) {
  const w = 240;
  const h = 36;
  const svg = chart(w, h, 'bars', label);
  const max = Math.max(1, ...values);
  const bw = w / Math.max(values.length, 1);
  values.forEach((v, i) => {
    const bh = (v / max) * (h - 2);
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('x', (i * bw + 0.5).toFixed(1));
    rect.setAttribute('y', (h - 1 - bh).toFixed(1));
    rect.setAttribute('width', Math.max(bw - 1, 1).toFixed(1));
    rect.setAttribute('height', bh.toFixed(1));
    rect.setAttribute('fill', 'currentColor');
    svg.append(rect);
  });
  return svg;
}

function decision(m) {
  if (m.decidedBy === 'new') return 'new';
  if (m.duplicateOf) return el('span', {}, 'duplicate of ', el('a', { href: `/articles/${encodeURIComponent(m.duplicateOf)}` }, m.duplicateOf), ` (${m.decidedBy} ${fmtSim(m.similarity)})`);
  return `joined (${m.decidedBy} ${fmtSim(m.similarity)})`;
}

function showError(error) {
  main.replaceChildren(el('h1', {}, 'Something went wrong'), el('p', { role: 'alert' }, error.message));
}

// ---------- clusters view ----------

const PAGE = 20;

function listState() {
  const p = new URLSearchParams(location.search);
  return {
    sort: p.get('sort') === 'size' ? 'size' : 'updated',
    q: p.get('q') || '',
    source: p.get('source') || '',
    page: Math.max(0, Number.parseInt(p.get('page') || '0', 10) || 0),
  };
}

function setListState(next) {
  const p = new URLSearchParams();
  if (next.sort !== 'updated') p.set('sort', next.sort);
  if (next.q) p.set('q', next.q);
  if (next.source) p.set('source', next.source);
  if (next.page) p.set('page', String(next.page));
  const qs = p.toString();
  history.replaceState(null, '', qs ? `/?${qs}` : '/');
  void renderClusterList();
}

function renderClustersView() {
  const s = listState();
  const q = el('input', { id: 'q', type: 'search', name: 'q', value: s.q, placeholder: 'words in the headline' });
  const source = el('input', { id: 'source', type: 'text', name: 'source', value: s.source, placeholder: 'e.g. example.org' });
  const sortSel = el(
    'select',
    { id: 'sort', name: 'sort' },
    el('option', { value: 'updated', selected: s.sort === 'updated' }, 'Newest updated'),
    el('option', { value: 'size', selected: s.sort === 'size' }, 'Largest'),
  );
  const form = el(
    'form',
    {
      role: 'search',
      class: 'filters',
      on: {
        submit: (e) => {
          e.preventDefault();
          setListState({ sort: sortSel.value, q: q.value.trim(), source: source.value.trim(), page: 0 });
        },
      },
    },
    el('label', { for: 'q' }, 'Search'), q,
    el('label', { for: 'source' }, 'Source'), source,
    el('label', { for: 'sort' }, 'Order'), sortSel,
    el('button', { type: 'submit' }, 'Apply'),
  );
  sortSel.addEventListener('change', () => form.requestSubmit());
  main.replaceChildren(el('h1', {}, 'Stories'), form, el('section', { id: 'clusters', 'aria-label': 'Clusters' }));
  document.title = 'Stories · samestory';
  void renderClusterList();
}

let listSeq = 0;
async function renderClusterList() {
  const box = document.getElementById('clusters');
  if (!box) return;
  const s = listState();
  const seq = ++listSeq;
  const p = new URLSearchParams({ sort: s.sort, limit: String(PAGE), offset: String(s.page * PAGE) });
  if (s.q) p.set('q', s.q);
  if (s.source) p.set('source', s.source);
  let data;
  try {
    data = await getJson(`/v1/clusters?${p}`);
  } catch (error) {
    box.replaceChildren(el('p', { role: 'alert' }, `Could not load clusters: ${error.message}`));
    return;
  }
  if (seq !== listSeq) return; // a newer refresh is under way
  if (data.items.length === 0) {
    box.replaceChildren(el('p', { class: 'muted' }, s.q || s.source ? 'No cluster matches.' : 'No articles yet. Submit some with POST /v1/articles.'));
    return;
  }
  const rows = data.items.map((c) =>
    el(
      'li',
      { class: 'cluster', 'data-cluster-id': c.id },
      el('h2', {}, el('a', { href: `/clusters/${encodeURIComponent(c.id)}` }, c.title || '(untitled)')),
      el(
        'dl',
        { class: 'facts' },
        el('dt', {}, 'Articles'), el('dd', { class: 'size' }, c.size),
        el('dt', {}, 'Sources'), el('dd', {}, c.sources.join(', ')),
        el('dt', {}, 'First seen'), el('dd', {}, el('time', { datetime: c.firstSeen }, fmtTime(c.firstSeen))),
        el('dt', {}, 'Last seen'), el('dd', {}, el('time', { datetime: c.lastSeen }, fmtTime(c.lastSeen))),
      ),
      sparkline(c.timeline, `Growth: ${c.size} articles from ${fmtTime(c.firstSeen)} to ${fmtTime(c.lastSeen)}`),
    ),
  );
  const pages = Math.max(1, Math.ceil(data.total / PAGE));
  const nav = el(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    el('button', { type: 'button', disabled: s.page === 0, on: { click: () => setListState({ ...s, page: s.page - 1 }) } }, 'Previous'),
    el('span', {}, `Page ${s.page + 1} of ${pages} · ${data.total} clusters`),
    el('button', { type: 'button', disabled: s.page + 1 >= pages, on: { click: () => setListState({ ...s, page: s.page + 1 }) } }, 'Next'),
  );
  box.replaceChildren(el('ol', { class: 'clusters' }, rows), nav);
}

// ---------- cluster view ----------

async function renderClusterView(id) {
  const c = await getJson(`/v1/clusters/${encodeURIComponent(id)}`);
  document.title = `${c.title || 'Cluster'} · samestory`;
  const members = c.members.map((m) => {
    const href = m.url ? safeHref(m.url) : null;
    return el(
      'tr',
      { 'data-article-id': m.id },
      el('td', {}, el('a', { href: `/articles/${encodeURIComponent(m.id)}` }, m.title || m.id)),
      el('td', {}, m.source),
      el('td', {}, el('time', { datetime: m.time }, fmtTime(m.time))),
      el('td', {}, href ? el('a', { href, rel: 'noopener noreferrer nofollow', target: '_blank' }, 'original') : m.url || '–'),
      el('td', {}, decision(m)),
      el('td', { class: 'num' }, fmtSim(m.centroidSimilarity)),
    );
  });
  const terms = c.evidence.sharedTerms.map((t) =>
    el('li', {}, el('span', { class: 'term' }, t.term), ` ${t.members} articles, weight ${t.weight.toFixed(2)}`),
  );
  main.replaceChildren(
    el('p', {}, el('a', { href: '/' }, '← All stories')),
    el('h1', {}, c.title || '(untitled)'),
    el('p', { class: 'muted' }, `${c.size} articles from ${c.sources.length} sources · ${fmtTime(c.firstSeen)} – ${fmtTime(c.lastSeen)}`),
    sparkline(c.timeline, `Growth of the story: ${c.size} articles`),
    el(
      'section',
      { 'aria-labelledby': 'evidence-heading' },
      el('h2', { id: 'evidence-heading' }, 'Why these articles are grouped'),
      el('p', { class: 'muted' }, 'Rare terms (stemmed) shared by at least two members, heaviest TF-IDF weight first.'),
      terms.length ? el('ul', { class: 'terms', id: 'evidence' }, terms) : el('p', { id: 'evidence' }, 'A single article: nothing shared yet.'),
    ),
    el(
      'section',
      { 'aria-labelledby': 'members-heading' },
      el('h2', { id: 'members-heading' }, 'Articles'),
      el(
        'table',
        { class: 'members' },
        el('caption', { class: 'sr-only' }, 'Articles in the order they were clustered'),
        el('thead', {}, el('tr', {}, ['Title', 'Source', 'Time', 'Link', 'Decision', 'Similarity to centroid'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, members),
      ),
    ),
  );
}

// ---------- article view ----------

async function renderArticleView(id) {
  const path = `/v1/articles/${encodeURIComponent(id)}`;
  const [detail, near] = await Promise.all([getJson(path), getJson(`${path}/neighbours?limit=10`)]);
  const a = detail.article;
  document.title = `${a.title || a.id} · samestory`;
  const href = a.url ? safeHref(a.url) : null;
  main.replaceChildren(
    el('p', {}, el('a', { href: `/clusters/${encodeURIComponent(a.clusterId)}` }, '← Its story')),
    el('h1', {}, a.title || a.id),
    el(
      'dl',
      { class: 'facts wide' },
      el('dt', {}, 'Id'), el('dd', {}, a.id),
      el('dt', {}, 'Source'), el('dd', {}, a.source),
      el('dt', {}, 'Time'), el('dd', {}, el('time', { datetime: a.time }, fmtTime(a.time))),
      el('dt', {}, 'Link'), el('dd', {}, href ? el('a', { href, rel: 'noopener noreferrer nofollow' }, href) : a.url || '–'),
      el('dt', {}, 'Story'), el('dd', {}, el('a', { href: `/clusters/${encodeURIComponent(a.clusterId)}` }, detail.cluster.title || a.clusterId), ` (${detail.cluster.size} articles)`),
      el('dt', {}, 'Decision'), el('dd', {}, decision(a)),
      el('dt', {}, 'Decided'), el('dd', {}, fmtTime(detail.assignment.at)),
    ),
    el(
      'section',
      { 'aria-labelledby': 'nn-heading' },
      el('h2', { id: 'nn-heading' }, 'Nearest articles'),
      near.neighbours.length
        ? el(
            'ol',
            { class: 'neighbours' },
            near.neighbours.map((n) =>
              el(
                'li',
                {},
                el('a', { href: `/articles/${encodeURIComponent(n.article.id)}` }, n.article.title || n.article.id),
                ` · ${n.article.source} · cosine ${fmtSim(n.similarity)}`,
                n.article.clusterId === a.clusterId ? ' · same story' : '',
              ),
            ),
          )
        : el('p', { class: 'muted' }, 'No similar article indexed.'),
    ),
  );
}

// ---------- queue health ----------

async function renderHealth() {
  let q;
  try {
    q = await getJson('/v1/queue');
  } catch (error) {
    healthBox.replaceChildren(el('p', { role: 'alert' }, `Queue unreachable: ${error.message}`));
    return;
  }
  const perMin = q.throughput.length ? q.throughput[q.throughput.length - 1] : 0;
  healthBox.replaceChildren(
    el(
      'dl',
      { class: 'facts' },
      ['waiting', 'active', 'failed', 'completed'].flatMap((k) => [el('dt', {}, k), el('dd', { class: `count-${k}` }, q.counts[k])]),
      el('dt', {}, 'workers'), el('dd', { class: 'count-workers' }, q.workers),
      el('dt', {}, 'last minute'), el('dd', {}, `${perMin} jobs`),
    ),
    ...(q.workers === 0 ? [el('p', { role: 'alert' }, 'No worker connected: submitted articles wait in the queue.')] : []),
    el('p', { class: 'muted' }, 'Completed per minute, last 30 min'),
    bars(q.throughput, `Jobs completed per minute over the last ${q.throughput.length} minutes: ${q.throughput.join(', ')}`),
    el('h3', {}, 'Recent failures'),
    q.failures.length
      ? el('ul', { class: 'failures' }, q.failures.map((f) => el('li', {}, el('strong', {}, f.articleId), `: ${f.reason} `, el('time', { datetime: f.at }, fmtTime(f.at)))))
      : el('p', { class: 'muted' }, 'None.'),
  );
}

// ---------- live updates ----------

let refreshTimer;
/** At most one refresh per 500 ms however fast events come (a debounce would starve under load). */
function scheduleRefresh(view) {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    void renderHealth();
    if (view.kind === 'list') void renderClusterList();
  }, 500);
}

/** The story on screen is gone: an update moved its only article to another story. */
function showRemoved(view) {
  view.kind = 'removed';
  main.replaceChildren(
    el('p', {}, el('a', { href: '/' }, '← All stories')),
    el('h1', {}, 'Story removed'),
    el('p', { role: 'status' }, 'This story no longer exists: its only article was updated and now belongs to another story.'),
  );
}

function connectEvents(view) {
  const source = new EventSource('/v1/events');
  const onEvent = (e) => {
    live.textContent = `live · last update ${new Date().toLocaleTimeString()}`;
    if (view.kind === 'cluster') {
      const data = JSON.parse(e.data);
      // A merge keeps the older id: follow this story to the cluster that absorbed it.
      if (e.type === 'merge' && data.merged.includes(view.id)) location.replace(`/clusters/${encodeURIComponent(data.clusterId)}`);
      else if (e.type === 'removal' && data.clusterId === view.id) showRemoved(view);
      else if (data.clusterId === view.id) view.stale = true;
    }
    scheduleRefresh(view);
  };
  source.addEventListener('assignment', onEvent);
  source.addEventListener('merge', onEvent);
  source.addEventListener('removal', onEvent);
  source.addEventListener('open', () => {
    live.textContent = 'live';
  });
  source.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
  });
}

function route() {
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'clusters' && parts[1]) return { kind: 'cluster', id: parts[1] };
  if (parts[0] === 'articles' && parts[1]) return { kind: 'article', id: parts[1] };
  return { kind: 'list' };
}

async function start() {
  const view = route();
  try {
    if (view.kind === 'cluster') await renderClusterView(view.id);
    else if (view.kind === 'article') await renderArticleView(view.id);
    else renderClustersView();
  } catch (error) {
    showError(error);
  }
  void renderHealth();
  setInterval(() => void renderHealth(), 10_000);
  connectEvents(view);
  // A cluster page re-renders when its own story changes.
  setInterval(() => {
    if (view.stale && view.kind === 'cluster') {
      view.stale = false;
      renderClusterView(view.id).catch(showError);
    }
  }, 1_000);
}

void start();
