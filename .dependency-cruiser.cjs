/**
 * The layers of docs/architecture.md, checked by `npm test` (`npm run lint:deps`): a cycle
 * or an import that points up fails the run.
 */
const layer = (name) => `^shared/${name}/`;
module.exports = {
  forbidden: [
    { name: 'no-cycle', severity: 'error', comment: 'Modules that import each other cannot be read, tested or bundled one at a time.', from: {}, to: { circular: true } },
    {
      name: 'tracking-is-plain',
      severity: 'error',
      comment: 'Rules know nothing of HTTP, DynamoDB, webhooks delivery or Lambda: they take their dependencies as parameters.',
      from: { path: layer('tracking') },
      to: { path: [layer('http'), layer('db'), layer('webhooks'), '^functions/', '^local/', '^infra/', '^admin/', '@aws-sdk', '@middy', 'aws-lambda'] },
    },
    { name: 'db-below-http', severity: 'error', comment: 'Adapters implement ports; they never see a request.', from: { path: layer('db') }, to: { path: [layer('http'), '^functions/'] } },
    { name: 'webhooks-below-http', severity: 'error', from: { path: layer('webhooks') }, to: { path: [layer('http'), '^functions/'] } },
    {
      name: 'contracts-are-declarations',
      severity: 'error',
      comment: 'The route table and schemas are read by every layer: they import none of the layers that read them (the domain types of tracking and of webhooks aside).',
      from: { path: layer('contracts') },
      to: { path: [layer('http'), layer('db'), layer('webhooks'), '^functions/', '^local/', '^infra/', '^admin/'], pathNot: '^shared/webhooks/model[.]ts$' },
    },
    {
      name: 'shared-is-not-a-tool',
      severity: 'error',
      comment: 'Admin, seeding, the local runtime and tests are never in a Lambda bundle.',
      from: { path: ['^shared/', '^functions/'] },
      to: { path: ['^admin/', '^local/', '^test/', '^bench/', '^scripts/', '^infra/'] },
    },
    {
      name: 'functions-are-entries',
      severity: 'error',
      comment: 'A function is a thin entry file: nothing imports one, and functions do not import each other.',
      from: { pathNot: ['^infra/', '^local/', '^test/', '^bench/', '^scripts/'] },
      to: { path: '^functions/' },
    },
    { name: 'not-to-unresolvable', severity: 'error', comment: '`aws-lambda` is types only (@types/aws-lambda).', from: {}, to: { couldNotResolve: true, pathNot: '^aws-lambda$' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^cdk.out', '^clients/typescript/node_modules', '/generated/'] },
    // TypeScript 7's compiler has no API dependency-cruiser can use: swc parses the sources, and sees type-only imports as well.
    parser: 'swc',
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
