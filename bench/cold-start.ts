import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { existsSync } from 'node:fs';
import { LAZY_MODULES, SHIPPED_BUNDLE } from '../infra/bundle-options.ts';
import { buildDocsPage } from '../scripts/build-docs-page.ts';
import { functionNames } from '../shared/contracts/routes.ts';
import { median, round } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Cold start as Lambda pays it, on this machine: a fresh Node process loading a function's
 * bundle (`require` for CommonJS, `import()` for ESM, as the Lambda runtime does) with the
 * function's environment. Every configuration is built from the same entry points and
 * measured in the same run, interleaved; ratios are medians of per-run pairs, so that the
 * machine's load swings cancel out.
 *
 * - baseline: the configuration shipped before (ESM with a createRequire banner, run with
 *   --enable-source-maps), and, for the authorizer, its SDK evaluated at load;
 * - esm: the same without --enable-source-maps;
 * - cjs_source_maps: CommonJS, with --enable-source-maps;
 * - cjs: CommonJS without run-time source maps;
 * - shipped: infra/bundle-options.ts (CommonJS, names kept, the source map applied afterwards).
 * The floor is the DynamoDB document client alone, bundled as shipped.
 */
type Variant = { format: 'esm' | 'cjs'; keepNames: boolean; enableSourceMaps: boolean };
const VARIANTS: Record<string, Variant> = {
  baseline: { format: 'esm', keepNames: false, enableSourceMaps: true },
  esm: { format: 'esm', keepNames: false, enableSourceMaps: false },
  cjs_source_maps: { format: 'cjs', keepNames: false, enableSourceMaps: true },
  cjs: { format: 'cjs', keepNames: false, enableSourceMaps: false },
  shipped: { format: SHIPPED_BUNDLE.format, keepNames: SHIPPED_BUNDLE.keepNames, enableSourceMaps: SHIPPED_BUNDLE.enableSourceMapsAtRuntime },
};

/** What the stack sets on every function (infra/), with the table resolved. */
const FUNCTION_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'bench-table',
  POWERTOOLS_SERVICE_NAME: 'time-tracking-api',
  POWERTOOLS_METRICS_NAMESPACE: 'TimeTrackingApi',
  RATE_LIMIT_PER_MINUTE: '60',
  AUTH_JWKS_URL: 'https://issuer.example.com/.well-known/jwks.json',
  AUTH_ISSUER: 'https://issuer.example.com/',
  AUTH_AUDIENCE: 'time-tracking-api',
  // The functions that queue webhook deliveries or seal their secrets read these at load (no call is made to either).
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-deliveries',
  WEBHOOK_SECRETS_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/bench-webhook-secrets',
};

/** What one bundle holds, by package (node_modules) or by folder of ours, in output bytes. */
export type BundleBreakdown = { total_bytes: number; sdk_bytes: number; beyond_sdk_bytes: number; beyond_sdk: Array<[string, number]> };

/** The AWS SDK and what it pulls in: the floor every function that talks to DynamoDB pays. */
const SDK_PACKAGE = /^(@aws-sdk\/|@smithy\/|@aws-crypto\/|@aws\/lambda-invoke-store|tslib$|fast-xml-parser$|strnum$|bowser$|uuid$)/;

function breakdownOf(metafile: Metafile, outfile: string): BundleBreakdown {
  const output = Object.entries(metafile.outputs).find(([path]) => outfile.endsWith(path) || path.endsWith(outfile.split('/').pop()!))?.[1];
  const byOwner = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const owner = inPackage
      ? inPackage[1]!
      : input
          .replace(/^(?:\.\.\/)*/, '')
          .split('/')
          .slice(0, 2)
          .join('/');
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + bytesInOutput);
  }
  const entries = [...byOwner].sort((a, b) => b[1] - a[1]);
  const sdk = entries.filter(([owner]) => SDK_PACKAGE.test(owner)).reduce((sum, [, bytes]) => sum + bytes, 0);
  const beyond = entries.filter(([owner]) => !SDK_PACKAGE.test(owner));
  return { total_bytes: sdk + beyond.reduce((sum, [, bytes]) => sum + bytes, 0), sdk_bytes: sdk, beyond_sdk_bytes: beyond.reduce((sum, [, bytes]) => sum + bytes, 0), beyond_sdk: beyond.slice(0, 12) };
}

const breakdowns = new Map<string, BundleBreakdown>();

function bundle(outdir: string, name: string, entry: BuildOptions['stdin'] | string, variant: Variant): string {
  const outfile = join(outdir, `${name}.${variant.format === 'esm' ? 'mjs' : 'js'}`);
  const built = buildSync({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: entry }),
    bundle: true,
    platform: 'node',
    target: SHIPPED_BUNDLE.target,
    format: variant.format,
    minify: true,
    keepNames: variant.keepNames,
    sourcemap: true,
    sourcesContent: false,
    mainFields: [...SHIPPED_BUNDLE.mainFields],
    // As shipped: a lazy module is a bundle of its own, loaded on first use (the authorizer's API-key store).
    external: Object.keys(LAZY_MODULES),
    ...(variant.format === 'esm' ? { banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" } } : {}),
    outfile,
    metafile: true,
    logLevel: 'error',
  });
  breakdowns.set(outfile, breakdownOf(built.metafile!, outfile));
  return outfile;
}

/** A function's bundle as the stack ships it (infra/bundle-options.ts), at `<outdir>/<name>.js`. */
export const bundleAsShipped = (outdir: string, name: string, entry: string) => bundle(outdir, name, entry, VARIANTS.shipped!);

function loadOnce(file: string, enableSourceMaps: boolean): number {
  const loader = file.endsWith('.mjs') ? ['--input-type=module', '-e', `await import(${JSON.stringify(file)});`] : ['-e', `require(${JSON.stringify(file)});`];
  const started = performance.now();
  const result = spawnSync(process.execPath, [...(enableSourceMaps ? ['--enable-source-maps'] : []), ...loader], { env: { PATH: process.env.PATH, ...FUNCTION_ENV }, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr.slice(0, 500)}`);
  return elapsed;
}

/** Median of per-run ratios a[i] / b[i]. */
const pairedRatio = (a: number[], b: number[]) => round(median(a.map((value, index) => value / b[index]!)), 3);

/**
 * `reference`: another checkout (the benchmark's `--against`); each function present in both
 * is bundled from there too, with the same (shipped) settings, so that the ratio is the code's.
 */
export function measureColdStart(options: { runs: number; reference?: string }) {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  // The docs function reads its page at load, as deployed beside its bundle.
  buildDocsPage(join(outdir, 'docs'));
  FUNCTION_ENV.DOCS_DIR = join(outdir, 'docs');
  const empty = join(outdir, 'empty.js');
  writeFileSync(empty, 'exports.handler = async () => ({});\n');
  const sdkEntry = {
    contents:
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'; export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
    resolveDir: ROOT,
    loader: 'ts' as const,
  };
  const sdkFloor = bundle(outdir, 'sdk-floor', sdkEntry, VARIANTS.shipped!);

  type Measured = { file: string; enableSourceMaps: boolean; times: number[] };
  const measured = new Map<string, Measured>();
  const add = (key: string, file: string, enableSourceMaps: boolean) => measured.set(key, { file, enableSourceMaps, times: [] });
  add('empty', empty, false);
  add('sdk_floor', sdkFloor, false);
  for (const name of functionNames) {
    for (const [variantName, variant] of Object.entries(VARIANTS)) {
      add(`${name}:${variantName}`, bundle(join(outdir, variantName), name, join(ROOT, 'functions', name, 'handler.ts'), variant), variant.enableSourceMaps);
    }
  }
  // The authorizer as it was: the API-key store (and so the AWS SDK) evaluated at load.
  const eagerAuthorizer = {
    contents: "import '../../shared/db/api-key-store.ts'; export { handler } from './handler.ts';",
    // (The old authorizer had its store in its own bundle: the import above puts it there.)
    resolveDir: join(ROOT, 'functions', 'authorizer'),
    loader: 'ts' as const,
  };
  add('authorizer:eager_baseline', bundle(join(outdir, 'eager'), 'authorizer', eagerAuthorizer, VARIANTS.baseline!), true);
  const referenced = options.reference ? functionNames.filter((name) => existsSync(join(options.reference!, 'functions', name, 'handler.ts'))) : [];
  for (const name of referenced)
    add(`${name}:reference`, bundle(join(outdir, 'reference'), name, join(options.reference!, 'functions', name, 'handler.ts'), VARIANTS.shipped!), VARIANTS.shipped!.enableSourceMaps);

  for (const entry of measured.values()) loadOnce(entry.file, entry.enableSourceMaps); // warm the file cache
  for (let run = 0; run < options.runs; run++) {
    for (const entry of measured.values()) entry.times.push(loadOnce(entry.file, entry.enableSourceMaps));
  }

  const times = (key: string) => measured.get(key)!.times;
  const emptyMs = median(times('empty'));
  const functions = Object.fromEntries(
    functionNames.map((name) => {
      const shipped = times(`${name}:shipped`);
      const baseline = name === 'authorizer' ? times('authorizer:eager_baseline') : times(`${name}:baseline`);
      return [
        name,
        {
          bundle_bytes: statSync(measured.get(`${name}:shipped`)!.file).size,
          import_ms: round(median(shipped), 1),
          ratio_to_baseline: pairedRatio(shipped, baseline),
          ratio_to_sdk_floor: pairedRatio(shipped, times('sdk_floor')),
          ratio_to_empty: round(median(shipped) / emptyMs),
          ...(referenced.includes(name)
            ? {
                reference_import_ms: round(median(times(`${name}:reference`)), 1),
                ratio_to_reference: pairedRatio(shipped, times(`${name}:reference`)),
                reference_bundle_bytes: statSync(measured.get(`${name}:reference`)!.file).size,
              }
            : {}),
          breakdown: breakdowns.get(measured.get(`${name}:shipped`)!.file)!,
          variants_ms: Object.fromEntries(Object.keys(VARIANTS).map((variant) => [variant, round(median(times(`${name}:${variant}`)), 1)])),
        },
      ];
    }),
  );
  return {
    runs: options.runs,
    shipped: VARIANTS.shipped,
    empty_import_ms: round(emptyMs, 1),
    sdk_floor: { bundle_bytes: statSync(sdkFloor).size, import_ms: round(median(times('sdk_floor')), 1), ratio_to_empty: round(median(times('sdk_floor')) / emptyMs) },
    functions,
    /** A cold start that sees a JWT: the shipped authorizer (SDK loaded on the first API key) against the old one (SDK at load, ESM, run-time source maps). */
    authorizer_jwt_path: {
      import_ms: round(median(times('authorizer:shipped')), 1),
      baseline_import_ms: round(median(times('authorizer:eager_baseline')), 1),
      ratio_to_baseline: pairedRatio(times('authorizer:shipped'), times('authorizer:eager_baseline')),
    },
  };
}
