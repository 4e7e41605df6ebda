import { decodeHTMLStrict } from 'entities';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { FeedError } from './detect.js';
import type { ItemFields } from './item.js';

export const ns = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  samestory: 'https://samestory.dev/ns/1.0',
} as const;

/** What the reader reports, in document order. */
export type XmlEvent =
  /** The root element's start tag and what precedes it, as written; the feed format it makes. */
  | { kind: 'root'; format: 'rss' | 'atom'; prolog: string; tag: string }
  /** Markup between items, as written (prolog, channel elements, whitespace, closing tags). */
  | { kind: 'text'; text: string }
  /** One item (RSS) or entry (Atom): its XML as written and its fields; problems mean "skip it". */
  | { kind: 'item'; position: number; raw: string; fields: ItemFields; problems: string[] }
  /** Something outside the items was wrong but the feed is still usable. */
  | { kind: 'warning'; message: string; skipped: boolean };

interface OpenItem {
  position: number;
  depth: number;
  slots: Record<string, string>;
  problems: string[];
  /** Past maxItemChars: no longer buffered, and skipped when it ends. */
  oversized?: boolean;
  /** Held a closing tag that matched no open element: skipped, and ended as soon as its end is clear. */
  stray?: boolean;
}

/** The parts of saxes' state that passing over a stray closing tag needs (not in its typings). */
interface SaxesInternals {
  tags: SaxesTagNS[];
  /** The name of the closing tag being handled. */
  name: string;
  closeTag(): void;
}

/** Largest item kept in memory (characters of XML); a bigger one is skipped, not buffered. */
export const maxItemChars = 8 * 1024 * 1024;
/** Far deeper than any feed nests (Atom xhtml content included). */
const maxDepth = 256;

/** An element whose text is being collected. */
interface Capture {
  key: string;
  depth: number;
  text: string;
  /** Start of the element's content in the stream (for Atom xhtml content, kept as markup). */
  innerStart: number;
  keepMarkup: boolean;
}

/**
 * Streaming RSS 2.0 / Atom 1.0 reader on a SAX parser (saxes): feed it decoded text in chunks of
 * any size and it returns the events completed so far, holding only the current item's text. Items
 * keep their XML exactly as read, so a writer can re-emit them untouched.
 *
 * Entities: only XML's five predefined ones and character references are expanded. Entities
 * declared in a DOCTYPE are never expanded (no "billion laughs"); an item that uses one is
 * skipped with a message, and the DOCTYPE is left out of the output.
 */
export class XmlFeedReader {
  feedLink?: string;
  feedTitle?: string;
  format?: 'rss' | 'atom';

  private readonly parser = withHtmlEntities(new SaxesParser({ xmlns: true, position: true }));
  private readonly saxes = this.parser as unknown as SaxesInternals;
  private readonly stack: SaxesTagNS[] = [];
  private readonly events: XmlEvent[] = [];
  /** Text not yet handed out, starting at stream offset `bufStart`. */
  private buf = '';
  private bufStart = 0;
  private item: OpenItem | null = null;
  private capture: Capture | null = null;
  private count = 0;
  private doctype: { end: number; entities: boolean } | null = null;
  private fatal: FeedError | null = null;
  /** Set while closing: unclosed tags are then reported once, as truncation. */
  private ending = false;

  constructor() {
    const p = this.parser;
    p.on('doctype', (text) => {
      this.doctype = { end: p.position, entities: /<!ENTITY/i.test(text) };
      if (this.doctype.entities) {
        this.warn('the DOCTYPE declares entities: they are never expanded, and items using them are skipped', false);
      }
    });
    p.on('opentag', (tag) => this.open(tag));
    p.on('closetag', () => this.close());
    p.on('text', (text) => this.addText(text));
    p.on('cdata', (text) => this.addText(text));
    p.on('error', (error) => this.onError(error.message));
    const closeTag = this.saxes.closeTag.bind(p);
    this.saxes.closeTag = () => this.closeTag(closeTag);
  }

  /** Parses the next chunk; returns the events it completed. Throws FeedError if not a feed. */
  write(chunk: string): XmlEvent[] {
    this.buf += chunk;
    this.parser.write(chunk);
    if (this.fatal) throw this.fatal;
    if (this.item && this.buf.length > maxItemChars) this.dropOversized(this.item);
    if (this.format && !this.item) {
      // Hand out passed markup, but keep a possibly unfinished tag (from its last '<').
      const keep = this.buf.lastIndexOf('<');
      this.emitText(keep < 0 ? this.buf.length : keep);
    }
    return this.events.splice(0);
  }

  /** Ends the input; a truncated feed is closed so the output stays well-formed. */
  end(): XmlEvent[] {
    const open = this.stack.length;
    const item = this.item;
    this.ending = true;
    this.parser.close();
    if (this.fatal) throw this.fatal;
    if (!this.format) throw new FeedError('no RSS or Atom root element found');
    if (item) {
      this.events.push({ kind: 'item', position: item.position, raw: '', fields: fieldsOf(item.slots, this.format), problems: [...item.problems, 'the feed ends inside this item (truncated)'] });
      this.bufStart += this.buf.length;
      this.buf = '';
    }
    if (open > 0) {
      const lastTagEnd = this.buf.lastIndexOf('>') + 1;
      this.buf = this.buf.slice(0, lastTagEnd);
      const outside = item ? this.stack.slice(0, item.depth - 1) : this.stack;
      this.buf += outside.map((tag) => `</${tag.name}>`).reverse().join('');
      this.warn(`the feed is truncated (${open} element(s) left open); it was closed after the last complete item`, !item);
    }
    this.emitText(this.buf.length);
    return this.events.splice(0);
  }

  private open(tag: SaxesTagNS): void {
    const pos = this.parser.position;
    // Items do not nest: an item's start tag inside a stray item ends it (its own end tag was the
    // stray one, </itme>).
    if (this.item?.stray && this.isItem(tag)) this.endStrayItem(this.item, pos);
    this.stack.push(tag);
    const depth = this.stack.length;
    // saxes resolves namespaces up the open-tag stack, so time grows with the square of the depth
    // (20,000 levels: seconds). Thrown from the handler, this stops the parser at once.
    if (depth > maxDepth) throw new FeedError(`elements nested deeper than ${maxDepth} levels: not a usable feed`);
    if (depth === 1) return this.openRoot(tag, pos);
    if (this.item) {
      if (depth === this.item.depth + 1 && !this.capture && !this.item.oversized) this.startCapture(tag, depth, pos);
      return;
    }
    const itemDepth = this.format === 'rss' ? 3 : 2;
    if (depth === itemDepth && this.isItem(tag)) {
      this.emitText(this.tagStart(pos));
      this.item = { position: ++this.count, depth, slots: {}, problems: [] };
    } else if (depth === itemDepth && !this.capture) {
      this.startCapture(tag, depth, pos);
    }
  }

  private openRoot(tag: SaxesTagNS, pos: number): void {
    if (tag.local === 'rss' && tag.uri === '') this.format = 'rss';
    else if (tag.local === 'feed' && tag.uri === ns.atom) this.format = 'atom';
    else {
      this.fatal ??= new FeedError(`unsupported XML root element <${tag.name}>: expected RSS 2.0 <rss> or Atom 1.0 <feed>`);
      return;
    }
    const start = this.tagStart(pos);
    let prolog = this.buf.slice(0, start);
    if (this.doctype?.entities) {
      const from = prolog.search(/<!DOCTYPE/i);
      const to = this.doctype.end - this.bufStart;
      if (from >= 0 && to > from) prolog = prolog.slice(0, from) + prolog.slice(to);
    }
    this.events.push({ kind: 'root', format: this.format, prolog, tag: this.buf.slice(start, pos - this.bufStart) });
    this.buf = this.buf.slice(pos - this.bufStart);
    this.bufStart = pos;
  }

  private isItem(tag: SaxesTagNS): boolean {
    return this.format === 'rss' ? tag.local === 'item' && tag.uri === '' : tag.local === 'entry' && tag.uri === ns.atom;
  }

  private close(): void {
    const depth = this.stack.length;
    this.stack.pop();
    const pos = this.parser.position;
    if (this.capture?.depth === depth) this.endCapture(pos);
    if (this.item?.depth === depth) this.endItem(this.item, pos - this.bufStart);
  }

  /**
   * saxes answers a closing tag that matches no open element (<title>…</titel>) by closing every
   * element, the root too, so nothing after it can be read. Inside an item it is passed over
   * instead: onError marks the item skipped, and the feed goes on after the item's end.
   */
  private closeTag(closeTag: () => void): void {
    const { item, saxes } = this;
    const match = saxes.tags.findLastIndex((tag) => tag.name === saxes.name);
    if (item && match < 0) {
      // With nothing open to close, saxes only reports the tag.
      const open = saxes.tags;
      saxes.tags = [];
      try {
        closeTag();
      } finally {
        saxes.tags = open;
      }
      return;
    }
    // A stray item whose own end tag was the stray one ends at its parent's end tag (</channel>).
    if (item?.stray && match < item.depth - 1) this.endStrayItem(item, this.parser.position);
    closeTag();
  }

  /** Ends a stray item before the tag ending at stream offset `pos`: it and its open elements leave both stacks. */
  private endStrayItem(item: OpenItem, pos: number): void {
    this.stack.splice(item.depth - 1);
    this.saxes.tags.splice(item.depth - 1);
    this.capture = null;
    this.endItem(item, this.tagStart(pos));
  }

  /** Hands out the item whose XML is the first `cut` characters of the buffer. */
  private endItem(item: OpenItem, cut: number): void {
    this.item = null;
    const raw = this.buf.slice(0, cut);
    this.buf = this.buf.slice(cut);
    this.bufStart += cut;
    if (raw.includes('\uFFFD')) {
      this.warn(`item ${item.position}: contains characters that could not be decoded (is the declared encoding right?)`, false);
    }
    this.events.push({ kind: 'item', position: item.position, raw, fields: fieldsOf(item.slots, this.format ?? 'rss'), problems: item.problems });
  }

  private dropOversized(item: OpenItem): void {
    if (!item.oversized) item.problems.push(`larger than ${maxItemChars / 2 ** 20} MiB of XML`);
    item.oversized = true;
    this.capture = null;
    // The item is still open, so all of the buffer is its markup: none of it is needed any more.
    this.bufStart += this.buf.length;
    this.buf = '';
  }

  private startCapture(tag: SaxesTagNS, depth: number, pos: number): void {
    const key = slotKey(tag, this.format ?? 'rss', this.item !== null);
    if (!key) return;
    const type = tag.attributes.type?.value ?? '';
    if (key.startsWith('atom:link')) {
      const rel = tag.attributes.rel?.value ?? 'alternate';
      const href = tag.attributes.href?.value;
      if (rel === 'alternate' && href) this.setSlot(key, href);
      return;
    }
    const kind = type === 'xhtml' ? 'xhtml' : type === 'html' ? 'html' : type === '' || type === 'text' ? 'text' : null;
    const slot = key === 'atom:content' || key === 'atom:summary' ? `${key}:${kind}` : key;
    if (kind === null) return; // e.g. <content src="..."> or a media type: nothing to read
    this.capture = { key: slot, depth, text: '', innerStart: pos, keepMarkup: kind === 'xhtml' };
  }

  private endCapture(pos: number): void {
    const c = this.capture as Capture;
    this.capture = null;
    let value = c.text;
    if (c.keepMarkup) {
      const end = this.buf.lastIndexOf('</', pos - this.bufStart - 1);
      value = this.buf.slice(c.innerStart - this.bufStart, end);
    }
    this.setSlot(c.key, value);
  }

  private setSlot(key: string, value: string): void {
    if (this.item) {
      this.item.slots[key] ??= value;
    } else if (key.endsWith('link')) {
      this.feedLink ??= value.trim();
    } else if (key.endsWith('title')) {
      this.feedTitle ??= value.trim();
    }
  }

  private addText(text: string): void {
    if (this.capture) this.capture.text += text;
  }

  private onError(message: string): void {
    if (this.ending && /unclosed tag/.test(message)) return;
    if (/unmatched closing tag/.test(message)) {
      const problem = `${message.replace(/\.$/, '')} (a closing tag that matches no open element, like <title>…</titel>)`;
      if (this.item) {
        this.item.stray = true;
        this.item.problems.push(`malformed XML: ${problem}`);
      } else if (!this.fatal) {
        // Outside the items saxes has closed every element first: nothing after it can be placed.
        // Say so, rather than what the wreck looks like next (a second root).
        const where = this.count > 0 ? ` after item ${this.count}` : '';
        this.fatal = new FeedError(`malformed XML${where}: ${problem}; the feed cannot be read past it`);
      }
      return;
    }
    const clear = /undefined entity/.test(message) && this.doctype?.entities
      ? `${message.replace(/\.$/, '')} (entities declared in the DOCTYPE are not expanded)`
      : message;
    if (this.item) this.item.problems.push(`malformed XML: ${clear}`);
    else this.warn(`malformed XML outside the items: ${clear}`, false);
  }

  private warn(message: string, skipped: boolean): void {
    this.events.push({ kind: 'warning', message, skipped });
  }

  /** Buffer index of the '<' that starts the tag ending at stream offset `pos`. */
  private tagStart(pos: number): number {
    return this.buf.lastIndexOf('<', pos - this.bufStart - 1);
  }

  /** Hands out the first `upTo` characters of the buffer as pass-through text. */
  private emitText(upTo: number): void {
    const text = this.buf.slice(0, upTo);
    if (text) this.events.push({ kind: 'text', text });
    this.buf = this.buf.slice(upTo);
    this.bufStart += upTo;
  }
}

/** The slot an element fills, or null when it is not read. */
function slotKey(tag: SaxesTagNS, format: 'rss' | 'atom', inItem: boolean): string | null {
  if (format === 'rss') {
    if (tag.uri === '' && ['title', 'link', 'guid', 'description', 'pubDate'].includes(tag.local)) return tag.local;
    if (tag.uri === ns.content && tag.local === 'encoded') return 'content:encoded';
    if (tag.uri === ns.dc && tag.local === 'date') return 'dc:date';
    if (tag.uri === ns.dc && tag.local === 'language' && inItem) return 'dc:language';
    return null;
  }
  if (tag.uri !== ns.atom) return null;
  if (['id', 'title', 'published', 'updated', 'content', 'summary'].includes(tag.local)) return `atom:${tag.local}`;
  if (tag.local === 'link') return 'atom:link';
  return null;
}

/** An item's fields from its collected slots, by the priorities documented in docs/feeds.md. */
function fieldsOf(s: Record<string, string>, format: 'rss' | 'atom'): ItemFields {
  const fields: ItemFields =
    format === 'rss'
      ? {
          id: s.guid,
          link: s.link,
          title: s.title,
          html: nonEmpty(s['content:encoded']) ?? s.description,
          date: s.pubDate ?? s['dc:date'],
          lang: s['dc:language'],
        }
      : {
          id: s['atom:id'],
          link: s['atom:link'],
          title: s['atom:title'],
          html:
            nonEmpty(s['atom:content:xhtml']) ??
            nonEmpty(s['atom:content:html']) ??
            (nonEmpty(s['atom:content:text']) ? undefined : (nonEmpty(s['atom:summary:xhtml']) ?? nonEmpty(s['atom:summary:html']))),
          text: nonEmpty(s['atom:content:text']) ?? s['atom:summary:text'],
          date: s['atom:published'] ?? s['atom:updated'],
        };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as ItemFields;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value?.trim() ? value : undefined;
}

/**
 * Lets the parser resolve HTML's named entities (&rsquo;, &nbsp;, ...), which XML does not define
 * but real feeds print: an item using one was otherwise skipped as malformed. Anything else (a
 * DOCTYPE's own entities, which are never expanded) stays undefined.
 */
function withHtmlEntities(parser: SaxesParser<{ xmlns: true; position: true }>): typeof parser {
  const known = parser.ENTITIES;
  parser.ENTITIES = new Proxy(known, {
    get(target, name) {
      if (typeof name !== 'string' || Object.hasOwn(target, name)) return target[name as keyof typeof target];
      const decoded = decodeHTMLStrict(`&${name};`);
      return decoded === `&${name};` ? undefined : decoded;
    },
  });
  return parser;
}
