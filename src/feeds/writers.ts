import type { Article, DecidedBy } from '../engine/types.js';
import type { FeedFormat } from './detect.js';
import { ns } from './xml-reader.js';

/**
 * What `annotate` adds to each item. status: `first` = the first report of its story (what `drop`
 * keeps), `repeat` = a duplicate or later report of a story already seen, `seen` = this very item
 * (same id, same content) was already processed, e.g. by an earlier run with the same state.
 */
export type ItemStatus = 'first' | 'repeat' | 'seen';

export interface Annotation {
  clusterId: string;
  duplicateOf: string | null;
  similarity: number;
  decidedBy: DecidedBy;
  status: ItemStatus;
}

/** An item to write: its article, plus its original form when the output keeps the input format. */
export interface OutputItem {
  article: Article;
  /** The item's XML as read (RSS/Atom input). */
  raw?: string;
  /** The JSON object and its line as read (JSON Lines input). */
  json?: { value: Record<string, unknown>; line: string };
}

/** Turns feed parts into output text. */
export interface FeedWriter {
  /** Whether the input's pass-through text (markup between items) is written. */
  keepsText: boolean;
  /** Opens the document; `rootTag` is the input's root start tag when the XML format is kept. */
  begin(rootTag?: string): string;
  item(item: OutputItem, annotation?: Annotation): string;
  /** Closes a generated document (a kept one closes through its pass-through text). */
  finish(): string;
}

export interface WriterOptions {
  format: FeedFormat;
  /** Whether items come with their input form in the same format (kept as read). */
  sameFormat: boolean;
  annotate: boolean;
  feedTitle?: () => string | undefined;
  /**
   * The output feed's link. Asked when the document opens, and by the RSS writer again when it
   * closes if there was none yet: a link known only from the items (their shared origin) comes late.
   */
  feedLink?: () => string | undefined;
  /** One line for stderr about the document as a whole. */
  warn?: (message: string) => void;
  now?: () => number;
}

const nsDeclaration = `xmlns:samestory="${ns.samestory}"`;

export function createWriter(options: WriterOptions): FeedWriter {
  if (options.format === 'jsonl') return jsonLinesWriter(options.annotate);
  if (options.sameFormat) return keptXmlWriter(options.annotate);
  return options.format === 'rss' ? generatedRssWriter(options) : generatedAtomWriter(options);
}

function jsonLinesWriter(annotate: boolean): FeedWriter {
  return {
    keepsText: false,
    begin: () => '',
    item({ article, json }, annotation) {
      if (json && !annotate) return `${json.line.trim()}\n`;
      const value = json ? json.value : { ...article };
      return `${JSON.stringify(annotation ? { ...value, samestory: { ...annotation, similarity: roundSimilarity(annotation.similarity) } } : value)}\n`;
    },
    finish: () => '',
  };
}

/** RSS/Atom out as it came in: markup as read, namespace declared on the root, annotations added. */
function keptXmlWriter(annotate: boolean): FeedWriter {
  return {
    keepsText: true,
    begin: (rootTag = '') => (annotate ? declareNamespace(rootTag) : rootTag),
    item: ({ raw = '' }, annotation) => (annotation ? insertAnnotation(raw, annotation) : raw),
    finish: () => '',
  };
}

function generatedRssWriter(options: WriterOptions): FeedWriter {
  const nsAttr = options.annotate ? ` ${nsDeclaration}` : '';
  const linkElement = (link: string | undefined) => (link ? `<link>${escapeXml(link)}</link>\n` : '');
  let linked = false;
  return {
    keepsText: false,
    begin() {
      const link = options.feedLink?.();
      linked = Boolean(link);
      return (
        `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"${nsAttr}>\n<channel>\n` +
        `<title>${escapeXml(options.feedTitle?.() ?? 'samestory dedup')}</title>\n` +
        linkElement(link) +
        `<description>Items deduplicated by samestory</description>\n`
      );
    },
    item({ article }, annotation) {
      const parts = [
        article.title === undefined ? '' : `<title>${escapeXml(article.title)}</title>`,
        article.url === undefined ? '' : `<link>${escapeXml(article.url)}</link>`,
        `<guid isPermaLink="false">${escapeXml(article.id)}</guid>`,
        article.publishedAt === undefined ? '' : `<pubDate>${new Date(article.publishedAt).toUTCString()}</pubDate>`,
        `<description>${escapeXml(article.html ?? article.text ?? '')}</description>`,
        ...(annotation ? annotationElements(annotation) : []),
      ];
      return `<item>${parts.join('')}</item>\n`;
    },
    finish() {
      // RSS 2.0 requires a channel link and sets no order for the channel's elements: one learnt
      // from the items goes after them rather than nowhere.
      const link = linked ? undefined : options.feedLink?.();
      if (!linked && !link) {
        options.warn?.('the RSS channel has no <link> (RSS 2.0 requires one): the input names no feed link and its items share no origin; give --feed-link URL');
      }
      return `${linkElement(link)}</channel>\n</rss>\n`;
    },
  };
}

function generatedAtomWriter(options: WriterOptions): FeedWriter {
  const nsAttr = options.annotate ? ` ${nsDeclaration}` : '';
  const now = () => new Date((options.now ?? Date.now)()).toISOString();
  return {
    keepsText: false,
    begin() {
      const link = options.feedLink?.();
      const title = options.feedTitle?.() ?? 'samestory dedup';
      return (
        `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="${ns.atom}"${nsAttr}>\n` +
        `<id>${escapeXml(link ?? 'urn:samestory:dedup')}</id>\n` +
        `<title>${escapeXml(title)}</title>\n<updated>${now()}</updated>\n` +
        // Atom wants an author for every entry; the source feed's name stands for all of them.
        `<author><name>${escapeXml(title)}</name></author>\n`
      );
    },
    item({ article }, annotation) {
      // Atom ids are IRIs: a bare key becomes a urn.
      const id = /^[a-z][a-z\d+.-]*:/i.test(article.id) ? article.id : `urn:samestory:${encodeURIComponent(article.id)}`;
      const content = article.html === undefined ? `<content type="text">${escapeXml(article.text ?? '')}</content>` : `<content type="html">${escapeXml(article.html)}</content>`;
      const parts = [
        `<id>${escapeXml(id)}</id>`,
        `<title>${escapeXml(article.title ?? '')}</title>`,
        `<updated>${article.publishedAt ?? now()}</updated>`,
        article.publishedAt === undefined ? '' : `<published>${article.publishedAt}</published>`,
        article.url === undefined ? '' : `<link rel="alternate" href="${escapeXml(article.url)}"/>`,
        content,
        ...(annotation ? annotationElements(annotation) : []),
      ];
      return `<entry>${parts.join('')}</entry>\n`;
    },
    finish: () => '</feed>\n',
  };
}

/** An annotation's similarity as written, in every format: 4 decimals (0.79679... -> 0.7968). */
function roundSimilarity(similarity: number): number {
  return Math.round(similarity * 1e4) / 1e4;
}

/** The annotation as samestory:* elements (duplicateOf only when there is one). */
export function annotationElements(a: Annotation): string[] {
  const el = (name: string, value: string) => `<samestory:${name}>${escapeXml(value)}</samestory:${name}>`;
  return [
    el('cluster', a.clusterId),
    ...(a.duplicateOf === null ? [] : [el('duplicateOf', a.duplicateOf)]),
    el('similarity', String(roundSimilarity(a.similarity))),
    el('decidedBy', a.decidedBy),
    el('status', a.status),
  ];
}

/** Inserts the annotation before the item's closing tag, indented like its first child. */
function insertAnnotation(raw: string, annotation: Annotation): string {
  const close = raw.lastIndexOf('</');
  if (close < 0) return raw;
  const body = raw.slice(0, close);
  const trimmed = body.trimEnd();
  const indent = /^<[^>]*>(\s*)</.exec(raw)?.[1] ?? '';
  return trimmed + annotationElements(annotation).map((e) => indent + e).join('') + body.slice(trimmed.length) + raw.slice(close);
}

/** Declares the samestory prefix on the root start tag (unless it already is). */
function declareNamespace(rootTag: string): string {
  if (rootTag.includes('xmlns:samestory=')) return rootTag;
  return rootTag.replace(/\s*(\/?>)$/, ` ${nsDeclaration}$1`);
}

/** Escapes text for XML content or attributes, dropping characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}
