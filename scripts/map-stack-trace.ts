/**
 * Maps a stack trace logged by a deployed function back to the sources, with the source map
 * that ships beside its bundle (functions run without --enable-source-maps: it costs every
 * cold start; the map is applied here, off the hot path).
 *
 *   npm run stacktrace -- <bundle.js.map> < trace.txt
 *
 * The map is in the function's asset folder (cdk.out/asset.<hash>/index.js.map after a
 * synth, or the deployed code package).
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

export function mapStackTrace(trace: string, map: SourceMap): string {
  return trace.replace(/(\(|at )([^()\s]*index\.js):(\d+):(\d+)(\)?)/g, (whole, open: string, _file: string, line: string, column: string, close: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number; name?: string };
    if (!entry?.originalSource) return whole;
    const source = entry.originalSource.replace(/^.*?(functions|shared|node_modules)\//, '$1/');
    return `${open}${source}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}${close}`;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mapFile = process.argv[2];
  if (!mapFile) {
    console.error('Usage: npm run stacktrace -- <bundle.js.map> < trace.txt');
    process.exit(2);
  }
  const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
  console.log(mapStackTrace(readFileSync(0, 'utf8'), map));
}
