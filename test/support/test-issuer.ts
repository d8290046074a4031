import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';

/**
 * A real OAuth2 issuer for tests: key pairs generated here, the JWKS served over HTTP on
 * loopback, tokens signed like an identity provider would.
 */
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'time-tracking-api';

type Key = { kid: string; alg: 'RS256' | 'ES256'; privateKey: CryptoKey; publicJwk: Record<string, unknown> };

export async function startTestIssuer() {
  const makeKey = async (kid: string, alg: Key['alg']): Promise<Key> => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
  };
  const rsa = await makeKey('rsa-1', 'RS256');
  const ec = await makeKey('ec-1', 'ES256');
  /** Not published in the JWKS: signatures from it must fail. */
  const rogue = await makeKey('rsa-1', 'RS256');

  let jwksRequests = 0;
  /** How the JWKS endpoint behaves: 'ok', or one of the outages an issuer can have. */
  let mode: 'ok' | 'error' | 'hang' | 'garbage' = 'ok';
  let published: Key[] = [rsa, ec];
  const server: Server = createServer((_request, response) => {
    jwksRequests++;
    if (mode === 'hang') return; // never answers; the verifier's timeout must fire
    if (mode === 'error') {
      response.writeHead(503).end('unavailable');
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(mode === 'garbage' ? '<html>' : JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  async function sign(claims: JWTPayload, options: { key?: Key; kid?: string; expiresIn?: string | number | null; header?: Record<string, unknown> } = {}) {
    const key = options.key ?? rsa;
    const jwt = new SignJWT({ scope: 'read write', iss: ISSUER, aud: AUDIENCE, ...claims }).setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, ...options.header }).setIssuedAt();
    if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '1h');
    return jwt.sign(key.privateKey);
  }

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    keys: { rsa, ec, rogue },
    sign,
    jwksRequests: () => jwksRequests,
    setJwksMode: (next: typeof mode) => {
      mode = next;
    },
    /** Rotation: publish these keys from now on. */
    publish: (keys: Key[]) => {
      published = keys;
    },
    makeKey,
    env: () => ({ AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE }),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type TestIssuer = Awaited<ReturnType<typeof startTestIssuer>>;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Hand-made tokens that no library would sign: `alg: none`, tampered payloads, HS256. */
export const forged = {
  unsigned: (payload: Record<string, unknown>) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`,
  tamper: (token: string, changes: Record<string, unknown>) => {
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    return `${header}.${b64({ ...claims, ...changes })}.${signature}`;
  },
};
