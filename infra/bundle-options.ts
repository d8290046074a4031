/**
 * How every function is bundled (esbuild through NodejsFunction), shared with the cold-start
 * benchmark, which builds the alternatives from the same base. CommonJS, minified with names
 * kept, source map beside the bundle, and no --enable-source-maps at run time: the fastest
 * configuration measured that keeps useful stack traces (README, Performance).
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
