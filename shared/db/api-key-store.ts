import { loadDatabaseConfig } from '../config/database-config.ts';
import { createApiKeyLookup } from './api-key-lookup.ts';
import { createDocumentClient } from './document-client.ts';

/**
 * The authorizer's DynamoDB adapter, in its own module so that the authorizer imports it on
 * the first API key only: a cold start that sees a JWT never loads the AWS SDK
 * (functions/authorizer/handler.ts). One client per container once loaded.
 */
const databaseConfig = loadDatabaseConfig();
export const apiKeyDocumentClient = createDocumentClient(databaseConfig);
export const findApiKeyByHash = createApiKeyLookup(apiKeyDocumentClient, databaseConfig.tableName);
