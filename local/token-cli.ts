/**
 * Prints an access token from the local development issuer:
 *   npm run token -- --user 100 [--scope "read write"] [--ttl 3600]
 * Reads the issuer key that `npm start` keeps in DATA_DIR (default .data).
 */
import { parseArgs } from 'node:util';
import { loadDevIssuer } from './dev-issuer.ts';

const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    scope: { type: 'string', default: 'read write' },
    ttl: { type: 'string', default: '3600' },
  },
});
const fail = (message: string) => {
  console.error(message);
  process.exit(2);
};
if (!values.user || !/^[1-9]\d{0,15}$/.test(values.user)) fail('Usage: npm run token -- --user <id> [--scope "read write"] [--ttl <seconds>]');
if (!/^[1-9]\d{0,6}$/.test(values.ttl!)) fail('--ttl must be a number of seconds (1 to 9999999)');
const dataDir = process.env.DATA_DIR || '.data';
if (dataDir === 'memory') fail('DATA_DIR=memory keeps the issuer key inside the running server: use the token it printed at startup.');
const issuer = await loadDevIssuer(dataDir).catch(() => fail(`No local issuer key in ${dataDir}: run \`npm start\` once first.`));
console.log(await issuer!.sign({ userId: Number(values.user), scope: values.scope!, ttlSeconds: Number(values.ttl) }));
