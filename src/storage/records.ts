import { Packr } from 'msgpackr';
import type { StoredArticle, StoredCluster } from '../engine/index-store.js';
import type { SparseVector } from '../engine/types.js';

/**
 * Packed binary records for RedisIndex: MessagePack tuples (no field names), the MinHash signature
 * as its raw Uint32 bytes and vector weights as raw Float64 bytes (exact, so Redis and memory decide
 * alike). A leading version number lets the layout change later.
 */
const packr = new Packr({ useRecords: false });
const version = 1;

type ArticleTuple = [
  number, string, number, string, string | null, number, StoredArticle['decidedBy'], string, string, string,
  string | null, string | null, number | null, number, Uint8Array, string[], Uint8Array, string[], string[], string[] | Uint8Array,
];

export function packArticle(a: StoredArticle): Buffer {
  const tuple: ArticleTuple = [
    version, a.id, a.seq, a.clusterId, a.duplicateOf, a.similarity, a.decidedBy, a.at, a.contentHash, a.source,
    a.title ?? null, a.url ?? null, a.publishedAt, a.time, bytesOf(a.signature), a.vector.terms,
    bytesOf(Float64Array.from(a.vector.weights)), a.sentenceKeys, a.bandKeys, termRefs(a.dfTerms, a.vector.terms),
  ];
  return packr.pack(tuple);
}

export function unpackArticle(buffer: Buffer): StoredArticle {
  const t = packr.unpack(buffer) as ArticleTuple;
  if (t[0] !== version) throw new Error(`unknown article record version ${String(t[0])}`);
  const article: StoredArticle = {
    id: t[1], seq: t[2], clusterId: t[3], duplicateOf: t[4], similarity: t[5], decidedBy: t[6], at: t[7],
    contentHash: t[8], source: t[9], publishedAt: t[12], time: t[13],
    signature: new Uint32Array(copy(t[14])), vector: vectorOf(t[15], t[16]),
    sentenceKeys: t[17], bandKeys: t[18], dfTerms: termsOf(t[19], t[15]),
  };
  if (t[10] !== null) article.title = t[10];
  if (t[11] !== null) article.url = t[11];
  return article;
}

type ClusterTuple = [
  number, string, number, number, number, number, string, string[], Uint8Array, string[], string, string | null, string[],
];

export function packCluster(c: StoredCluster): Buffer {
  const tuple: ClusterTuple = [
    version, c.id, c.size, c.createdSeq, c.firstTime, c.lastTime, c.updatedAt, c.centroid.terms,
    bytesOf(Float64Array.from(c.centroid.weights)), c.postedTerms, c.representativeId, c.title ?? null, c.sources,
  ];
  return packr.pack(tuple);
}

export function unpackCluster(buffer: Buffer): StoredCluster {
  const t = packr.unpack(buffer) as ClusterTuple;
  if (t[0] !== version) throw new Error(`unknown cluster record version ${String(t[0])}`);
  const cluster: StoredCluster = {
    id: t[1], size: t[2], createdSeq: t[3], firstTime: t[4], lastTime: t[5], updatedAt: t[6],
    centroid: vectorOf(t[7], t[8]), postedTerms: t[9], representativeId: t[10], sources: t[12],
  };
  if (t[11] !== null) cluster.title = t[11];
  return cluster;
}

/**
 * The df terms are usually the vector's terms in another order: stored then as Uint16 indices into
 * them (2 bytes a term instead of the word), else as words.
 */
function termRefs(dfTerms: string[], vectorTerms: string[]): string[] | Uint8Array {
  const position = new Map(vectorTerms.map((t, i) => [t, i]));
  const refs = dfTerms.map((t) => position.get(t) ?? -1);
  if (vectorTerms.length > 0xffff || refs.includes(-1)) return dfTerms;
  return bytesOf(Uint16Array.from(refs));
}

function termsOf(stored: string[] | Uint8Array, vectorTerms: string[]): string[] {
  if (Array.isArray(stored)) return stored;
  return Array.from(new Uint16Array(copy(stored)), (i) => vectorTerms[i] as string);
}

function bytesOf(array: Uint16Array | Uint32Array | Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** A standalone, aligned copy (unpacked bytes may sit at any offset of a shared buffer). */
function copy(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function vectorOf(terms: string[], weights: Uint8Array): SparseVector {
  return { terms, weights: Array.from(new Float64Array(copy(weights))) };
}
