import { loadDatabaseConfig } from '../config/database-config.ts';
import { createDocumentClient } from './document-client.ts';

/**
 * The container's one DynamoDB client, created at load from validated configuration and
 * reused by every invocation (keep-alive connections survive between requests).
 */
export const databaseConfig = loadDatabaseConfig();
export const documentClient = createDocumentClient(databaseConfig);
