import { createRequire } from 'node:module';
import type { Article } from './types.js';

// natural's parts by their own module paths: its index pulls database drivers and calls
// dotenv.config(), which prints to stdout (see ../shared/design.md §7). These load in a few ms.
const require = createRequire(import.meta.url);
const porter = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem(word: string): string };
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
]);

/** The text of an article, extracted and normalised, with its sentence structure kept. */
export interface PreparedText {
  title: string;
  /** Normalised sentences in order, the title first (the title counts as content). */
  sentences: string[];
}

/**
 * Extracts and normalises an article: HTML goes through Readability (falling back to the page's
 * body text when it finds no article), plain text passes through; both are normalised and split
 * into sentences. The title leads unless the text already starts with it.
 */
export function prepareText(article: Pick<Article, 'title' | 'text' | 'html'>): PreparedText {
  let title = normalise(article.title ?? '').replace(/\n+/g, ' ').trim();
  let body = article.text ?? '';
  if (!body.trim() && article.html) {
    const extracted = extractHtml(article.html);
    body = extracted.text;
    if (!title) title = normalise(extracted.title).replace(/\n+/g, ' ').trim();
  }
  const sentences = splitSentences(normalise(body));
  if (title && sentences[0] !== title) sentences.unshift(title);
  return { title, sentences };
}

/** Block elements whose boundaries are line breaks in the extracted text. */
const BLOCK = new Set([
  'P', 'DIV', 'LI', 'UL', 'OL', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BR', 'TR', 'TD', 'TH', 'BLOCKQUOTE',
  'PRE', 'FIGCAPTION', 'FIGURE', 'SECTION', 'ARTICLE', 'HEADER', 'FOOTER', 'TABLE', 'DT', 'DD', 'HR',
]);
/** Never content, removed before the fallback body-text extraction. */
const NON_CONTENT = 'script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button';

/** Readability article text with block boundaries as newlines; the body text when it finds nothing. */
export function extractHtml(fragmentOrPage: string): { title: string; text: string } {
  // linkedom gives a fragment (e.g. a feed's content:encoded) no body: make it a page.
  const page = /<(html|body)[\s>]/i.test(fragmentOrPage) ? fragmentOrPage : `<html><body>${fragmentOrPage}</body></html>`;
  const { parseHTML, Readability } = htmlStack();
  const { document } = parseHTML(page);
  const title = document.querySelector('title')?.textContent ?? '';
  // Readability mutates the document, so it gets its own copy. Its cost grows steeply with nesting
  // depth (1,000 nested elements: ~9 s; 10,000 overflow the stack), so deeper markup than real
  // pages have goes straight to the body text below.
  const parsed = depthOf(document.documentElement) <= maxReadabilityDepth ? new Readability(parseHTML(page).document as unknown as Document).parse() : null;
  if (parsed?.content) {
    const text = blockText(parseHTML(`<html><body>${parsed.content}</body></html>`).document.body);
    if (text.trim()) return { title: parsed.title || title, text };
  }
  for (const node of [...document.querySelectorAll(NON_CONTENT)]) node.remove();
  return { title, text: document.body ? blockText(document.body) : (document.textContent ?? '') };
}

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
      const before = line.slice(start, m.index);
      const lastWord = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase() ?? '';
      // "Mr. Smith", "U.S. officials", "I.R.S. Official", "J. Smith": not a boundary.
      if (m[0].startsWith('.') && (ABBREVIATIONS.has(lastWord) || /^(?:[a-z]\.)*[a-z]$/.test(lastWord))) continue;
      pushTrimmed(sentences, line.slice(start, end));
      start = end;
    }
    pushTrimmed(sentences, line.slice(start));
  }
  return sentences;
}

function pushTrimmed(out: string[], text: string): void {
  const t = text.trim();
  if (t) out.push(t);
}

/** Lower-cased word tokens of a sentence (diacritics folded, "3,000" kept as one number). */
export function words(sentence: string): string[] {
  const folded = sentence
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/(\d),(?=\d{3})/g, '$1')
    .replace(/[\u2018\u2019]/g, "'")
    .toLowerCase();
  // Tokens are maximal runs of [a-z0-9'-/] (natural's AggressiveTokenizer split, as one char scan:
  // its regex split cost half of this function).
  const out: string[] = [];
  let start = -1;
  let marked = false;
  for (let i = 0; i <= folded.length; i++) {
    const c = i < folded.length ? folded.charCodeAt(i) : 0;
    const mark = c === 39 || c === 45 || c === 47; // ' - /
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || mark) {
      if (start < 0) {
        start = i;
        marked = false;
      }
      marked ||= mark;
      continue;
    }
    if (start < 0) continue;
    const token = folded.slice(start, i);
    start = -1;
    // Regex clean-up only for the few tokens with an apostrophe, hyphen or slash.
    const word = marked ? token.replace(/^['\-/]+|['\-/]+$/g, '').replace(/'s$/, '') : token;
    if (word) out.push(word);
  }
  return out;
}

const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 100_000;

/** Porter stem, memoised (news vocabulary repeats; the stemmer is regex-heavy). */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    s = porter.stem(word);
    stemCache.set(word, s);
  }
  return s;
}

/**
 * Content terms of a word list: stems of non-stop words (hyphen/slash compounds split into their
 * parts), and numbers of two or more digits. Single letters and lone digits carry no story.
 */
export function contentTerms(tokens: readonly string[]): string[] {
  const terms: string[] = [];
  for (const token of tokens) {
    let cached = termCache.get(token);
    if (cached === undefined) {
      if (termCache.size >= STEM_CACHE_LIMIT) termCache.clear();
      cached = tokenTerms(token);
      termCache.set(token, cached);
    }
    if (typeof cached === 'string') terms.push(cached);
    else if (cached !== null) terms.push(...cached);
  }
  return terms;
}

/** token -> its term, its terms (compounds), or null; memoised like the stems. */
const termCache = new Map<string, string | string[] | null>();

function tokenTerms(token: string): string | string[] | null {
  const terms: string[] = [];
  for (const part of token.includes('-') || token.includes('/') ? token.split(/[-/]+/) : [token]) {
    const word = part.replace(/'/g, '');
    if (word.length < 2 || stopwords.has(word)) continue;
    terms.push(/^\d+$/.test(word) ? word : stem(word));
  }
  return terms.length === 0 ? null : terms.length === 1 ? (terms[0] as string) : terms;
}
/**
 * Names in running text: capitalised words not opening a sentence ("... said Brian Nichols in
 * Atlanta"). Returns the content terms of those words, plus a joined term for each pair of adjacent
 * capitalised words ("brian_nichol"), which is far more specific than either word alone. Text
 * without case (lower-cased feeds) yields nothing.
 */
export function nameTerms(sentence: string): { names: string[]; pairs: string[] } {
  const names: string[] = [];
  const pairs: string[] = [];
  let prev: string | null = null;
  const tokens = sentence.split(' ');
  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i] ?? '';
    const first = raw.charCodeAt(0);
    // Cheap first-character screen before the memo: most tokens are lower-case words.
    const term = i > 0 && ((first >= 65 && first <= 90) || first === 34 || first === 39 || first === 40) ? nameTermOf(raw) : null;
    if (term === null) {
      prev = null;
      continue;
    }
    names.push(term);
    if (prev !== null) pairs.push(`${prev}_${term}`);
    // A name run ends at punctuation: "Paris, France" is two names, not one.
    prev = NAME_RUN_END.has(raw.charCodeAt(raw.length - 1)) ? null : term;
  }
  return { names, pairs };
}

/** , ; : . ! ? ) " */
const NAME_RUN_END = new Set([44, 59, 58, 46, 33, 63, 41, 34]);

/** raw token -> its name term, or null when it is not a name; memoised (names recur) and bounded. */
const nameCache = new Map<string, string | null>();

function nameTermOf(raw: string): string | null {
  let term = nameCache.get(raw);
  if (term === undefined) {
    if (nameCache.size >= STEM_CACHE_LIMIT) nameCache.clear();
    term = /^["'(]?[A-Z][A-Za-z'\-.]*[a-z0-9A-Z]/.test(raw) ? (nameTerm(raw) ?? null) : null;
    nameCache.set(raw, term);
  }
  return term;
}

/** The content term of one capitalised token (ASCII fast path; otherwise the full word rules). */
function nameTerm(raw: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- ASCII test
  if (/[^\x00-\x7f]/.test(raw)) return contentTerms(words(raw))[0];
  const word = raw.toLowerCase().replace(/'s$|[^a-z0-9'\-/]|^['\-/]+|['\-/]+$/g, '');
  return contentTerms([word.endsWith("'s") ? word.slice(0, -2) : word])[0];
}
