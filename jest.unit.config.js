// The inner loop: pure code only (no DynamoDB Local, no Java, no network but loopback).
import { base } from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test/unit'],
  setupFiles: ['<rootDir>/test/unit/unit-env.ts'],
  testTimeout: 10000,
};
