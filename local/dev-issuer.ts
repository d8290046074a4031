import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * The local development OAuth2 issuer, used when AUTH_JWKS_URL is not set: an ES256 key
 * pair kept in DATA_DIR (in memory with DATA_DIR=memory), its JWKS served by the local
 * runtime, and tokens minted by `npm run token`. Never used on AWS.
 */
export const DEV_ISSUER = 'time-tracking-local-dev';
export const DEV_AUDIENCE = 'time-tracking-api';
const KEY_FILE = 'dev-issuer-key.json';
const KID = 'local-dev-1';

export type DevIssuer = {
  jwks: { keys: JWK[] };
  sign: (claims: { userId: number; scope?: string; ttlSeconds?: number }) => Promise<string>;
};

export async function loadOrCreateDevIssuer(dataDir: string | 'memory'): Promise<DevIssuer> {
  const privateJwk = dataDir === 'memory' ? await newPrivateJwk() : await readOrCreate(join(dataDir, KEY_FILE));
  return devIssuerFrom(privateJwk);
}

/** For `npm run token`: the key must already exist (the server creates it). */
export async function loadDevIssuer(dataDir: string): Promise<DevIssuer> {
  const privateJwk = JSON.parse(await readFile(join(dataDir, KEY_FILE), 'utf8')) as JWK;
  return devIssuerFrom(privateJwk);
}

async function devIssuerFrom(privateJwk: JWK): Promise<DevIssuer> {
  const privateKey = await importJWK(privateJwk, 'ES256');
  const { d: _secret, ...publicJwk } = privateJwk;
  return {
    jwks: { keys: [{ ...publicJwk, kid: KID, alg: 'ES256', use: 'sig' }] },
    sign: ({ userId, scope = 'read write', ttlSeconds = 3600 }) =>
      new SignJWT({ scope })
        .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'at+jwt' })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setSubject(String(userId))
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(privateKey),
  };
}

async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return exportJWK(privateKey);
}

async function readOrCreate(path: string): Promise<JWK> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const jwk = await newPrivateJwk();
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(jwk), { mode: 0o600 });
  await chmod(path, 0o600);
  return jwk;
}
