// ESM + TypeScript through SWC (docs/toolchain.md): Jest must be started with
// `node --experimental-vm-modules`, which the npm scripts do.
// `npm test` runs every tier with one DynamoDB Local for the run; `npm run test:unit`
// (jest.unit.config.js) runs test/unit alone, without Java.
/** @type {import('jest').Config} */
export const base = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      },
    ],
  },
};

export default {
  ...base,
  roots: ['<rootDir>/test'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  // Two test files at once on two cores: much of a file's time is waiting (servers it starts, timers it waits out, the
  // JVM), not computing. Measured on 2 cores: 799 s with one worker (Jest's default there), 520 s with two (docs/testing.md).
  maxWorkers: 2,
};
