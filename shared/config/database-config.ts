import { checks, envReader, type Env } from './read-env.ts';

export type DatabaseConfig = {
  tableName: string;
  region: string;
  /** Set for DynamoDB Local; unset on AWS. */
  endpoint: string | undefined;
};

export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const read = envReader(env);
  const config = {
    tableName: read.required('TABLE_NAME', checks.tableName),
    region: read.optional('AWS_REGION', 'us-east-1'),
    endpoint: read.optional('DYNAMODB_ENDPOINT', '', checks.url) || undefined,
  };
  read.done();
  return config;
}
