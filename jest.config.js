// Jest runs the TypeScript sources as native ESM (node --experimental-vm-modules); swc only strips types.
import { availableParallelism } from 'node:os';

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2024', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Integration tests start real servers and databases on 2 cores.
  testTimeout: 60000,
  // A failing test can leave a server open; CI must still end rather than wait forever.
  forceExit: true,
  // The suite (170+ files, ONNX sessions, browsers, 100,000-distractor galleries) outgrows one process's
  // heap when every file runs in Jest's own process: with a limit set, Jest runs the files in workers
  // and starts a fresh one whenever a file leaves it above the limit.
  workerIdleMemoryLimit: '1536MB',
  // Most files spend their time waiting on PostgreSQL, Redis, pcscd, browsers and servers rather than
  // computing, so two run side by side even on CI's 2 cores (Jest's default there is one). Shared
  // resources are safe for it: each file has its own database, Redis keys are random, the two vpcd
  // reader slots are locked per file (test/card/pcsc/pcsc-stack.ts), and speed figures are measured
  // in benchmarks or as ratios, never as absolute limits in a test.
  maxWorkers: Math.max(2, availableParallelism() - 1),
};
