import { loadDatabaseConfig } from '../config/database-config.ts';
import { loadRateLimitConfig } from '../config/rate-limit-config.ts';
import { createDocumentClient } from './document-client.ts';
import { createIdempotencyStore } from './idempotency-store.ts';
import { createRateLimitCounter } from './rate-limit-counter.ts';
import { createTrackingRepository } from './tracking-repository.ts';
import { createWebhookLogRepository } from './webhook-log-repository.ts';
import { createWebhookRepository } from './webhook-repository.ts';
import { createDirectoryRepository } from './directory-repository.ts';
import { createApiKeyRepository } from './api-key-repository.ts';
import { createInvitationRepository } from './invitation-repository.ts';
import { createReportRepository } from './report-repository.ts';
import { createChangeFeedRepository } from './change-feed-repository.ts';
import { createTimesheetRepository } from './timesheet-repository.ts';
import { createTimeRequestRepository } from './time-request-repository.ts';
import { periodBounds, type TimesheetDeps, type TimesheetRepository } from '../tracking/timesheets.ts';
import { toApiTimestamp } from '../tracking/api-time.ts';

/**
 * The container's adapters: one DynamoDB client, created at load from validated
 * configuration and reused by every invocation (keep-alive connections survive between
 * requests), and the repositories over it. Function entry files import from here.
 */
export const databaseConfig = loadDatabaseConfig();
export const rateLimitConfig = loadRateLimitConfig();
export const documentClient = createDocumentClient(databaseConfig);
export const trackingRepository = createTrackingRepository(documentClient, databaseConfig.tableName);
export const idempotencyStore = createIdempotencyStore(documentClient, databaseConfig.tableName);
export const webhookRepository = createWebhookRepository(documentClient, databaseConfig.tableName);
export const webhookLog = createWebhookLogRepository(documentClient, databaseConfig.tableName);
export const directoryRepository = createDirectoryRepository(documentClient, databaseConfig.tableName);
export const apiKeyStore = createApiKeyRepository(documentClient, databaseConfig.tableName);
export const invitationRepository = createInvitationRepository(documentClient, databaseConfig.tableName);
export const reportRepository = createReportRepository(documentClient, databaseConfig.tableName);
export const changeFeedRepository = createChangeFeedRepository(documentClient, databaseConfig.tableName);
export const timesheetRepository = createTimesheetRepository(documentClient, databaseConfig.tableName);
export const timeRequestRepository = createTimeRequestRepository(documentClient, databaseConfig.tableName);

/** What the timesheet use cases read through: the timesheet months, the contracts (for amounts), and a period's entries (the member's list, one Query). */
/** `timesheets`: the handler passes the repository wrapped by the rate limit's admission (its writes wait for it: shared/http/rate-limit.ts). */
export const timesheetDeps = (now: Date, timesheets: TimesheetRepository): TimesheetDeps => ({
  timesheets,
  contracts: (workspaceId) => reportRepository.contracts(workspaceId),
  entries: async (workspaceId, userId, period, timeZone) => {
    const bounds = periodBounds(period, timeZone);
    const newestFirst = await trackingRepository.listTimeEntries(workspaceId, userId, {
      newest: { startTime: toApiTimestamp(new Date(bounds.end - 1000)) },
      oldest: { startTime: toApiTimestamp(new Date(bounds.start)) },
      limit: 5000,
    });
    return newestFirst.reverse();
  },
  now,
});

/** What every HTTP handler is built with (shared/http/create-http-handler.ts). */
export const handlerAdapters = {
  repository: trackingRepository,
  idempotencyStore,
  rateLimiter: rateLimitConfig.perWindow > 0 ? createRateLimitCounter(documentClient, databaseConfig.tableName, rateLimitConfig) : undefined,
};
