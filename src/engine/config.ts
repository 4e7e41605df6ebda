/** Tunable engine parameters. Defaults were tuned on the dev splits (see README, "Quality"). */
export interface EngineConfig {
  /** MinHash permutations (signature length). */
  numPerm: number;
  /** Seed for the MinHash permutations: same seed, same signatures. */
  seed: number;
  /** Words per shingle. */
  shingleSize: number;
  /** Estimated Jaccard at or above which an article is a near-duplicate (also sets the LSH bands). */
  duplicateThreshold: number;
  /**
   * TF-IDF cosine (article vs cluster centroid) at or above which a full-length article joins a
   * one-article cluster (see Engine.joinThreshold for how length and cluster size move the bar).
   */
  clusterThreshold: number;
  /** Terms an article must share with a cluster's centroid to be compared with it at all. */
  minSharedTerms: number;
  /**
   * Largest share of an article's dot product with a centroid that one shared term may carry: a
   * match resting on one term ("Church Road" and "Station Road" both boost "road") is a
   * coincidence. Not applied to texts under snippetTerms.
   */
  maxTermShare: number;
  /**
   * Distinct content terms below which a text is headline-length (a title and a snippet): there
   * one rare shared term can be the whole story, so maxTermShare does not apply.
   */
  snippetTerms: number;
  /** How fast the join bar rises with ln(cluster size). */
  sizeGrowth: number;
  /** Cluster size beyond which the join bar stops rising. */
  sizeCap: number;
  /** Distinct content terms from which an article counts as full length (shorter: lower bar). */
  fullLengthTerms: number;
  /**
   * Two clusters both matched by an article at or above clusterThreshold merge when their
   * centroids are at least this similar.
   */
  mergeThreshold: number;
  /** Articles further apart in time than this never share a cluster; also the candidate window. */
  windowMs: number;
  /** A sentence seen verbatim in this many earlier articles of the same source is boilerplate. */
  boilerplateMinCount: number;
  /** Weight of the shipped background df model, in pseudo-documents. */
  backgroundWeight: number;
  /** Weight factor of names (capitalised words inside sentences and their adjacent pairs). */
  nameBoost: number;
  /** Terms kept in a cluster centroid. */
  centroidTerms: number;
  /** Heaviest terms under which a cluster is posted and with which an article looks for clusters. */
  postedTerms: number;
}

export const defaultEngineConfig: EngineConfig = {
  numPerm: 128,
  seed: 1,
  shingleSize: 5,
  duplicateThreshold: 0.8,
  clusterThreshold: 0.2,
  minSharedTerms: 2,
  maxTermShare: 0.8,
  snippetTerms: 25,
  sizeGrowth: 0.3,
  sizeCap: 20,
  fullLengthTerms: 200,
  mergeThreshold: 0.6,
  windowMs: 7 * 24 * 3600 * 1000,
  boilerplateMinCount: 1,
  backgroundWeight: 50,
  nameBoost: 3.5,
  centroidTerms: 150,
  postedTerms: 24,
};
