import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { MemoryIndex } from '../../../src/engine/memory-index.js';
import { contentTerms, extractHtml, prepareText } from '../../../src/engine/text.js';
import type { Article } from '../../../src/engine/types.js';
import { millFireHarbor, millFireValley } from './fixtures.js';

/** Decision time: months after every date below, so an undated page lands far outside the window. */
const NOW = Date.UTC(2031, 5, 1);

/** An invented news page: `head` goes in <head>, `beforeArticle` before the <article>. */
function page({ head = '', beforeArticle = '', title = 'Dam gates opened at Orrin Lake', body }: { head?: string; beforeArticle?: string; title?: string; body?: string }): string {
  const paragraphs =
    body ??
    `<p>Engineers opened all four gates of the Orrin Lake dam on Thursday after a week of heavy rain raised the reservoir to a record level.</p>
     <p>The county emergency office said 140 homes downstream in Pellow were told to prepare to leave, though no evacuation was ordered.</p>
     <p>"The dam is sound, we are simply letting water go before the next storm," chief engineer Marta Quennell said at the spillway.</p>`;
  return `<!doctype html><html><head><title>${title} | Some Outlet</title>${head}</head>
    <body><nav><a href="/">Home</a><a href="/local">Local</a></nav>${beforeArticle}
    <article><h1>${title}</h1>${paragraphs}</article><footer>Footer links</footer></body></html>`;
}

const metaOf = (html: string) => extractHtml(html).page;

describe('page metadata: publication date', () => {
  it('reads article:published_time and normalises it to ISO 8601 (UTC)', () => {
    const html = page({ head: '<meta property="article:published_time" content="2031-03-04T13:30:00+02:00">' });
    expect(metaOf(html).publishedAt).toBe('2031-03-04T11:30:00.000Z');
  });

  it.each(['pubdate', 'publishdate', 'date', 'dc.date', 'DC.date.issued', 'parsely-pub-date'])('reads <meta name="%s">', (name) => {
    expect(metaOf(page({ head: `<meta name="${name}" content="2031-03-04">` })).publishedAt).toBe('2031-03-04T00:00:00.000Z');
  });

  it('matches meta names and attributes whatever their case', () => {
    expect(metaOf(page({ head: '<META NAME="PubDate" CONTENT="2031-03-04T08:00:00Z">' })).publishedAt).toBe('2031-03-04T08:00:00.000Z');
  });

  it('reads <meta itemprop="datePublished">', () => {
    expect(metaOf(page({ head: '<meta itemprop="datePublished" content="2031-03-04T08:00:00Z">' })).publishedAt).toBe('2031-03-04T08:00:00.000Z');
  });

  it('prefers article:published_time to the other date tags', () => {
    const head = '<meta name="date" content="2031-01-01"><meta property="article:published_time" content="2031-03-04T08:00:00Z">';
    expect(metaOf(page({ head })).publishedAt).toBe('2031-03-04T08:00:00.000Z');
  });

  it('reads JSON-LD datePublished from an object, an array and an @graph', () => {
    const ld = (json: string) => page({ head: `<script type="application/ld+json">${json}</script>` });
    expect(metaOf(ld('{"@type":"NewsArticle","datePublished":"2031-03-04T08:00:00Z"}')).publishedAt).toBe('2031-03-04T08:00:00.000Z');
    expect(metaOf(ld('[{"@type":"BreadcrumbList"},{"@type":"NewsArticle","datePublished":"2031-03-05T08:00:00Z"}]')).publishedAt).toBe(
      '2031-03-05T08:00:00.000Z',
    );
    const graph = '{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},{"@type":"Article","datePublished":"2031-03-06"}]}';
    expect(metaOf(ld(graph)).publishedAt).toBe('2031-03-06T00:00:00.000Z');
  });

  it('prefers an article-like JSON-LD node and skips blocks that are not JSON', () => {
    const head =
      '<script type="application/ld+json">{"datePublished": 2031-03-01 oops</script>' +
      '<script type="application/ld+json">{"@graph":[{"@type":"WebPage","datePublished":"2031-02-01"},{"@type":["NewsArticle"],"datePublished":"2031-03-04"}]}</script>';
    expect(metaOf(page({ head })).publishedAt).toBe('2031-03-04T00:00:00.000Z');
  });

  it("falls back to the article's <time datetime>, before other <time>s of the page", () => {
    const aside = '<aside><time datetime="2030-12-24">Christmas Eve</time> Most read</aside>';
    const body = '<p class="dateline"><time datetime="2031-03-04T08:00:00Z">4 March</time></p><p>Engineers opened all four gates of the Orrin Lake dam on Thursday after a week of heavy rain.</p>';
    expect(metaOf(page({ beforeArticle: aside, body })).publishedAt).toBe('2031-03-04T08:00:00.000Z');
    expect(metaOf(page({ beforeArticle: aside })).publishedAt).toBe('2030-12-24T00:00:00.000Z');
  });

  it('ignores values that are not real dates of 1900-2200 and takes the next candidate', () => {
    for (const bad of ['not a date', '12', '0000-00-00', '1850-06-01', '2301-01-01', '2031-13-45', '']) {
      const head = `<meta property="article:published_time" content="${bad}"><meta name="date" content="2031-03-04">`;
      expect(metaOf(page({ head })).publishedAt, bad).toBe('2031-03-04T00:00:00.000Z');
      expect(metaOf(page({ head: `<meta property="article:published_time" content="${bad}">` })).publishedAt, bad).toBeUndefined();
    }
  });

  it('has nothing to say for a page without dates, or for plain text', () => {
    expect(metaOf(page({}))).toEqual({});
    expect(prepareText({ text: 'Engineers opened the dam gates on Thursday.' }).page).toEqual({});
    expect(new Engine().text({ text: 'Engineers opened the dam gates on Thursday.' }).page).toEqual({});
  });
});

describe('page metadata: outlet and URL', () => {
  it('reads og:site_name, else the JSON-LD publisher name (also through an @id reference)', () => {
    expect(metaOf(page({ head: '<meta property="og:site_name" content="  The Orrin   Courier ">' })).source).toBe('The Orrin Courier');
    const publisher = '{"@type":"NewsArticle","publisher":{"@type":"Organization","name":"Pellow Post"}}';
    expect(metaOf(page({ head: `<script type="application/ld+json">${publisher}</script>` })).source).toBe('Pellow Post');
    const graph =
      '{"@graph":[{"@type":"Article","publisher":{"@id":"https://pellow.test/#org"}},{"@type":"Organization","@id":"https://pellow.test/#org","name":"Pellow Post"}]}';
    expect(metaOf(page({ head: `<script type="application/ld+json">${graph}</script>` })).source).toBe('Pellow Post');
    const both = `<meta property="og:site_name" content="The Orrin Courier"><script type="application/ld+json">${publisher}</script>`;
    expect(metaOf(page({ head: both })).source).toBe('The Orrin Courier');
  });

  it('reads <link rel="canonical">, else og:url, accepting absolute http(s) URLs only', () => {
    const canonical = '<link rel="canonical" href="https://orrin-courier.test/news/dam-gates">';
    const ogUrl = '<meta property="og:url" content="http://orrin-courier.test/amp/dam-gates">';
    expect(metaOf(page({ head: canonical + ogUrl })).url).toBe('https://orrin-courier.test/news/dam-gates');
    expect(metaOf(page({ head: ogUrl })).url).toBe('http://orrin-courier.test/amp/dam-gates');
    expect(metaOf(page({ head: '<link rel="canonical" href="/news/dam-gates">' + ogUrl })).url).toBe('http://orrin-courier.test/amp/dam-gates');
    expect(metaOf(page({ head: '<link rel="canonical" href="javascript:alert(1)">' })).url).toBeUndefined();
    expect(metaOf(page({ head: '<link rel="canonical" href="ftp://orrin-courier.test/x">' })).url).toBeUndefined();
  });

  it('keeps the title from Readability and reads nothing from a fragment without metadata', () => {
    const { title, page: meta } = extractHtml(page({ head: '<meta property="og:site_name" content="The Orrin Courier">' }));
    expect(title).toContain('Dam gates opened at Orrin Lake');
    expect(meta.source).toBe('The Orrin Courier');
    expect(extractHtml('<p>Engineers opened the dam gates on Thursday.</p>').page).toEqual({});
  });
});

describe('page metadata in the engine', () => {
  const head =
    '<meta property="og:site_name" content="The Orrin Courier"><meta property="article:published_time" content="2031-03-04T08:00:00Z">' +
    '<link rel="canonical" href="https://orrin-courier.test/news/dam-gates">';

  it("stores the page's date, outlet and URL when the caller gives none", async () => {
    const engine = new Engine();
    const index = new MemoryIndex();
    const article: Article = { id: 'dam-1', html: page({ head }) };
    await engine.assign(article, index, NOW);
    const stored = await index.getArticle('dam-1');
    expect(stored).toMatchObject({ source: 'The Orrin Courier', url: 'https://orrin-courier.test/news/dam-gates', publishedAt: Date.UTC(2031, 2, 4, 8), time: Date.UTC(2031, 2, 4, 8) });
  });

  it("takes the source from the page's URL host when the page names no outlet", async () => {
    const engine = new Engine();
    const index = new MemoryIndex();
    await engine.assign({ id: 'dam-1', html: page({ head: '<link rel="canonical" href="https://orrin-courier.test/news/dam-gates">' }) }, index, NOW);
    expect((await index.getArticle('dam-1'))?.source).toBe('orrin-courier.test');
  });

  it("keeps the caller's fields over the page's", async () => {
    const engine = new Engine();
    const index = new MemoryIndex();
    const article: Article = { id: 'dam-1', html: page({ head }), source: 'Caller Wire', url: 'https://caller.test/a/1', publishedAt: '2031-03-01T00:00:00Z' };
    await engine.assign(article, index, NOW);
    expect(await index.getArticle('dam-1')).toMatchObject({ source: 'Caller Wire', url: 'https://caller.test/a/1', publishedAt: Date.UTC(2031, 2, 1) });
    // A caller's url names the outlet before the page's og:site_name does (sources stay as they were).
    await engine.assign({ id: 'dam-2', html: page({ head }), url: 'https://caller.test/a/2' }, index, NOW);
    expect(await index.getArticle('dam-2')).toMatchObject({ source: 'caller.test', url: 'https://caller.test/a/2', publishedAt: Date.UTC(2031, 2, 4, 8) });
  });

  it("does not strip a sentence one site's page shares with another site's page", async () => {
    // Two events, two sites, one shared helpline sentence (a minority of each page's words).
    const helpline = '<p>Anyone affected can call the Varnholt regional helpline on 0300 555 0142 at any hour for advice.</p>';
    const first = (meta: string) => ({ id: 'orrin-dam', html: page({ head: meta, body: `${helpline}<p>Engineers opened all four gates of the Orrin Lake dam on Thursday after a week of heavy rain raised the reservoir to a record level.</p><p>Chief engineer Marta Quennell said the dam was sound and the release was a precaution.</p>` }) });
    const second = (meta: string) => ({
      id: 'pellow-storm',
      html: page({
        head: meta,
        title: 'Storm topples trees across Pellow',
        body: `<p>A storm with gusts of 110 km/h brought down more than 60 trees across Pellow overnight, blocking the coast road and two rail lines.</p><p>Power was cut to 2,300 homes, and the grid operator Kestrel Energy said most would be reconnected by Saturday.</p>${helpline}`,
      }),
    });
    const helplineTerm = contentTerms(['varnholt'])[0] as string;
    const run = async (metaA: string, metaB: string) => {
      const engine = new Engine();
      const index = new MemoryIndex();
      await engine.assign(first(metaA), index, NOW);
      await engine.assign(second(metaB), index, NOW);
      return (await index.getArticle('pellow-storm'))?.dfTerms ?? [];
    };
    const siteA = '<meta property="og:site_name" content="The Orrin Courier"><meta name="date" content="2031-03-04">';
    const siteB = '<meta property="og:site_name" content="Pellow Post"><meta name="date" content="2031-03-05">';
    expect(await run(siteA, siteB)).toContain(helplineTerm);
    // Without the pages' outlets both share the source "" and the second page loses the sentence.
    expect(await run('', '')).not.toContain(helplineTerm);
  });

  it('places an HTML report at its page date, so it joins its text sibling (with a precomputed text, as the worker does)', async () => {
    const valleyHtml = (head: string): Article => ({
      id: 'valley-html',
      html: `<!doctype html><html><head><title>${millFireValley.title} | Valley Times</title>${head}</head><body>
        <article><h1>${millFireValley.title}</h1>${(millFireValley.text as string)
          .split('\n')
          .map((p) => `<p>${p.replace(/"/g, '&quot;')}</p>`)
          .join('')}</article></body></html>`,
    });
    const decide = async (article: Article) => {
      const engine = new Engine();
      const index = new MemoryIndex();
      const harbor = await engine.assign(millFireHarbor, index, NOW);
      const outcome = await engine.assign(article, index, NOW, engine.text(article));
      return { harbor: harbor.assignment, html: outcome.assignment };
    };
    const dated = await decide(valleyHtml('<meta property="og:site_name" content="Valley Times"><meta property="article:published_time" content="2031-03-04T11:30:00Z">'));
    expect(dated.html).toMatchObject({ clusterId: dated.harbor.clusterId, decidedBy: 'tfidf' });
    // The same page without its date lands at NOW, months after the fire: outside the time window.
    const undated = await decide(valleyHtml('<meta property="og:site_name" content="Valley Times">'));
    expect(undated.html.clusterId).not.toBe(undated.harbor.clusterId);
    expect(undated.html.decidedBy).toBe('new');
  });
});
