import { createRequire } from 'node:module';
import { backgroundShare } from './background.js';
import { fmix32, fnv1a, hash32 } from './hash.js';
import { porterStem } from './porter.js';
import { pageMetadata, type PageMetadata } from './page-metadata.js';
import type { Article } from './types.js';

/** Porter stem (natural's, see porter.ts). */
export { porterStem as stem } from './porter.js';

// natural's parts by their own module paths: its index pulls database drivers and calls
// dotenv.config(), which prints to stdout (see ../shared/design.md §7). These load in a few ms.
const require = createRequire(import.meta.url);
const { words: stopwordList } = require('natural/lib/natural/util/stopwords.js') as { words: string[] };

/**
 * The HTML stack loads on the first HTML article only: linkedom alone takes ~0.5 s to import,
 * which plain-text streams and every CLI start would otherwise pay.
 */
let html: { parseHTML: typeof import('linkedom').parseHTML; Readability: typeof import('@mozilla/readability').Readability } | undefined;
function htmlStack(): NonNullable<typeof html> {
  html ??= {
    parseHTML: (require('linkedom') as typeof import('linkedom')).parseHTML,
    Readability: (require('@mozilla/readability') as typeof import('@mozilla/readability')).Readability,
  };
  return html;
}
/** English stop words (natural's list plus a few news-copy function words). */
export const stopwords: ReadonlySet<string> = new Set([
  ...stopwordList,
  ...['said', 'says', 'say', 'told', 'also', 'would', 'could', 'one', 'two', 'new', 'year', 'years'],
  ...['mr', 'mrs', 'ms', 'just', 'like', 'get', 'got', 'will', 'may', 'can', 'us', 'last', 'first'],
  // Titles and the Saint/Street abbreviation: capitalised, they would be boosted as names, yet
  // "St" joined a strike at St Brigid's hospital to a storm at St Anselm's school.
  ...['st', 'dr', 'prof', 'jr', 'sr'],
]);

/** The text of an article, extracted and normalised, with its sentence structure kept. */
export interface PreparedText {
  title: string;
  /** Normalised sentences in order, the title first (the title counts as content). */
  sentences: string[];
  /** What an HTML page says about itself (empty for plain text, and for html beside text). */
  page: PageMetadata;
}

/** Plain text has no page metadata: one shared empty object, nothing to compute. */
const noPage: PageMetadata = Object.freeze({});

/**
 * Extracts and normalises an article: HTML goes through Readability (falling back to the page's
 * body text when it finds no article), plain text passes through; both are normalised and split
 * into sentences. The title leads unless the text already starts with it.
 */
export function prepareText(article: Pick<Article, 'title' | 'text' | 'html'>): PreparedText {
  let title = normalise(article.title ?? '').replace(/\n+/g, ' ').trim();
  let body = article.text ?? '';
  let page = noPage;
  if (!body.trim() && article.html) {
    const extracted = extractHtml(article.html);
    body = extracted.text;
    page = extracted.page;
    if (!title) title = normalise(extracted.title).replace(/\n+/g, ' ').trim();
  }
  const sentences = splitSentences(normalise(body));
  if (title && sentences[0] !== title) sentences.unshift(title);
  return { title, sentences, page };
}

/** Block elements whose boundaries are line breaks in the extracted text. */
const BLOCK = new Set([
  'P', 'DIV', 'LI', 'UL', 'OL', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BR', 'TR', 'TD', 'TH', 'BLOCKQUOTE',
  'PRE', 'FIGCAPTION', 'FIGURE', 'SECTION', 'ARTICLE', 'HEADER', 'FOOTER', 'TABLE', 'DT', 'DD', 'HR',
]);
/** Never content, removed before the fallback body-text extraction. */
const NON_CONTENT = 'script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button';

/**
 * Readability article text with block boundaries as newlines (the body text when it finds nothing),
 * and the page's own metadata (read from the same parse, before anything is removed).
 */
export function extractHtml(fragmentOrPage: string): { title: string; text: string; page: PageMetadata } {
  // linkedom gives a fragment (e.g. a feed's content:encoded) no body: make it a page.
  const page = /<(html|body)[\s>]/i.test(fragmentOrPage) ? fragmentOrPage : `<html><body>${fragmentOrPage}</body></html>`;
  const { parseHTML, Readability } = htmlStack();
  const { document } = parseHTML(page);
  const metadata = pageMetadata(document as unknown as Document);
  const headings = [...document.querySelectorAll('h1')].map((h) => h.textContent ?? '');
  const title = (found: string | null | undefined, siteName?: string | null) =>
    headlineOf(found || (document.querySelector('title')?.textContent ?? ''), [metadata.source, siteName], headings);
  // Readability mutates the document, so it gets its own copy. Its cost grows steeply with nesting
  // depth (1,000 nested elements: ~9 s; 10,000 overflow the stack), so deeper markup than real
  // pages have goes straight to the body text below.
  const parsed = depthOf(document.documentElement) <= maxReadabilityDepth ? new Readability(parseHTML(page).document as unknown as Document).parse() : null;
  if (parsed?.content) {
    const text = blockText(parseHTML(`<html><body>${parsed.content}</body></html>`).document.body);
    if (text.trim()) return { title: title(parsed.title, parsed.siteName), text, page: metadata };
  }
  const fallbackTitle = title(null);
  for (const node of [...document.querySelectorAll(NON_CONTENT)]) node.remove();
  return { title: fallbackTitle, text: document.body ? blockText(document.body) : (document.textContent ?? ''), page: metadata };
}

/** What sites put between a headline and their own name in <title>: "Headline | Outlet". */
const TITLE_SEPARATOR = /\s+(?:[|\-–—:»·•/\\]|::)\s+/;

/**
 * The headline in a page's <title>, without the site's name: "Headline | The Outlet" would put
 * the outlet's name in every headline and tie its stories together (Readability leaves it on
 * titles of four words or fewer). The page's own <h1> when the title opens with it and a
 * separator, else the title without a first or last part that is one of `siteNames`, else the
 * title as it is. (An <h1> at the end is not taken: templates put the outlet's logo in one.)
 */
export function headlineOf(title: string, siteNames: readonly (string | null | undefined)[], headings: readonly string[]): string {
  const trimmed = title.replace(/\s+/g, ' ').trim();
  const parts = trimmed.split(TITLE_SEPARATOR);
  if (parts.length < 2) return trimmed;
  for (const heading of headings.map((h) => h.replace(/\s+/g, ' ').trim())) {
    if (heading && trimmed.toLowerCase().startsWith(heading.toLowerCase()) && separatorFirst.test(trimmed.slice(heading.length))) return heading;
  }
  const key = (text: string) => text.toLowerCase().replace(/^the\s+/, '').replace(/[^\p{L}\p{N}]+/gu, '');
  const sites = new Set(siteNames.flatMap((name) => (name && key(name) ? [key(name)] : [])));
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (sites.has(key(last))) return trimmed.slice(0, trimmed.length - last.length).replace(separatorLast, '');
  if (sites.has(key(first))) return trimmed.slice(first.length).replace(separatorFirst, '');
  return trimmed;
}

const separatorFirst = new RegExp(`^${TITLE_SEPARATOR.source}`);
const separatorLast = new RegExp(`${TITLE_SEPARATOR.source}$`);

/** Deeper than news pages nest (they stay well under 100); Readability stays fast below it. */
const maxReadabilityDepth = 150;

/** Element nesting depth under `root`, without recursion. */
function depthOf(root: Node): number {
  let max = 0;
  const stack: [Node, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [Node, number];
    if (depth > max) max = depth;
    for (const child of node.childNodes) if (child.nodeType === 1) stack.push([child, depth + 1]);
  }
  return max;
}

function blockText(root: Node): string {
  const parts: string[] = [];
  // An explicit stack rather than recursion: nesting depth is the input's choice.
  const stack: (Node | '\n')[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node | '\n';
    if (node === '\n') {
      parts.push('\n');
      continue;
    }
    if (node.nodeType === 3) {
      parts.push(node.textContent ?? '');
      continue;
    }
    if (node.nodeType !== 1) continue;
    const tag = (node as Element).tagName.toUpperCase();
    if (tag === 'SCRIPT' || tag === 'STYLE' || tag === 'NOSCRIPT' || tag === 'TEMPLATE') continue;
    const block = BLOCK.has(tag);
    if (block) parts.push('\n');
    if (block) stack.push('\n');
    const children = [...node.childNodes];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
  }
  return parts.join('');
}

/**
 * Unicode NFKC, typographic quotes/dashes to ASCII, control characters dropped, runs of spaces
 * collapsed; line breaks are kept (they are sentence boundaries).
 */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201a\u201b\u2032\u00b4`]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200d\ufeff]/g, ' ')
    // Runs of 2+ blanks, or a lone tab/nbsp: a lone plain space (most matches) is left alone, which
    // makes this pass ~5x cheaper than rewriting every space with itself.
    .replace(/[ \t\u00a0]{2,}|[\t\u00a0]/g, ' ')
    .replace(/ ?\n ?/g, '\n');
}

/** Abbreviations after which a full stop does not end a sentence. */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'gen', 'lt', 'col', 'sgt', 'capt', 'gov', 'sen', 'rep',
  'rev', 'inc', 'ltd', 'co', 'corp', 'vs', 'no', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep',
  'sept', 'oct', 'nov', 'dec', 'u.s', 'u.k', 'e.g', 'i.e', 'etc', 'approx', 'dept', 'est', 'ft', 'mt',
]);

/** Splits normalised text into sentences: line breaks always, and . ! ? before a capital or digit. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.split('\n')) {
    let start = 0;
    for (const m of line.matchAll(/[.!?]+["')\]]*\s+(?=["'([]?[A-Z0-9])/g)) {
      const end = m.index + m[0].length;
      // "Mr. Smith", "U.S. officials", "I.R.S. Official", "J. Smith": not a boundary.
      if (m[0].startsWith('.')) {
        const lastWord = wordBefore(line, start, m.index);
        if (ABBREVIATIONS.has(lastWord) || /^(?:[a-z]\.)*[a-z]$/.test(lastWord)) continue;
      }
      pushTrimmed(sentences, line.slice(start, end));
      start = end;
    }
    pushTrimmed(sentences, line.slice(start));
  }
  return sentences;
}

/**
 * The run of letters and dots ending at `end` (from `start` on), lower-cased: what
 * /([A-Za-z.]+)$/ finds in line.slice(start, end), read backwards instead of by a regex tried at
 * every position of the sentence so far.
 */
function wordBefore(line: string, start: number, end: number): string {
  let i = end;
  for (; i > start; i--) {
    const c = line.charCodeAt(i - 1);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 46)) break;
  }
  return line.slice(i, end).toLowerCase();
}

function pushTrimmed(out: string[], text: string): void {
  const t = text.trim();
  if (t) out.push(t);
}

/** Lower-cased word tokens of a text (diacritics folded, "3,000" kept as one number). */
export function words(text: string): string[] {
  const out: string[] = [];
  const [scanned, count] = scanAny(text);
  for (let t = 0; t < count; t++) {
    const word = wordOf(scanned.slice(spans.start[t], spans.end[t]));
    if (word) out.push(word);
  }
  return out;
}

/**
 * Token spans of the latest scan, reused from call to call (scans are synchronous): start, end and
 * an FNV-1a hash of the raw characters of each token.
 */
const spans = { start: new Int32Array(1024), end: new Int32Array(1024), hash: new Int32Array(1024) };

/**
 * Scans a text into `spans`, returning the text scanned and the token count. ASCII text is scanned
 * as it is (wordOf lower-cases); other text is folded first: diacritics off, curly apostrophes
 * straightened, lower-cased.
 */
function scanAny(text: string): [string, number] {
  const count = scan(text, false);
  if (count >= 0) return [text, count];
  const folded = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[\u2018\u2019]/g, "'").toLowerCase();
  return [folded, scan(folded, true)];
}

/**
 * Raw tokens: maximal runs of letters, digits and ' - / (natural's AggressiveTokenizer split, as one
 * char scan), a comma after a digit and before three more ("3,000") included. Stops with -1 at a
 * non-ASCII character unless the text is `folded` (where such characters separate tokens).
 */
function scan(text: string, folded: boolean): number {
  const n = text.length;
  let count = 0;
  let start = -1;
  let h = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0;
    if (
      (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 39 || c === 45 || c === 47 ||
      (c === 44 && i + 3 < n && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1)) &&
        isDigit(text.charCodeAt(i + 2)) && isDigit(text.charCodeAt(i + 3)))
    ) {
      if (start < 0) {
        start = i;
        h = 0x811c9dc5 | 0;
      }
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (c > 127 && !folded) return -1;
    if (start < 0) continue;
    if (count === spans.start.length) growSpans();
    spans.start[count] = start;
    spans.end[count] = i;
    spans.hash[count++] = h;
    start = -1;
  }
  return count;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function growSpans(): void {
  for (const key of ['start', 'end', 'hash'] as const) {
    const bigger = new Int32Array(spans[key].length * 2);
    bigger.set(spans[key]);
    spans[key] = bigger;
  }
}

/** The word of a raw token: lower-cased, without number commas or edge ' - /, nor a final 's. */
function wordOf(raw: string): string {
  let word = raw.toLowerCase();
  if (word.includes(',')) word = word.replace(/,/g, '');
  // Regex clean-up only for the few tokens with an apostrophe, hyphen or slash.
  return /['\-/]/.test(word) ? word.replace(/^['\-/]+|['\-/]+$/g, '').replace(/'s$/, '') : word;
}

/**
 * A content term, interned: while the memos last (see trimMemos) there is one Term object per term,
 * so an article's terms are counted on the objects themselves (termCounts in tfidf.ts), not in Maps.
 */
export interface Term {
  readonly text: string;
  /** Share of the background model's documents containing it (backgroundShare). */
  readonly background: number;
  /** Orders terms as their texts do, up to ties (see orderKey). */
  readonly order: number;
  /** termCounts' scratch: the stamp of the count that last saw the term, its tally, boosted stamp. */
  seen: number;
  count: number;
  boosted: number;
}

/** The words of a text as the features use them. */
export interface Tokens {
  /** hash32 of each word of words(text), as int32: shingles are built from these. */
  hashes: Int32Array;
  /** The content terms of those words (see contentTerms), in order. */
  terms: Term[];
}

/** The words of a text, through the token memo: words(text) hashed, and its content terms. */
export function tokenise(text: string): Tokens {
  const [scanned, count] = scanAny(text);
  const hashes = new Int32Array(count);
  const terms: Term[] = [];
  const termList = tokenMemo.termList;
  let words = 0;
  for (let t = 0; t < count; t++) {
    const slot = tokenMemo.find(scanned, spans.start[t] as number, spans.end[t] as number, spans.hash[t] as number);
    const slots = tokenMemo.slots; // a new array after a rehash
    const first = slots[slot + TERMS_FROM] as number;
    if (first < 0) continue; // nothing left of the token
    hashes[words++] = slots[slot + WORD_HASH] as number;
    for (let i = first; i < (slots[slot + TERMS_TO] as number); i++) terms.push(termList[i] as Term);
  }
  return { hashes: hashes.subarray(0, words), terms };
}

/**
 * Fields of a TokenMemo slot: the raw token (hash, length + 1 (0: free slot), offset in the pool),
 * its word's hash, its terms in termList. Slots are 8 ints (32 bytes, half a cache line).
 */
const [KEY_HASH, KEY_LENGTH, KEY_AT, WORD_HASH, TERMS_FROM, TERMS_TO, SLOT] = [0, 1, 2, 3, 4, 5, 8];

/**
 * raw token -> its word's hash and content terms, an open-addressing table looked up by the token's
 * characters where they stand in the text: known tokens (nearly all) are never sliced into strings,
 * lower-cased, hashed or stemmed again (the features' hot path: a Map keyed by sliced strings took
 * 0.095 ms per 800-word article, this about half). A slot holds everything a hit reads (the key's
 * characters are in one pool, terms in one list): the table outgrows the CPU caches, and a chain of
 * entry object -> key string -> terms array cost a cache miss per link.
 */
class TokenMemo {
  slots = new Int32Array(SLOT << 15);
  readonly termList: Term[] = [];
  private pool = new Uint16Array(1 << 16);
  private poolUsed = 0;
  size = 0;

  clear(): void {
    this.slots.fill(0);
    this.termList.length = 0;
    this.poolUsed = 0;
    this.size = 0;
  }

  /** The slot of the raw token text[start, end) whose characters hash to `hash`, filled if new. */
  find(text: string, start: number, end: number, hash: number): number {
    const length = end - start;
    const mask = this.slots.length - 1;
    let slot = Math.imul(fmix32(hash), SLOT) & mask;
    for (; this.slots[slot + KEY_LENGTH] !== 0; slot = (slot + SLOT) & mask) {
      if (this.slots[slot + KEY_HASH] === hash && this.slots[slot + KEY_LENGTH] === length + 1 && this.sameChars(this.slots[slot + KEY_AT] as number, text, start, length)) return slot;
    }
    const raw = text.slice(start, end);
    const word = wordOf(raw);
    if (word !== raw && word === raw.toLowerCase()) {
      // A capitalised token ("Police") shares the entry of its lower-case twin, which wordOf leaves
      // as it is: its word is stemmed and interned once, not once per spelling.
      const twin = this.find(word, 0, word.length, fnv1a(word));
      return this.insert(text, start, end, hash, this.slots.subarray(twin + WORD_HASH, twin + TERMS_TO + 1));
    }
    const terms = word ? termsOf(word) : null;
    const from = terms ? this.termList.length : -1;
    if (terms) this.termList.push(...terms);
    return this.insert(text, start, end, hash, [hash32(word) | 0, from, this.termList.length]);
  }

  /** Files the new raw token text[start, end) with its value: its word's hash and terms range. */
  private insert(text: string, start: number, end: number, hash: number, value: ArrayLike<number>): number {
    const length = end - start;
    if (++this.size * 2 * SLOT > this.slots.length) this.rehash();
    const mask = this.slots.length - 1;
    let slot = Math.imul(fmix32(hash), SLOT) & mask;
    while (this.slots[slot + KEY_LENGTH] !== 0) slot = (slot + SLOT) & mask;
    this.slots.set(value, slot + WORD_HASH);
    this.slots[slot + KEY_HASH] = hash;
    this.slots[slot + KEY_LENGTH] = length + 1;
    this.slots[slot + KEY_AT] = this.poolUsed;
    if (this.poolUsed + length > this.pool.length) {
      const bigger = new Uint16Array(Math.max(this.pool.length * 2, this.poolUsed + length));
      bigger.set(this.pool);
      this.pool = bigger;
    }
    for (let i = 0; i < length; i++) this.pool[this.poolUsed + i] = text.charCodeAt(start + i);
    this.poolUsed += length;
    return slot;
  }

  private sameChars(at: number, text: string, start: number, length: number): boolean {
    for (let i = 0; i < length; i++) if (this.pool[at + i] !== text.charCodeAt(start + i)) return false;
    return true;
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (let from = 0; from < old.length; from += SLOT) {
      if (old[from + KEY_LENGTH] === 0) continue;
      let slot = Math.imul(fmix32(old[from + KEY_HASH] as number), SLOT) & mask;
      while (this.slots[slot + KEY_LENGTH] !== 0) slot = (slot + SLOT) & mask;
      this.slots.set(old.subarray(from, from + SLOT), slot);
    }
  }
}

/** The interned Term of a term text. */
export function internTerm(text: string): Term {
  return termMemo.intern(text);
}

/**
 * term text -> its Term, by open addressing on hash32 of the text (0 marks a free slot). A new term
 * (a first-sight 800-word article brings ~14) cost ~1.5 µs with a Map here and one for the
 * background model, mostly cache misses down their chains; here a miss reads one typed-array slot,
 * and the background model reuses the hash. 65,536 slots to start: a stream's vocabulary soon
 * fills them past the first growths.
 */
class TermMemo {
  private hashes = new Int32Array(1 << 16);
  private terms: (Term | null)[] = new Array<Term | null>(1 << 16).fill(null);
  size = 0;

  clear(): void {
    this.hashes.fill(0);
    this.terms.fill(null);
    this.size = 0;
  }

  intern(text: string): Term {
    const hash = hash32(text);
    const key = hash | 1; // never 0
    const mask = this.hashes.length - 1;
    let slot = (key >>> 1) & mask;
    for (; this.hashes[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.hashes[slot] === key && (this.terms[slot] as Term).text === text) return this.terms[slot] as Term;
    }
    const term: Term = { text, background: backgroundShare(text, hash), order: orderKey(text), seen: 0, count: 0, boosted: 0 };
    this.hashes[slot] = key;
    this.terms[slot] = term;
    if (++this.size * 2 > this.hashes.length) this.grow();
    return term;
  }

  private grow(): void {
    const { hashes, terms } = this;
    this.hashes = new Int32Array(hashes.length * 2);
    this.terms = new Array<Term | null>(hashes.length * 2).fill(null);
    const mask = this.hashes.length - 1;
    for (let from = 0; from < hashes.length; from++) {
      if (hashes[from] === 0) continue;
      let slot = ((hashes[from] as number) >>> 1) & mask;
      while (this.hashes[slot] !== 0) slot = (slot + 1) & mask;
      this.hashes[slot] = hashes[from] as number;
      this.terms[slot] = terms[from] as Term;
    }
  }
}

/** Base of orderKey's digits: 0 ends the text, 2-11 and 13 and 15-40 are 0-9, _ and a-z (all term characters). */
export const ORDER_BASE = 42;

/**
 * A number that orders texts as their code units do, up to ties: texts with different keys compare
 * as their keys, texts with equal keys must be compared as strings. Digits in base ORDER_BASE for
 * the first 8 characters (exact in a double); any other character gets the digit of its range
 * between those (1, 12, 14, 41) and ends the key, since such a digit no longer decides the order.
 */
function orderKey(text: string): number {
  let key = 0;
  let i = 0;
  for (; i < 8 && i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = c < 48 ? 1 : c <= 57 ? c - 46 : c < 95 ? 12 : c === 95 ? 13 : c < 97 ? 14 : c <= 122 ? c - 82 : 41;
    key = key * ORDER_BASE + digit;
    if (digit === 1 || digit === 12 || digit === 14 || digit === 41) {
      i++;
      break;
    }
  }
  return key * ORDER_BASE ** (8 - i);
}

const tokenMemo = new TokenMemo();
const termMemo = new TermMemo();
/** raw space-separated token -> its name term, or null when it is not a name (see nameTermAt). */
const nameMemo = new Map<string, Term | null>();

/** News vocabulary repeats; memos start afresh past this size, which bounds their memory. */
const MEMO_LIMIT = 100_000;

/**
 * Empties the token, name and term memos together once one is full. Terms are told apart by
 * identity, so this runs only between articles (Engine.features, contentTerms), never mid-count.
 */
export function trimMemos(): void {
  if (Math.max(tokenMemo.size, termMemo.size, nameMemo.size) < MEMO_LIMIT) return;
  tokenMemo.clear();
  termMemo.clear();
  nameMemo.clear();
}

/**
 * Content terms of a word list: stems of non-stop words (hyphen/slash compounds split into their
 * parts), and numbers of two or more digits. Single letters and lone digits carry no story.
 */
export function contentTerms(tokens: readonly string[]): string[] {
  trimMemos();
  const terms: string[] = [];
  for (const token of tokens) for (const term of termsOf(token)) terms.push(term.text);
  return terms;
}

/** A word's content terms (see contentTerms). Memoised by the callers, per raw token or name. */
function termsOf(word: string): Term[] {
  const terms: Term[] = [];
  for (const part of word.includes('-') || word.includes('/') ? word.split(/[-/]+/) : [word]) {
    const w = part.includes("'") ? part.replace(/'/g, '') : part;
    if (w.length < 2 || stopwords.has(w)) continue;
    terms.push(internTerm(/^\d+$/.test(w) ? w : porterStem(w)));
  }
  return terms;
}

/** Name terms and adjacent-name pairs (see nameTerms). */
export interface NameTerms {
  names: Term[];
  pairs: Term[];
}

/**
 * Names in running text: capitalised words not opening a sentence ("... said Brian Nichols in
 * Atlanta"). Returns the content terms of those words, plus a joined term for each pair of adjacent
 * capitalised words ("brian_nichol"), which is far more specific than either word alone. Text
 * without case (lower-cased feeds) yields nothing. Appended to `out` when given (one pair of arrays
 * for all of an article's sentences).
 */
export function nameTerms(sentence: string, out: NameTerms = { names: [], pairs: [] }): NameTerms {
  const { names, pairs } = out;
  // The sentence's tokens are its pieces between single spaces (as split(' ') gives them): only
  // pieces opening with a capital or an opening mark can be names, and the regex finds the spaces
  // before those (most pieces are lower-case words, skipped in its native scan rather than one
  // indexOf call each). A name pairs with the previous one only if that ended at the space before it.
  let prev: Term | null = null;
  let prevEnd = -1;
  const n = sentence.length;
  NAME_START.lastIndex = 0;
  while (NAME_START.test(sentence)) {
    const start = NAME_START.lastIndex;
    const space = sentence.indexOf(' ', start);
    const end = space < 0 ? n : space;
    NAME_START.lastIndex = end;
    const term = nameTermAt(sentence, start, end);
    if (term === null) {
      prev = null;
      continue;
    }
    names.push(term);
    if (prev !== null && prevEnd === start - 1) pairs.push(internTerm(`${prev.text}_${term.text}`));
    // A name run ends at punctuation: "Paris, France" is two names, not one.
    prev = NAME_RUN_END.has(sentence.charCodeAt(end - 1)) ? null : term;
    prevEnd = end;
  }
  return out;
}

/** A space before a piece that may be a name (nameTerms): a capital, a quote or a parenthesis follows. */
const NAME_START = / (?=["'(A-Z])/g;

/** , ; : . ! ? ) " */
const NAME_RUN_END = new Set([44, 59, 58, 46, 33, 63, 41, 34]);

/**
 * The name term of the raw token sentence[start, end). Most are an optional opening mark, a capital
 * and more letters or digits, then punctuation only ("Nichols," "(Atlanta)"): their name is the
 * first content term of the letters and digits, read from the token memo where tokenise filed them,
 * without slicing the token or a Map lookup. Others take nameTermOf.
 */
function nameTermAt(sentence: string, start: number, end: number): Term | null {
  const open = sentence.charCodeAt(start);
  const from = open === 34 || open === 39 || open === 40 ? start + 1 : start;
  const capital = sentence.charCodeAt(from);
  if (capital >= 65 && capital <= 90) {
    let to = from;
    while (to < end && isAlnum(sentence.charCodeAt(to))) to++;
    let rest = to;
    for (; rest < end; rest++) {
      const c = sentence.charCodeAt(rest);
      if (c > 127 || isAlnum(c) || c === 39 || c === 45 || c === 47) break;
    }
    if (rest === end && to - from >= 2) {
      const slot = tokenMemo.find(sentence, from, to, fnv1a(sentence, from, to));
      const first = tokenMemo.slots[slot + TERMS_FROM] as number;
      return first < (tokenMemo.slots[slot + TERMS_TO] as number) ? (tokenMemo.termList[first] as Term) : null;
    }
  }
  return nameTermOf(sentence.slice(start, end));
}

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** raw token -> its name term, or null when it is not a name; memoised (names recur). */
function nameTermOf(raw: string): Term | null {
  let term = nameMemo.get(raw);
  if (term === undefined) {
    term = /^["'(]?[A-Z][A-Za-z'\-.]*[a-z0-9A-Z]/.test(raw) ? nameTerm(raw) : null;
    nameMemo.set(raw, term);
  }
  return term;
}

/** The first content term of one capitalised token (ASCII fast path; otherwise the full word rules). */
function nameTerm(raw: string): Term | null {
  // eslint-disable-next-line no-control-regex -- ASCII test
  if (/[^\x00-\x7f]/.test(raw)) {
    for (const word of words(raw)) {
      const [term] = termsOf(word);
      if (term) return term;
    }
    return null;
  }
  const word = raw.toLowerCase().replace(/'s$|[^a-z0-9'\-/]|^['\-/]+|['\-/]+$/g, '');
  return termsOf(word.endsWith("'s") ? word.slice(0, -2) : word)[0] ?? null;
}
