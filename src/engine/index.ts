/**
 * The engine's public API (pure TypeScript, no I/O beyond loading the shipped background model):
 * the streaming clusterer, its in-memory index, and the building blocks for benchmarks and tests.
 */
export { Engine, publicationTime, sourceOf, type ArticleText, type Features } from './engine.js';
export { checkEngineConfig, defaultEngineConfig, EngineConfigError, type EngineConfig } from './config.js';
export { MemoryIndex } from './memory-index.js';
export { assignmentOf } from './index-store.js';
export type { ClusterQuery, Index, IndexMutation, StoredArticle, StoredCluster } from './index-store.js';
export type { Article, Assignment, AssignOutcome, DecidedBy, MergeEvent, RemovalEvent, SparseVector } from './types.js';
/** Extraction and normalisation: `prepareText(article)` gives the title and normalised sentences. */
export { contentTerms, extractHtml, normalise, prepareText, splitSentences, stem, words } from './text.js';
/** Near-duplicate signal: shingles, MinHash, datasketch-style LSH parameters and the S-curve. */
export { bandKeys, estimateJaccard, lshParams, MinHasher, sCurve, shingles, type LshParams } from './minhash.js';
/** Same-story signal: sparse TF-IDF vectors and cosine. */
export { cosine, dot, Vectorizer } from './tfidf.js';
export { sentenceKey, stripGenericBoilerplate, stripLearnedBoilerplate } from './boilerplate.js';
