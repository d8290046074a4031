import type { Logger } from '@aws-lambda-powertools/logger';
import type { HttpRequest } from './types.ts';

/**
 * Puts API Gateway's request id and the route on every log line of the invocation (next to
 * Lambda's own request id, which Powertools adds), so that a client's `apigw-requestid`
 * finds its log lines.
 */
export function appendRequestIds(opts: { logger: Pick<Logger, 'appendKeys'> }) {
  const appendRequestIdsBefore = (request: Pick<HttpRequest, 'event'>) => {
    opts.logger.appendKeys({ api_request_id: request.event.requestContext?.requestId, route: request.event.routeKey });
  };
  return { before: appendRequestIdsBefore };
}
