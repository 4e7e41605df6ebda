import type { Article } from '../../src/engine/types.js';
import { seededRandom } from '../shared/seeded-random.js';

/**
 * Invented news for the service tests: each story has its own people, place, organisation and
 * figures, told by several outlets in different words (rewrites), sometimes as a lightly edited
 * wire copy (near-duplicate). Deterministic for a seed; nothing here comes from a real article.
 */
export interface GeneratedArticle extends Article {
  label: string;
}

const first = ['Amara', 'Bruno', 'Chiara', 'Dmitri', 'Elif', 'Farid', 'Greta', 'Hiroshi', 'Ines', 'Jonas', 'Kemal', 'Lucia', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Stefan', 'Talia', 'Ugo', 'Vera', 'Wendell', 'Ximena', 'Yusuf', 'Zofia'];
const last = ['Okafor', 'Lindqvist', 'Moreau', 'Petrenko', 'Castellano', 'Nakamura', 'Haddad', 'Oyelaran', 'Brandt', 'Varga', 'Quispe', 'Sorensen', 'Delacroix', 'Marchetti', 'Abernathy', 'Kowalczyk', 'Ferreira', 'Albrecht', 'Mwangi', 'Rasmussen', 'Tanaka', 'Villanueva', 'Eklund', 'Ostrowski'];
const townStems = ['Ash', 'Brack', 'Cold', 'Dun', 'Elm', 'Fen', 'Gall', 'Hollin', 'Ivy', 'Kes', 'Lark', 'Marl', 'Nether', 'Oak', 'Pell', 'Quen', 'Red', 'Stone', 'Thorn', 'Vel', 'Wick', 'Yarn'];
const townEnds = ['ford', 'bridge', 'mere', 'moor', 'haven', 'stead', 'wick', 'by', 'thorpe', 'cross', 'field', 'ton'];
const orgEnds = ['Group', 'Holdings', 'Foundation', 'Institute', 'Works', 'Partners', 'Council', 'Trust'];
/** Topic words: each story draws its own, so stories differ in content, not just in names. */
const topics = ['reservoir', 'turbine', 'vaccine', 'pension', 'tunnel', 'orchestra', 'glacier', 'satellite', 'bakery', 'stadium',
  'ferry', 'pipeline', 'vineyard', 'lighthouse', 'courthouse', 'telescope', 'harvest', 'wildfire', 'landslide', 'heatwave',
  'cyberattack', 'blackout', 'tariff', 'subsidy', 'curfew', 'evacuation', 'shipwreck', 'drought', 'avalanche', 'earthquake',
  'museum', 'library', 'monastery', 'brewery', 'quarry', 'smelter', 'refinery', 'airport', 'harbour', 'motorway',
  'hospital', 'prison', 'embassy', 'parliament', 'cathedral', 'zoo', 'aquarium', 'marathon', 'regatta', 'festival',
  'chess', 'cricket', 'rugby', 'cycling', 'boxing', 'sailing', 'skiing', 'rowing', 'fencing', 'archery',
  'lithium', 'copper', 'cobalt', 'wheat', 'cocoa', 'coffee', 'salmon', 'timber', 'cotton', 'silver',
  'robotics', 'algorithm', 'microchip', 'battery', 'drone', 'hydrogen', 'fusion', 'genome', 'antibiotic', 'insulin',
  'orchard', 'ferryman', 'windmill', 'sawmill', 'granary', 'aqueduct', 'observatory', 'shipyard', 'foundry', 'tramway'];
const verbs = ['said', 'reported', 'confirmed', 'announced', 'warned', 'argued', 'noted', 'insisted', 'suggested', 'claimed'];
const glue = ['after', 'because of', 'despite', 'during', 'ahead of', 'following', 'amid', 'over', 'beside', 'without'];
const filler = [
  'The story is developing and more details are expected later.',
  'Residents reacted with a mix of surprise and concern.',
  'Further statements are expected in the coming days.',
  'Analysts said the consequences could last for months.',
  'A spokesperson declined to comment further.',
];
const outlets = ['Harbour Herald', 'Daily Lantern', 'Valley Courier', 'Evening Compass', 'Metro Dispatch', 'Coastal Record'];

/** `stories` stories of `versions` articles each, in publication order (stories interleaved). */
export function generateStories(stories: number, versions: number, seed = 7): GeneratedArticle[] {
  const rand = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const out: GeneratedArticle[] = [];
  const start = Date.UTC(2026, 2, 1, 6);
  for (let s = 0; s < stories; s++) {
    const person = `${pick(first)} ${pick(last)}`;
    const town = pick(townStems) + pick(townEnds);
    const org = `${pick(last)} ${pick(orgEnds)}`;
    const figure = String(100 + Math.floor(rand() * 9000));
    const words = Array.from({ length: 6 }, () => pick(topics));
    const sentence = () => {
      const [a, b, c] = [pick(words), pick(words), pick(words)];
      const shapes = [
        `${person} ${pick(verbs)} the ${a} in ${town} ${pick(glue)} the ${b}.`,
        `${org} ${pick(verbs)} that ${figure} ${a} workers ${pick(glue)} the ${c} were affected.`,
        `The ${b} and the ${c} in ${town} ${pick(['drew', 'faced', 'needed', 'lost'])} ${figure} ${pick(['visitors', 'complaints', 'signatures', 'votes'])}.`,
        `${cap(a)} ${pick(glue)} ${b}: ${person} of ${org} ${pick(verbs)} so.`,
      ];
      return pick(shapes);
    };
    let previous = '';
    for (let v = 0; v < versions; v++) {
      const wire = v > 0 && rand() < 0.3;
      const text = wire
        ? previous.replace(/\.$/, '') + `. ${pick(filler)}`
        : [...Array.from({ length: 5 }, sentence), pick(filler)].join(' ');
      previous = text;
      out.push({
        id: `s${s}-v${v}`,
        label: `story-${s}`,
        source: outlets[(s + v) % outlets.length] as string,
        title: `${cap(words[0] as string)} in ${town}: ${person}`,
        text,
        publishedAt: new Date(start + s * 3600_000 + v * 1200_000).toISOString(),
      });
    }
  }
  return out.sort((a, b) => (a.publishedAt as string).localeCompare(b.publishedAt as string) || a.id.localeCompare(b.id));
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

