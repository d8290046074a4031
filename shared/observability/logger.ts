import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per container (Powertools). The middy stack adds the Lambda
 * and API Gateway request ids to every line. Nothing logs a header, a token or a key.
 * Level: POWERTOOLS_LOG_LEVEL (default INFO).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'time-tracking-api' });
