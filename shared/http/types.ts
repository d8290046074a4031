import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Request } from '@middy/core';
import type { AuthorizerContext, Principal } from '../auth/principal.ts';

export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What the middlewares add to the Lambda context before the use case runs. */
export type HttpContext = Context & {
  principal?: Principal;
  input?: Record<string, unknown>;
  /** The route's declared headers, validated (lower-case names). */
  headers?: Record<string, unknown>;
  /** Resolves when the rate limit admits the request, rejects (429) when it does not. */
  admitted?: Promise<void>;
  /**
   * Set by the idempotency claim when the request has an Idempotency-Key: identifies the
   * operation across the client's retries (a new request id each), so that a write that
   * applied under a lost answer is recognized as this operation's own.
   */
  operationId?: string;
  /** Set when an Idempotency-Key replays a stored response instead of running again. */
  idempotentReplay?: { statusCode: number; body: string };
};

export type HttpRequest = Request<HttpEvent, HttpResult, Error, HttpContext>;
