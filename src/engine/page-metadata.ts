import { articleLimits } from './types.js';

/**
 * What an HTML page says of itself: publication time, outlet and canonical URL, read from its
 * markup (used by extractHtml in text.ts, on the document it has already parsed).
 */

/**
 * What a page states about itself in its markup (see pageMetadata), each field only when present
 * and usable. The engine takes a field from here only when the caller did not give it.
 */
export interface PageMetadata {
  /** Publication time, normalised to ISO 8601 (UTC). */
  publishedAt?: string;
  /** Outlet name: og:site_name, else the JSON-LD publisher's name (the URL's host is sourceOf's). */
  source?: string;
  /** Absolute http(s) URL: <link rel="canonical">, else og:url. */
  url?: string;
}

/** <meta> keys (name or property, lower-cased) of a publication date, most trusted first. */
const DATE_META = ['article:published_time', 'pubdate', 'publishdate', 'date', 'dc.date', 'dc.date.issued', 'parsely-pub-date'];
const { sourceLength: maxSourceLength, urlLength: maxUrlLength, publishedAtLength, earliestYear, latestYear } = articleLimits;

/**
 * The page's publication time, outlet name and canonical URL from its markup: <meta> tags
 * (OpenGraph, article:, Dublin Core, itemprop), JSON-LD, <link rel="canonical">, and as the last
 * resort for the date the first <time datetime> of the article (or page). Values that are not a real
 * date (within the article limits' years), an absolute http(s) URL or a non-empty name are skipped
 * for the next candidate.
 */
export function pageMetadata(document: Document): PageMetadata {
  // name / property -> contents, and itemprop -> contents (linkedom keeps attribute names' case).
  const named = new Map<string, string[]>();
  const itemprops = new Map<string, string[]>();
  for (const meta of document.querySelectorAll('meta')) {
    const content = attr(meta, 'content');
    if (content === null) continue;
    for (const [key, into] of [[attr(meta, 'property'), named], [attr(meta, 'name'), named], [attr(meta, 'itemprop'), itemprops]] as const) {
      if (key === null) continue;
      const k = key.trim().toLowerCase();
      const list = into.get(k);
      if (list) list.push(content);
      else into.set(k, [content]);
    }
  }
  let ld: LdNode[] | undefined; // parsed only when the <meta> tags do not answer
  const ldNodes = (): LdNode[] => (ld ??= jsonLdNodes(document));
  const out: PageMetadata = {};

  const publishedAt =
    firstOf(DATE_META.flatMap((k) => named.get(k) ?? []), pageDate) ??
    firstOf(itemprops.get('datepublished') ?? [], pageDate) ??
    firstOf(ldNodes().map((n) => n.datePublished), pageDate) ??
    firstOf([...document.querySelectorAll('article time, main time')].map((t) => attr(t, 'datetime')), pageDate) ??
    firstOf([...document.querySelectorAll('time')].map((t) => attr(t, 'datetime')), pageDate);
  if (publishedAt) out.publishedAt = publishedAt;

  const source = firstOf(named.get('og:site_name') ?? [], pageName) ?? firstOf(ldNodes().map((n) => publisherName(n, ldNodes())), pageName);
  if (source) out.source = source;

  const canonical = [...document.querySelectorAll('link')]
    .filter((link) => (attr(link, 'rel') ?? '').toLowerCase().split(/\s+/).includes('canonical'))
    .map((link) => attr(link, 'href'));
  const url = firstOf(canonical, absoluteHttpUrl) ?? firstOf(named.get('og:url') ?? [], absoluteHttpUrl);
  if (url) out.url = url;
  return out;
}

/** The first value that `accept` turns into something. */
function firstOf<T>(values: readonly unknown[], accept: (value: unknown) => T | undefined): T | undefined {
  for (const value of values) {
    const accepted = accept(value);
    if (accepted !== undefined) return accepted;
  }
  return undefined;
}

/** An attribute by its lower-case name, whatever case the markup used. */
function attr(element: Element, name: string): string | null {
  const value = element.getAttribute(name);
  if (value !== null) return value;
  for (const a of element.attributes) if (a.name.toLowerCase() === name) return a.value;
  return null;
}

/**
 * A page's date as ISO 8601, or undefined unless it parses as a date within the article limits'
 * years. It must hold a four-digit year: Date.parse reads "1" or "12" as dates of 2001.
 */
function pageDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.length > publishedAtLength || !/\d{4}/.test(text)) return undefined;
  const time = Date.parse(text);
  if (Number.isNaN(time)) return undefined;
  const year = new Date(time).getUTCFullYear();
  return year >= earliestYear && year <= latestYear ? new Date(time).toISOString() : undefined;
}

/** An outlet name with its whitespace collapsed, or undefined when empty or too long. */
function pageName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.normalize('NFKC').replace(/\s+/g, ' ').trim();
  return name && name.length <= maxSourceLength ? name : undefined;
}

/** An absolute http(s) URL (as the URL parser writes it), or undefined. */
function absoluteHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > maxUrlLength) return undefined;
  try {
    const url = new URL(value.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.href.length <= maxUrlLength ? url.href : undefined;
  } catch {
    return undefined;
  }
}

type LdNode = Record<string, unknown>;

/** At most this many JSON-LD values are queued and objects kept per page (a hostile page can hold millions). */
const [maxLdQueued, maxLdNodes] = [2_000, 500];

/**
 * The objects of a page's JSON-LD blocks, breadth first (top-level items and @graph members before
 * what they nest), article-like types (@type ending in Article, Posting or Report) first. Blocks
 * that are not valid JSON are skipped.
 */
function jsonLdNodes(document: Document): LdNode[] {
  const nodes: LdNode[] = [];
  const queue: object[] = [];
  const enqueue = (value: unknown): boolean => {
    if (value !== null && typeof value === 'object' && queue.length < maxLdQueued) queue.push(value);
    return queue.length < maxLdQueued;
  };
  for (const script of document.querySelectorAll('script')) {
    if ((attr(script, 'type') ?? '').trim().toLowerCase() !== 'application/ld+json') continue;
    try {
      enqueue(JSON.parse(script.textContent ?? ''));
    } catch {
      // not JSON: skipped
    }
  }
  for (let i = 0; i < queue.length && nodes.length < maxLdNodes; i++) {
    const value = queue[i] as object;
    if (!Array.isArray(value)) nodes.push(value as LdNode);
    for (const child of Array.isArray(value) ? value : Object.values(value)) if (!enqueue(child)) break;
  }
  const articleLike = (n: LdNode) => [n['@type']].flat().some((t) => typeof t === 'string' && /(Article|Posting|Report)$/.test(t));
  return [...nodes.filter(articleLike), ...nodes.filter((n) => !articleLike(n))];
}

/** The name of a JSON-LD node's publisher, following an {"@id"} reference to another node. */
function publisherName(node: LdNode, nodes: readonly LdNode[]): unknown {
  const publisher: unknown = [node.publisher].flat()[0];
  if (publisher === null || typeof publisher !== 'object') return undefined;
  const { name, '@id': id } = publisher as LdNode;
  if (name !== undefined || typeof id !== 'string') return name;
  return nodes.find((n) => n['@id'] === id && n !== publisher)?.name;
}
