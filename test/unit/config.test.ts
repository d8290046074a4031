import { describe, expect, it } from '@jest/globals';
import { loadJwtConfig } from '../../shared/config/auth-config.ts';
import { loadDatabaseConfig } from '../../shared/config/database-config.ts';

const jwtEnv = { AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json', AUTH_ISSUER: 'https://id.example.com/', AUTH_AUDIENCE: 'time-tracking' };

describe('configuration, validated once at load', () => {
  it('reads the JWT settings with their defaults', () => {
    expect(loadJwtConfig(jwtEnv)).toEqual({
      jwksUrl: jwtEnv.AUTH_JWKS_URL,
      issuer: jwtEnv.AUTH_ISSUER,
      audience: jwtEnv.AUTH_AUDIENCE,
      userIdClaim: 'sub',
      algorithms: ['RS256', 'ES256'],
      clockToleranceSeconds: 5,
    });
  });

  it('names every missing or malformed variable in one error', () => {
    expect(() => loadJwtConfig({ AUTH_JWKS_URL: 'ftp://x', AUTH_ALGORITHMS: 'RS256,HS256,none' })).toThrow(
      /AUTH_JWKS_URL must be an http\(s\) URL[\s\S]*AUTH_ISSUER is required[\s\S]*AUTH_AUDIENCE is required[\s\S]*AUTH_ALGORITHMS may only list asymmetric algorithms .* not HS256, none/,
    );
  });

  it('requires a valid table name and endpoint URL', () => {
    expect(() => loadDatabaseConfig({})).toThrow(/TABLE_NAME is required/);
    expect(() => loadDatabaseConfig({ TABLE_NAME: 'ab' })).toThrow(/TABLE_NAME must be 3-255/);
    expect(() => loadDatabaseConfig({ TABLE_NAME: 'tracking', DYNAMODB_ENDPOINT: 'localhost:8000' })).toThrow(/DYNAMODB_ENDPOINT must be an http\(s\) URL/);
    expect(loadDatabaseConfig({ TABLE_NAME: 'tracking', AWS_REGION: 'eu-west-1' })).toEqual({ tableName: 'tracking', region: 'eu-west-1', endpoint: undefined });
  });
});
