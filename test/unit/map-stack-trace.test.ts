import { describe, expect, it } from '@jest/globals';
import { buildSync } from 'esbuild';
import { SourceMap } from 'node:module';
import { mapStackTrace } from '../../scripts/map-stack-trace.ts';

/** A trace from a minified bundle, mapped back to the sources with the shipped source map. */
describe('npm run stacktrace', () => {
  it('maps bundle positions back to source files and lines', () => {
    const built = buildSync({
      stdin: { contents: 'export function failHere() {\n  throw new Error("boom");\n}\n', sourcefile: 'shared/example.ts', loader: 'ts' },
      bundle: true,
      format: 'cjs',
      minify: true,
      keepNames: true,
      sourcemap: 'external',
      outfile: 'index.js',
      write: false,
      logLevel: 'error',
    });
    const code = built.outputFiles.find((file) => file.path.endsWith('index.js'))!.text;
    const map = new SourceMap(JSON.parse(built.outputFiles.find((file) => file.path.endsWith('.map'))!.text));
    const column = code.indexOf('throw') + 1;
    const line = code.slice(0, column).split('\n').length;
    const columnInLine = column - code.lastIndexOf('\n', column - 1) - 1;
    const mapped = mapStackTrace(`Error: boom\n    at failHere (/var/task/index.js:${line}:${columnInLine})`, map);
    expect(mapped).toBe('Error: boom\n    at failHere (shared/example.ts:2:3)');
  });
});
