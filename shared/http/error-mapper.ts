import type { Logger } from '@aws-lambda-powertools/logger';
import { AppError, DependencyUnavailableError, RateLimitedError, UnauthenticatedError, ValidationError } from '../errors.ts';
import type { Clock } from './clock.ts';
import { errorBody, jsonResponse, validationErrorBody } from './envelope.ts';
import type { HttpRequest, HttpResult } from './types.ts';

const JSON_BODY_PARSER = '@middy/http-json-body-parser';

/** A typed error as the contract answers it: its status, message and code, and Retry-After when it has one. */
export function responseForError(error: AppError, now: Date): HttpResult {
  if (error instanceof ValidationError) return jsonResponse(422, validationErrorBody(error.errors, now));
  const headers: Record<string, string> = {};
  if (error instanceof DependencyUnavailableError || error instanceof RateLimitedError) headers['retry-after'] = String(error.retryAfterSeconds);
  return jsonResponse(error.status, errorBody(error.message, error.code, now), headers);
}

/**
 * The one place where errors become responses. Typed errors keep their status and
 * message; anything else is a 500 with a generic message, its detail only in the log.
 * The error's code is kept for the outcome metric.
 */
export function errorMapper(opts: { logger: Logger; clock: Clock }) {
  const errorMapperOnError = (request: HttpRequest) => {
    const error = request.error;
    const now = opts.clock.now();
    const internal = request.internal as { errorCode?: string };
    if (error instanceof AppError) {
      if (error instanceof UnauthenticatedError) opts.logger.info('request not authenticated', { reason: error.reason });
      if (error instanceof DependencyUnavailableError) opts.logger.warn('dependency unavailable', { error: describeCause(error.cause) });
      internal.errorCode = error.code;
      request.response = responseForError(error, now);
    } else if (isBodyParserError(error)) {
      internal.errorCode = 'bad_request';
      request.response = jsonResponse(400, errorBody('The request body must be a JSON object.', 'bad_request', now));
    } else {
      opts.logger.error('unhandled error', error as Error);
      internal.errorCode = 'internal_error';
      request.response = jsonResponse(500, errorBody('Server Error.', 'internal_error', now));
    }
  };
  return { onError: errorMapperOnError };
}

function isBodyParserError(error: unknown): boolean {
  const cause = (error as { cause?: { package?: string } } | undefined)?.cause;
  return cause?.package === JSON_BODY_PARSER;
}

/** Name and message of an SDK error: enough to diagnose, never a key or a value. */
function describeCause(cause: unknown) {
  if (!(cause instanceof Error)) return undefined;
  return { name: cause.name, message: cause.message };
}
