// `npm run start:template`: `npm start`, serving what the synthesized CloudFormation
// template deploys (its routes, bundles, environment and IAM) instead of the sources.
import '../scripts/require-node-24.js';

process.env.RUNTIME = 'template';
await import('./server.ts');
