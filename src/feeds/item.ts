import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { parseArticle, publishedTime } from '../contracts/article.js';
import type { Article } from '../engine/types.js';

/** What the feed readers pull out of one item, whatever its format. */
export interface ItemFields {
  /** guid (RSS), id (Atom), or the JSON item's id. */
  id?: string;
  link?: string;
  title?: string;
  /** Markup: content:encoded, description, Atom content/summary of type html or xhtml. */
  html?: string;
  /** Plain text: Atom content/summary of type text, or a JSON item's text. */
  text?: string;
  /** pubDate / published / updated, as written. */
  date?: string;
  source?: string;
  lang?: string;
}

/** The result of turning an item into an article: warnings are reported but do not skip it. */
export type Conversion = { article: Article; warnings: string[] } | { error: string };

/**
 * Builds the engine's Article from a feed item. The id falls back to the link (resolved), then to a
 * hash of the title and content, so the same item gets the same id in every run (state across runs
 * relies on it). A relative link is resolved against the feed's (a feed written in another format,
 * or a reader of the annotations, cannot know the base). The source is the item link's host, else
 * the feed's. A date that cannot be read is dropped with a warning: a feed with one bad pubDate
 * should still be deduplicated.
 */
export function itemToArticle(fields: ItemFields, feedLink?: string): Conversion {
  const content = fields.html ?? fields.text ?? '';
  if (content.trim() === '') return { error: 'no text (no content, description or summary)' };
  const warnings: string[] = [];
  // Resolved first: two outlets' `/news/1` links are two items, not one.
  const url = fields.link?.trim() ? absoluteLink(fields.link.trim(), feedLink) : undefined;
  const article: Article = { id: fields.id?.trim() || url || `sha256:${hashOf(`${fields.title ?? ''}\n${content}`)}` };
  if (url) article.url = url;
  const source = fields.source ?? hostOf(article.url) ?? hostOf(feedLink);
  if (source) article.source = source;
  if (fields.title?.trim()) article.title = fields.title.trim();
  // Markup goes to the engine as html (it extracts the text); plain text as text.
  if (fields.html !== undefined && looksLikeMarkup(fields.html)) article.html = fields.html;
  else article.text = content;
  if (fields.lang) article.lang = fields.lang;
  if (fields.date?.trim()) {
    try {
      article.publishedAt = new Date(publishedTime(fields.date.trim())).toISOString();
    } catch (error) {
      warnings.push(`date ${JSON.stringify(fields.date.trim())} ignored: ${(error as Error).message}`);
    }
  }
  try {
    return { article: parseArticle(article), warnings };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** An item the reader found problems in is skipped for the first of them; any other is converted. */
export function itemConversion(fields: ItemFields, problems: readonly string[], feedLink?: string): Conversion {
  return problems.length > 0 ? { error: problems[0] as string } : itemToArticle(fields, feedLink);
}

/**
 * A feed item as JSON (a JSON Lines line, or an item of POST /v1/dedup). Accepts the Article field
 * names and the usual feed names for the same things (RSS guid/link/description/pubDate, JSON Feed
 * content_html/content_text/summary/date_published). Other fields are allowed and kept as they are.
 */
export const FeedItemSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    guid: Type.Optional(Type.String()),
    url: Type.Optional(Type.String()),
    link: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    source: Type.Optional(Type.String()),
    text: Type.Optional(Type.String()),
    html: Type.Optional(Type.String()),
    content_text: Type.Optional(Type.String()),
    content_html: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    summary: Type.Optional(Type.String()),
    publishedAt: Type.Optional(Type.String()),
    date_published: Type.Optional(Type.String()),
    pubDate: Type.Optional(Type.String()),
    published: Type.Optional(Type.String()),
    updated: Type.Optional(Type.String()),
    lang: Type.Optional(Type.String()),
  },
  { additionalProperties: true, $id: 'FeedItem' },
);
export type FeedItemJson = Static<typeof FeedItemSchema>;

const feedItemChecker = TypeCompiler.Compile(FeedItemSchema);

/** Reads a JSON feed item's fields; throws an Error naming the field when a type is wrong. */
export function jsonItemFields(value: unknown): ItemFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
  const first = feedItemChecker.Errors(value).First();
  if (first) throw new Error(`${first.path.replace(/^\//, '') || 'item'}: ${first.message}`);
  const v = value as FeedItemJson;
  const html = v.html ?? v.content_html;
  const fields: ItemFields = {
    id: v.id ?? v.guid,
    link: v.url ?? v.link,
    title: v.title,
    source: v.source,
    // Prefer the full content; description/summary are usually markup-ish snippets.
    html: html ?? ((v.text ?? v.content_text) === undefined ? (v.description ?? v.summary) : undefined),
    text: v.text ?? v.content_text,
    date: v.publishedAt ?? v.date_published ?? v.pubDate ?? v.published ?? v.updated,
    lang: v.lang,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, x]) => x !== undefined)) as ItemFields;
}

/** How an item is named in messages: its position and, when known, its id. */
export function describeItem(position: string, fields?: ItemFields): string {
  const id = fields?.id ?? fields?.link;
  return id ? `${position} (${JSON.stringify(id.length > 80 ? `${id.slice(0, 79)}…` : id)})` : position;
}

function looksLikeMarkup(value: string): boolean {
  return /<[a-zA-Z!/]|&(?:[a-zA-Z]+|#\d+|#x[\da-fA-F]+);/.test(value);
}

/** `link` as an absolute URL against `base` when it is relative and the base is known; else as is. */
function absoluteLink(link: string, base: string | undefined): string {
  if (URL.canParse(link) || !base || !URL.canParse(base)) return link;
  return URL.canParse(link, base) ? new URL(link, base).href : link;
}

function hostOf(link: string | undefined): string | undefined {
  if (!link) return undefined;
  try {
    return new URL(link.trim()).host || undefined;
  } catch {
    return undefined;
  }
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
