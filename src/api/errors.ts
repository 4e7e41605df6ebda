import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ArticleValidationError } from '../contracts/article.js';

/**
 * Every error leaves the API as `{ error, message, field? }` JSON with a 4xx status for bad input,
 * so clients can branch on `error` and show `field`; only genuine faults are 500s.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

/** Fastify's own client-error codes, renamed into the API's vocabulary. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_BAD_URL: 'bad_url',
};

export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) {
    return { status: error.statusCode, body: { error: error.error, message: error.message, field: error.field } };
  }
  if (error instanceof ArticleValidationError) {
    return { status: 400, body: { error: 'validation', field: error.field, message: error.message } };
  }
  const fe = error as Partial<FastifyError> & { field?: string };
  if (fe.code === 'FST_ERR_VALIDATION') {
    return { status: 400, body: { error: 'validation', field: fe.field ?? fe.validationContext ?? 'body', message: fe.message ?? 'invalid' } };
  }
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    // Only ids are path parameters; the router refuses one before any route (or schema) sees it.
    return { status: 414, body: { error: 'uri_too_long', field: 'id', message: 'the id in the path is too long (ids are at most 512 characters)' } };
  }
  if (fe.code && fe.code in fastifyCodes) {
    return { status: fe.statusCode ?? 400, body: { error: fastifyCodes[fe.code] ?? 'bad_request', message: fe.message ?? '' } };
  }
  // SyntaxError from JSON.parse carries statusCode 400; any other 4xx from Fastify is passed through.
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: 'bad_request', message: fe.message ?? 'bad request' } };
  }
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}

/**
 * Errors the router raises before any route is found (an over-long path parameter, a malformed
 * URL): given to Fastify as its `frameworkErrors` option, so they take the same JSON shape.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(error);
  void reply.code(status).type('application/json').send(body);
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorBody(error);
    if (body.error === 'unsupported_media_type') {
      // curl -d sends a form content type by default: say what to send instead.
      const got = request.headers['content-type'] ?? 'none';
      const feeds = request.url.startsWith('/v1/dedup') ? '; an XML feed goes through `samestory dedup`, or as {"items": [...]} here' : '';
      Object.assign(body, { field: 'content-type', message: `send Content-Type: application/json (got ${got})${feeds}` });
    }
    // A wait that runs out is an answer (the article stays queued), not a failure of the API.
    if (body.error === 'wait_timeout') request.log.info('wait ran out; the article stays queued');
    else if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });
}
