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
  /** TF-IDF cosine (article vs cluster representative) at or above which an article joins a cluster. */
  clusterThreshold: number;
  /**
   * Two clusters both matched by an article at or above clusterThreshold merge when their
   * centroids are at least this similar.
   */
  mergeThreshold: number;
  /** Articles further apart in time than this never share a cluster; also the candidate window. */
  windowMs: number;
  /** A sentence seen in this many earlier articles of the same source is boilerplate. */
  boilerplateMinCount: number;
  /** Weight of the shipped background df model, in pseudo-documents. */
  backgroundWeight: number;
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
  clusterThreshold: 0.3,
  mergeThreshold: 0.4,
  windowMs: 7 * 24 * 3600 * 1000,
  boilerplateMinCount: 2,
  backgroundWeight: 50,
  centroidTerms: 150,
  postedTerms: 12,
};
