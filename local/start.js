// `npm start`: checks the Node version in plain JavaScript (so an old system Node gets a
// clear message instead of a syntax error), then runs the TypeScript server in this same
// process, so that Ctrl-C and SIGTERM reach it directly.
import '../scripts/require-node-24.js';

await import('./server.ts');
