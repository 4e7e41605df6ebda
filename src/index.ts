/**
 * samestory as a library: the pure engine (cluster in-process with a MemoryIndex), the article
 * contract, and the typed client of a running service (submit to its queue, read its events).
 */
export * from './engine/index.js';
export { ArticleSchema, ArticleValidationError, parseArticle } from './contracts/article.js';
export type { EventFeed, ServiceEvent, SubmitOptions, SubmitResult, Submitter } from './service/ports.js';
export { loadServiceConfig, ServiceConfigError, type ServiceConfig } from './service/config.js';
export { connectService, type ServiceClient } from './queue/service.js';
export { connectRedisIndex, RedisIndex } from './storage/redis-index.js';
