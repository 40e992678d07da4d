// Jest runs each test file in its own vm context, while onnxruntime's native addon creates its
// output typed arrays in Node's main realm; onnxruntime-common then rejects them with
// "A float32 tensor's data must be type of Float32Array". Sharing the main realm's typed-array
// constructors makes the sandbox behave like production. Must be imported before anything that
// loads onnxruntime-node. (A custom jest environment would do this globally; see the report.)
import vm from 'node:vm';

const names = [
  'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array',
  'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array',
];
const scope = globalThis as unknown as Record<string, unknown>;
for (const name of names) {
  const main: unknown = vm.runInThisContext(`typeof ${name} === 'undefined' ? undefined : ${name}`);
  if (main) scope[name] = main;
}
