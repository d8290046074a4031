/**
 * How every function is bundled (esbuild through NodejsFunction), shared with the cold-start
 * benchmark, which builds the alternatives from the same base. CommonJS, minified with names
 * kept, source map beside the bundle, and no --enable-source-maps at run time: the fastest
 * configuration measured that keeps useful stack traces (docs/performance.md).
 */
export const SHIPPED_BUNDLE = {
  format: 'cjs',
  target: 'node24',
  minify: true,
  keepNames: true,
  mainFields: ['module', 'main'],
  /** Node's run-time source-map support: off (it costs every cold start). */
  enableSourceMapsAtRuntime: false,
} as const;

/**
 * Modules a function loads only when it needs them, shipped as bundles of their own beside
 * the function's: the authorizer's API-key store (and the AWS SDK it brings) is never compiled
 * by a container that only sees JWTs. In the sources they are package.json subpath imports
 * (`#name`), resolved to the TypeScript file; in a bundle they stay external, and a
 * package.json written beside the bundle maps them to their own bundle.
 */
export const LAZY_MODULES = {
  '#api-key-store': { source: 'shared/db/api-key-store.ts', bundle: 'api-key-store.js' },
} as const;
