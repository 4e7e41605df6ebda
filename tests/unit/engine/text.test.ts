import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sentenceKey, stripGenericBoilerplate, stripLearnedBoilerplate } from '../../../src/engine/boilerplate.js';
import { hash32 } from '../../../src/engine/hash.js';
import { contentTerms, extractHtml, headlineOf, nameTerms, normalise, prepareText, splitSentences, tokenise, words } from '../../../src/engine/text.js';
import { Engine } from '../../../src/engine/engine.js';
import { MemoryIndex } from '../../../src/engine/memory-index.js';

/**
 * The tokeniser as regexes (what words() did before its char scan and the token memo): the
 * specification that words() and tokenise() must match exactly.
 */
function specWords(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/(\d),(?=\d{3})/g, '$1')
    .replace(/[\u2018\u2019]/g, "'")
    .toLowerCase();
  return (folded.match(/[a-z0-9'\-/]+/g) ?? []).map((t) => t.replace(/^['\-/]+|['\-/]+$/g, '').replace(/'s$/, '')).filter(Boolean);
}

describe('normalisation', () => {
  it('applies NFKC, straightens quotes and dashes, collapses spaces and keeps line breaks', () => {
    const text = 'The \uFB01rst \u201Cquote\u201D \u2014 it\u2019s\u00A0here \u2460\t\tnow\r\nnext   line';
    expect(normalise(text)).toBe('The first "quote" - it\'s here 1 now\nnext line');
  });

  it('splits sentences as the regex statement of the rule does, on made-up text', () => {
    const abbreviations = new Set(['mr', 'dr', 'u.s', 'jan', 'st']);
    // The splitter before it read the last word backwards (same abbreviations subset as the pieces use).
    const spec = (text: string): string[] =>
      text.split('\n').flatMap((line) => {
        const out: string[] = [];
        let start = 0;
        for (const m of line.matchAll(/[.!?]+["')\]]*\s+(?=["'([]?[A-Z0-9])/g)) {
          const lastWord = /([A-Za-z.]+)$/.exec(line.slice(start, m.index))?.[1]?.toLowerCase() ?? '';
          if (m[0].startsWith('.') && (abbreviations.has(lastWord) || /^(?:[a-z]\.)*[a-z]$/.test(lastWord))) continue;
          out.push(line.slice(start, m.index + m[0].length));
          start = m.index + m[0].length;
        }
        return [...out, line.slice(start)].map((t) => t.trim()).filter(Boolean);
      });
    const piece = fc.constantFrom('Mr.', 'Dr.', 'U.S.', 'Jan.', 'St.', 'J.', 'I.R.S.', 'e.g.', 'word', 'Word', '42', '.', '!', '?', '"', ')', ' ', '\n', 'ab.', 'x.y');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }).map((p) => p.join(' ')), (text) => {
        expect(splitSentences(text)).toEqual(spec(text));
      }),
      { numRuns: 1000, seed: 5 },
    );
  });

  it('splits sentences at . ! ? and newlines but not after abbreviations or initials', () => {
    const text = 'Mr. Okafor met Dr. Lund in the U.S. capital. They talked! An I.R.S. Official came. Did J. Smith come?\nA new line';
    expect(splitSentences(text)).toEqual([
      'Mr. Okafor met Dr. Lund in the U.S. capital.',
      'They talked!',
      'An I.R.S. Official came.',
      'Did J. Smith come?',
      'A new line',
    ]);
  });

  it('tokenises with folded diacritics and whole numbers, and stems content terms without stop words', () => {
    expect(words('Café owners\u2019 3,200 cups — the mayor\u2019s plan')).toEqual([
      'cafe',
      'owners',
      '3200',
      'cups',
      'the',
      'mayor',
      'plan',
    ]);
    expect(contentTerms(['the', 'running', 'councils', '3200', 'a', 'x'])).toEqual(['run', 'council', '3200']);
  });

  it('turns a lone tab or no-break space into a space and leaves single spaces alone', () => {
    expect(normalise('a\tb\u00A0c d  e \t f')).toBe('a b c d e f');
  });

  it('splits tokens on anything but letters, digits and \' - /, trimming those marks at token edges', () => {
    expect(words("--well-known 'quoted' co-op/store/ it's Ana's x- ß42 ")).toEqual([
      'well-known',
      'quoted',
      'co-op/store',
      'it',
      'ana',
      'x',
      '42',
    ]);
  });

  it('leads with the title unless the text already starts with it', () => {
    expect(prepareText({ title: 'Dam opens', text: 'Water flowed. Crowds cheered.' }).sentences).toEqual([
      'Dam opens',
      'Water flowed.',
      'Crowds cheered.',
    ]);
    expect(prepareText({ title: 'Dam opens', text: 'Dam opens\nWater flowed.' }).sentences).toEqual([
      'Dam opens',
      'Water flowed.',
    ]);
  });
});

describe('tokens', () => {
  const piece = fc.constantFrom(
    'a', 'Z', 'q', 'É', 'é', 'e\u0301', 'İ', '\u212a', 'ß', 'ﬁ', '東', '🙂', '1', '7', ',', '1,000', '12,3456', '3,20', "'", '\u2019',
    '\u2018', "'s", '-', '/', '--', ' ', '  ', '\n', '\t', '.', '"', '(', 'Mr.', 'U.S.', 'co-op', 'Ana\u2019s', '\u00a0', '\ufffd',
  );
  const text = fc.oneof(fc.array(piece, { maxLength: 60 }).map((p) => p.join('')), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }));

  it('words() and tokenise() give exactly the regex tokeniser\'s words, hashed, and their content terms', () => {
    fc.assert(
      fc.property(text, (t) => {
        const spec = specWords(t);
        expect(words(t)).toEqual(spec);
        const { hashes, terms } = tokenise(t);
        expect([...hashes]).toEqual(spec.map((w) => hash32(w) | 0));
        expect(terms.map((term) => term.text)).toEqual(contentTerms(spec));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('drops titles and the Saint/Street abbreviation: no story shares "St" or "Dr" as evidence', () => {
    expect(tokenise('Nurses at St Brigid walked out, Dr Okafor said').terms.map((t) => t.text)).toEqual(['nurs', 'brigid', 'walk', 'okafor']);
  });

  it('interns terms: the same term is the same object wherever it comes from', () => {
    const [a] = tokenise('Councils').terms;
    const [b] = tokenise('council').terms;
    expect(a).toBe(b);
    expect(nameTerms('The Council met').names[0]).toBe(a);
  });

  it('finds names and adjacent-name pairs between single spaces, not at a sentence start or across punctuation', () => {
    const { names, pairs } = nameTerms('Police said Brian Nichols fled to Atlanta, Georgia with  "Ana Lund" (AP)');
    expect(names.map((t) => t.text)).toEqual(['brian', 'nichol', 'atlanta', 'georgia', 'ana', 'lund', 'ap']);
    expect(pairs.map((t) => t.text)).toEqual(['brian_nichol', 'ana_lund']);
    expect(nameTerms('Police arrived').names).toEqual([]);
    expect(nameTerms('').names).toEqual([]);
  });
});

describe('HTML extraction', () => {
  const page = `<!doctype html><html><head><title>Ferry sinks off Kelmore | Coast Post</title>
    <script>window.tracker = "should never appear";</script><style>p { color: red }</style></head>
    <body><nav><a href="/">Home</a><a href="/world">World news menu</a></nav>
    <article><h1>Ferry sinks off Kelmore</h1>
    <p>The ferry Marisol sank off Kelmore Point early on Tuesday after striking a reef in heavy fog, the coastguard said.</p>
    <p>All 86 passengers were rescued by fishing boats, according to harbour master Ines Varga, who praised the crews.</p>
    <p>&ldquo;They came out in the dark without being asked,&rdquo; Varga said of the fishermen who joined the search.</p>
    </article><footer>Coast Post footer links</footer></body></html>`;

  it('reduces a page with scripts and navigation to its article text, one block per line', () => {
    const { title, text } = extractHtml(page);
    expect(title).toBe('Ferry sinks off Kelmore'); // not "| Coast Post" (see headlineOf)
    expect(text).toContain('All 86 passengers were rescued');
    expect(text).not.toMatch(/tracker|color: red|World news menu|footer links/);
    const sentences = prepareText({ html: page }).sentences;
    expect(sentences).toContain('"They came out in the dark without being asked," Varga said of the fishermen who joined the search.');
  });

  it("takes the outlet's name out of a page's title", () => {
    // The page's own <h1> when the title opens with it.
    expect(headlineOf('Library wins award | The Wrenfield Post', [], ['Library wins award'])).toBe('Library wins award');
    expect(headlineOf('Storm - live updates | Coast Post', [], ['Storm - live updates'])).toBe('Storm - live updates');
    // Else a first or last part naming the site (og:site_name or the JSON-LD publisher).
    expect(headlineOf('Library wins award | The Wrenfield Post', ['The Wrenfield Post'], [])).toBe('Library wins award');
    expect(headlineOf('Wrenfield Post — Library wins award', ['The Wrenfield Post'], [])).toBe('Library wins award');
    // A logo in an <h1> at the end is not the headline; a title without a site part stays whole.
    expect(headlineOf('Library wins award | The Wrenfield Post', [], ['The Wrenfield Post'])).toBe('Library wins award | The Wrenfield Post');
    expect(headlineOf('Storm - live updates', ['Coast Post'], [])).toBe('Storm - live updates');
    expect(headlineOf('Budget 2031: what it means for you', ['Coast Post'], ['Budget'])).toBe('Budget 2031: what it means for you');
  });

  it('keeps two short-headline pages of one outlet apart: its name in <title> is not their story', async () => {
    const page = (headline: string, paragraphs: string) =>
      `<html><head><title>${headline} | The Wrenfield Post</title><meta property="og:site_name" content="The Wrenfield Post"></head>` +
      `<body><article><h1>${headline}</h1>${paragraphs}</article></body></html>`;
    const arson = page(
      'Man charged over arson',
      '<p>A 32-year-old man has been charged with arson after a fire destroyed a disused warehouse on Kiln Lane on Friday night.</p>' +
        '<p>Firefighters from three stations spent four hours bringing the blaze under control, and nobody was hurt.</p>',
    );
    const award = page(
      'Library wins award',
      "<p>The children's section of the town library has won a national award for its summer reading scheme, which drew 1,200 young readers.</p>" +
        '<p>Head librarian Hal Penrose said the prize of 5,000 pounds would buy new picture books and beanbags.</p>',
    );
    expect(prepareText({ html: arson }).sentences[0]).toBe('Man charged over arson');
    const engine = new Engine();
    const index = new MemoryIndex();
    const first = await engine.assign({ id: 'arson', html: arson }, index, Date.UTC(2031, 0, 1));
    const second = await engine.assign({ id: 'award', html: award }, index, Date.UTC(2031, 0, 1));
    expect(second.assignment.clusterId).not.toBe(first.assignment.clusterId); // 0.30 through "Wrenfield Post" before
  });

  it('falls back to the body text when Readability finds no article', () => {
    const { text } = extractHtml('<html><body><script>x()</script><div>Short note: bridge closed.</div></body></html>');
    expect(text.trim()).toBe('Short note: bridge closed.');
  });
});

describe('generic boilerplate', () => {
  it('drops publisher furniture but keeps reporting and caption text', () => {
    const kept = stripGenericBoilerplate([
      'Open image in gallery Rescuers carry a stretcher at Kelmore Point (Photo: Coast Post)',
      'Read more: Storm season begins early',
      'Please consider making a donation to support independent journalism.',
      'Sign up to our morning newsletter',
      'Advertisement',
      'All rights reserved.',
      'Share this article',
      'The ferry sank after striking a reef.',
    ]);
    expect(kept).toEqual(['Rescuers carry a stretcher at Kelmore Point', 'The ferry sank after striking a reef.']);
  });

  it('drops bylines, sign-offs, amendment notes and link lists, keeping sentences that only open alike', () => {
    const kept = stripGenericBoilerplate([
      'By Petra Lindqvist, Coast Correspondent',
      'By Monday, divers had recovered the ferry\'s data recorder.',
      'More than 300 people were evacuated from Kelmore Point.',
      'Before you go...',
      'The post Kelmore ferry inquiry opens appeared first on Coast Post.',
      'Continue reading...',
      'Thousands of readers chip in every month to keep the Post free.',
      'Get the Coast Briefing in your inbox every morning.',
      'This article was amended on 4 March to correct the ferry\'s tonnage.',
      'Most viewed',
      'Harbour tolls to double in spring',
      'Lighthouse keeper retires after 41 years',
      'The inquiry opens on Thursday.',
    ]);
    expect(kept).toEqual([
      'By Monday, divers had recovered the ferry\'s data recorder.',
      'More than 300 people were evacuated from Kelmore Point.',
      'The inquiry opens on Thursday.',
    ]);
  });

  it('cuts time stamps, which an outlet prints in one format on every page, and keeps dates and decimals', () => {
    expect(stripGenericBoilerplate(['Tue 17 Nov 2026 16.05 GMT', 'Updated 4:05 pm EDT, 18 November', 'Rates rose to 3.25 per cent.'])).toEqual([
      'Tue 17 Nov 2026',
      'Updated , 18 November',
      'Rates rose to 3.25 per cent.',
    ]);
  });
});

describe('learned boilerplate', () => {
  const strip = (sentences: string[], counts: number[]) => {
    const keys = sentences.map(sentenceKey);
    const countOf = new Map(keys.flatMap((k, i) => (k ? [[k, counts[i] ?? 0] as const] : [])));
    return stripLearnedBoilerplate(sentences, keys, countOf, 1);
  };
  const brief = [
    'A volunteer lifeboat crew rescued a kayaker who had drifted two miles off Kelmore Point on Tuesday afternoon.',
    'The man, in his fifties, was treated for cold on the slipway and did not need to go to hospital.',
  ];
  const footer = [
    'The Coast Post has covered the harbour towns since 1891.',
    'We have no owner but our readers.',
    'That is why we ask you for a little each month.',
    'Tell us what you saw: tips at the newsroom desk.',
  ];

  it("does not take a short brief under the outlet's seen footer for a republication", () => {
    // By sentences 4 of 6 were seen before; by words the footer is the smaller part.
    expect(strip([...brief, ...footer], [0, 0, 1, 1, 1, 1])).toEqual(brief);
    // Established furniture (seen 3+ times) is left out of the measure whatever its length.
    const longFooter = [...footer, 'Every weekday morning our briefing goes out to forty thousand readers across the coast and the islands.'];
    expect(strip([...brief, ...longFooter], [0, 0, 3, 3, 3, 3, 3])).toEqual(brief);
  });

  it('keeps a republication whole except for established furniture', () => {
    expect(strip([...brief, footer[0] as string], [1, 1, 1])).toEqual([...brief, footer[0]]);
    expect(strip([...brief, footer[0] as string], [1, 1, 5])).toEqual(brief);
  });
});
