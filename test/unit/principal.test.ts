import { describe, expect, it } from '@jest/globals';
import { principalFromAuthorizerContext } from '../../shared/auth/principal.ts';
import { grants, parseScopes } from '../../shared/auth/scopes.ts';
import { UnauthenticatedError } from '../../shared/errors.ts';

const now = new Date('2024-01-15T10:30:00Z');
const nowSeconds = now.getTime() / 1000;

describe('principalFromAuthorizerContext', () => {
  it('rebuilds a JWT principal', () => {
    expect(principalFromAuthorizerContext({ principal_id: '42', auth_method: 'jwt', scopes: 'read write', expires_at: nowSeconds + 60 }, now)).toEqual({
      userId: 42,
      authMethod: 'jwt',
      scopes: new Set(['read', 'write']),
      expiresAt: nowSeconds + 60,
    });
  });

  it('accepts an API key without expiry (no expires_at)', () => {
    expect(principalFromAuthorizerContext({ principal_id: '7', auth_method: 'api_key', scopes: 'read' }, now).expiresAt).toBeUndefined();
  });

  it.each([
    ['nothing', undefined],
    ['an authorizer error', { auth_error: 'invalid signature' }],
    ['an expired token (cached authorizer answer)', { principal_id: '42', auth_method: 'jwt', scopes: 'write', expires_at: nowSeconds }],
    // Each of these is valid but for the one thing named (an expiry in the future), so that it is that thing that fails.
    ['a non-numeric user', { principal_id: 'abc', auth_method: 'jwt', scopes: 'write', expires_at: nowSeconds + 60 }],
    ['user 0', { principal_id: '0', auth_method: 'jwt', scopes: 'write', expires_at: nowSeconds + 60 }],
    ['a user beyond 2^53-1', { principal_id: '9007199254740993', auth_method: 'jwt', scopes: 'write', expires_at: nowSeconds + 60 }],
    ['an unknown method', { principal_id: '42', auth_method: 'cookie', scopes: 'write', expires_at: nowSeconds + 60 }],
    ['an API key without its method', { principal_id: '42', scopes: 'write' }],
    ['an expiry at the epoch (0 is no "never" sentinel: it fails closed)', { principal_id: '42', auth_method: 'api_key', scopes: 'write', expires_at: 0 }],
    ['a malformed expiry', { principal_id: '42', auth_method: 'jwt', scopes: 'write', expires_at: 'soon' }],
  ])('rejects %s with 401', (_name, context) => {
    expect(() => principalFromAuthorizerContext(context, now)).toThrow(UnauthenticatedError);
  });

  it('each refusal above differs from an accepted context in that one field only', () => {
    const accepted = { principal_id: '42', auth_method: 'jwt', scopes: 'write', expires_at: nowSeconds + 60 };
    expect(() => principalFromAuthorizerContext(accepted, now)).not.toThrow();
    for (const changed of [{ principal_id: 'abc' }, { principal_id: '0' }, { principal_id: '9007199254740993' }, { auth_method: 'cookie' }, { expires_at: nowSeconds }, { expires_at: 'soon' }]) {
      expect(() => principalFromAuthorizerContext({ ...accepted, ...changed }, now)).toThrow(UnauthenticatedError);
    }
  });
});

describe('scopes', () => {
  it.each([
    ['read', 'read', true],
    ['write', 'read', true],
    ['admin', 'read', true],
    ['read', 'write', false],
    ['write', 'write', true],
    ['admin', 'write', true],
    ['', 'read', false],
    ['readwrite', 'write', false],
  ] as const)('%j grants %s: %s', (held, required, expected) => {
    expect(grants(parseScopes(held), required)).toBe(expected);
  });
});
