import iconv from 'iconv-lite';

/** Feed formats read and written by `samestory dedup`. */
export type FeedFormat = 'rss' | 'atom' | 'jsonl';
export const feedFormats: readonly FeedFormat[] = ['rss', 'atom', 'jsonl'];

/** A problem with the input as a whole: nothing can be read (exit code 1). */
export class FeedError extends Error {
  override name = 'FeedError';
}

export interface Sniffed {
  /** XML (RSS or Atom: the root element tells which) or JSON Lines. */
  syntax: 'xml' | 'jsonl';
  /** An iconv-lite encoding name. */
  encoding: string;
  /** The byte order mark the input started with (re-emitted when the output keeps the encoding). */
  bom: Buffer;
}

const boms: [Buffer, string][] = [
  [Buffer.from([0xef, 0xbb, 0xbf]), 'utf-8'],
  [Buffer.from([0xff, 0xfe]), 'utf-16le'],
  [Buffer.from([0xfe, 0xff]), 'utf-16be'],
];

/**
 * Tells the syntax and encoding from the first bytes of the input: a byte order mark wins (as the
 * XML spec says), then the XML declaration's encoding, then UTF-8. An encoding iconv-lite does not
 * know is refused rather than guessed.
 */
export function sniff(head: Buffer): Sniffed {
  let encoding = 'utf-8';
  let bom: Buffer = Buffer.alloc(0);
  const marked = boms.find(([mark]) => head.subarray(0, mark.length).equals(mark));
  if (marked) [bom, encoding] = marked;
  else if (head[0] === 0x3c && head[1] === 0x00) encoding = 'utf-16le';
  else if (head[0] === 0x00 && head[1] === 0x3c) encoding = 'utf-16be';

  const start = iconv.decode(head.subarray(0, 1024), encoding).replace(/^\uFEFF/, '').trimStart();
  if (start === '') throw new FeedError('the input is empty');
  if (start.startsWith('{')) {
    // A JSON Feed is one document, not a line per item: read line by line it gave a heap of
    // "invalid JSON" lines (or, compact, one item without text).
    if (/"version"\s*:\s*"https?:\/\/jsonfeed\.org\/version\//.test(start)) {
      throw new FeedError(`a JSON Feed (jsonfeed.org) is not read: give its items as JSON Lines, e.g. jq -c '.items[]' feed.json | samestory dedup -`);
    }
    return { syntax: 'jsonl', encoding, bom };
  }
  if (!start.startsWith('<')) {
    throw new FeedError('unrecognised input: expected an RSS 2.0 or Atom 1.0 feed (XML) or JSON Lines');
  }
  const declared = /^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']/.exec(start)?.[1];
  if (declared !== undefined && !marked && encoding === 'utf-8') {
    if (!iconv.encodingExists(declared)) {
      throw new FeedError(`unknown encoding ${JSON.stringify(declared)} in the XML declaration`);
    }
    encoding = declared.toLowerCase();
  }
  return { syntax: 'xml', encoding, bom };
}

/**
 * The first bytes of an input as text good enough to tell JSON from XML: NUL bytes dropped (so
 * UTF-16 reads as ASCII), a byte-order mark skipped, leading whitespace trimmed.
 */
export function headText(head: Buffer): string {
  return head.toString('latin1').replace(/\0/g, '').replace(/^(\xef\xbb\xbf|\xff\xfe|\xfe\xff)/, '').trimStart();
}
