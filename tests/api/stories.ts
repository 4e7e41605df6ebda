import type { Article } from '../../src/engine/types.js';

/**
 * Invented articles for the API and browser tests: two outlets reporting one story (a wire copy and
 * a rewrite) and an unrelated story. Written for these tests; no third-party text.
 */
const bridgeWire =
  'The Quillmoor suspension bridge over the Ardent river was closed on Tuesday after engineers found ' +
  'a cracked steel cable near the northern pylon. Mayor Tessaly Orban said inspectors from Varnholt ' +
  'Engineering would examine all 84 cables before any traffic returns. About 31,000 vehicles cross ' +
  'the Quillmoor bridge each day, and buses will divert through the Pellham tunnel. Orban said the ' +
  'city expects the inspection to take at least three weeks and promised daily updates.';

export const bridgeA: Article = {
  id: 'bridge-wire',
  source: 'wire.example',
  url: 'https://wire.example/quillmoor-bridge',
  title: 'Quillmoor bridge closed after cracked cable found',
  text: bridgeWire,
  publishedAt: '2026-03-03T08:00:00Z',
};

/** A republication of the wire copy with a new headline and one added sentence. */
export const bridgeB: Article = {
  id: 'bridge-daily',
  source: 'daily.example',
  url: 'https://daily.example/news/quillmoor',
  title: 'Cracked cable shuts Quillmoor bridge',
  text: `${bridgeWire} Commuters reported long queues at the Pellham tunnel on Tuesday evening.`,
  publishedAt: '2026-03-03T10:30:00Z',
};

export const bakery: Article = {
  id: 'bakery',
  source: 'local.example',
  title: 'Village bakery wins regional sourdough prize',
  text:
    'A family bakery in Lowen Crest took first place at the regional sourdough championship on Sunday. ' +
    'Baker Imre Salvik, who runs the shop with his daughter, said the winning loaf used a starter ' +
    'kept alive for forty years. The judges praised its crust and open crumb. Salvik plans to donate ' +
    'the prize money to the village school kitchen.',
  publishedAt: '2026-03-02T12:00:00Z',
};

export const ferry: Article = {
  id: 'ferry',
  source: 'coast.example',
  title: 'Night ferry to Osterholm resumes after engine refit',
  text:
    'The overnight ferry between Brackwater and Osterholm sailed again on Friday after a two-month ' +
    'engine refit. The operator, Norrline, said the new engines burn a fifth less fuel. Captain Edda ' +
    'Vinter told passengers the crossing took just under nine hours in calm seas.',
  publishedAt: '2026-03-04T21:00:00Z',
};
