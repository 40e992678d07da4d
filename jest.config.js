// Jest runs the TypeScript sources as native ESM (node --experimental-vm-modules); swc only strips types.
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
};
