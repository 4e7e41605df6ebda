/**
 * Invented news copy for the feed tests (all names, places and quotes are made up).
 * - `wire`: one agency story republished by three outlets, each adding its own line.
 * - `tidalA` / `tidalB`: two outlets' own write-ups of the same announcement.
 * - `library`, `football`: unrelated stories.
 */
const wireBody = `The Halvard Street bridge in Port Avelin will close to all traffic for eleven weeks from
Monday while engineers replace corroded steel cables, the city transport office said on Thursday.
About 38,000 vehicles cross the bridge every day. Buses on routes 14 and 27 will be diverted over the
Kessler viaduct, and a free shuttle ferry will run every twenty minutes between Quay Road and the
Old Market. "We know this is painful, but the cables are at the end of their life," said chief
engineer Maren Solberg. Inspectors found corrosion in nine of the forty-two main cables last spring.
The repair is expected to cost 61 million crowns and should be finished before the winter storms.
Cyclists and pedestrians will be able to use a temporary walkway on the north side from week three.`;

export const wire = {
  avelinPost: `${wireBody}\nRead more local transport news in our weekly newsletter.`,
  coastTimes: `PORT AVELIN (Wire) — ${wireBody}`,
  morningHerald: `${wireBody}\nReporting by the wire desk; edited by Morning Herald staff.`,
};

export const tidalA = `Norvik Tidal, a startup from Kelsund, will build a 240-megawatt tidal power plant in the
Skarre Strait, its chief executive Ingrid Valtersen announced on Tuesday. The project, costing 1.9 billion
crowns, would be the largest tidal array in northern Europe and could power about 180,000 homes.
Construction of the first of sixty underwater turbines is planned for 2028. "The tide in the Skarre
Strait is as reliable as a clock," Valtersen told reporters in Kelsund. Fishermen's groups have raised
concerns about the turbines' effect on cod spawning grounds, and an environmental review is due next year.`;

export const tidalB = `Plans for a giant tidal energy farm in the Skarre Strait were unveiled by Norvik Tidal on
Tuesday. Ingrid Valtersen, who runs the Kelsund-based company, said sixty turbines on the seabed would
deliver 240 megawatts, enough electricity for roughly 180,000 households, at a cost of 1.9 billion crowns.
Work on the first turbine should start in 2028. Valtersen called the Skarre Strait tide "as reliable as
a clock". Local fishermen worry the machines could disturb cod spawning, and regulators will publish an
environmental review of the Norvik Tidal scheme next year.`;

export const library = `The Greyhaven public library reopened on Saturday after a two-year renovation that added a
rooftop reading garden, a makerspace with three laser cutters and a children's wing named after the
late poet Osric Fell. Librarian Beatrix Nyland said more than four thousand visitors came on the first
day, many of them queuing in the rain before the doors opened at nine.`;

export const football = `Ravenmoor United came from two goals down to beat Castellan Rovers 3-2 on Sunday, with
teenage striker Tobiah Quint scoring twice in the final ten minutes. The win lifts Ravenmoor to fourth in
the table, a point behind Westbrook Athletic, ahead of next week's cup quarter-final at Lindell Park.`;

export function html(text: string): string {
  return text
    .split(/(?<=\.)\s+(?=[A-Z"])/)
    .map((sentence) => `<p>${sentence.replace(/\s+/g, ' ').replace(/&/g, '&amp;')}</p>`)
    .join('\n');
}

export interface TestItem {
  id: string;
  link: string;
  title: string;
  text: string;
  date: string;
}

/** Feed items in stream order: the wire story (three outlets), the rewrite pair, two others. */
export const items: TestItem[] = [
  { id: 'avelin-post-1', link: 'https://avelinpost.example/news/bridge', title: 'Halvard Street bridge to close for eleven weeks', text: wire.avelinPost, date: '2026-11-19T08:00:00Z' },
  { id: 'tidal-a', link: 'https://northwind.example/energy/tidal', title: 'Norvik Tidal plans 240MW Skarre Strait array', text: tidalA, date: '2026-11-19T09:00:00Z' },
  { id: 'library-1', link: 'https://greyhaven.example/library', title: 'Greyhaven library reopens', text: library, date: '2026-11-19T10:00:00Z' },
  { id: 'coast-times-7', link: 'https://coasttimes.example/a/7', title: 'Bridge closure: eleven weeks of diversions', text: wire.coastTimes, date: '2026-11-19T11:00:00Z' },
  { id: 'tidal-b', link: 'https://harbourdaily.example/tidal-farm', title: 'Giant tidal farm unveiled', text: tidalB, date: '2026-11-19T12:00:00Z' },
  { id: 'herald-99', link: 'https://morningherald.example/99', title: 'Port Avelin bridge shuts Monday', text: wire.morningHerald, date: '2026-11-19T13:00:00Z' },
  { id: 'football-1', link: 'https://sportsdesk.example/ravenmoor', title: 'Ravenmoor fight back', text: football, date: '2026-11-19T14:00:00Z' },
];

export function rssFeed(list: readonly TestItem[], options: { title?: string; extra?: string } = {}): string {
  const entries = list.map(
    (i) => `    <item>
      <title>${i.title}</title>
      <link>${i.link}</link>
      <guid isPermaLink="false">${i.id}</guid>
      <pubDate>${new Date(i.date).toUTCString()}</pubDate>
      <description>${i.title}</description>
      <content:encoded><![CDATA[${html(i.text)}]]></content:encoded>
      <category>News</category>
    </item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>${options.title ?? 'Test wire'}</title>
    <link>https://feeds.example/</link>
    <description>Invented items</description>
${options.extra ?? ''}${entries.join('\n')}
  </channel>
</rss>
`;
}

export function atomFeed(list: readonly TestItem[]): string {
  const entries = list.map(
    (i) => `  <entry>
    <id>${i.link}</id>
    <title type="text">${i.title}</title>
    <link rel="alternate" href="${i.link}"/>
    <published>${i.date}</published>
    <updated>${i.date}</updated>
    <author><name>Desk</name></author>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${html(i.text)}</div></content>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Test atom</title>
  <id>urn:test:atom</id>
  <updated>2026-11-19T14:00:00Z</updated>
  <link href="https://atom.example/"/>
${entries.join('\n')}
</feed>
`;
}

export function jsonLines(list: readonly TestItem[]): string {
  return list.map((i) => JSON.stringify({ guid: i.id, link: i.link, title: i.title, text: i.text, pubDate: i.date, tags: ['x'] })).join('\n') + '\n';
}
