// PASS_MODELS_MIRROR and PASS_MODELS_FETCH as the configuration schema reads them: what is refused
// at start, and when PASS fetches missing models by itself.
import path from 'node:path';
import { loadConfig } from '../../../src/config/load-config.ts';
import { ConfigurationError } from '../../../src/core/errors.ts';

const cwd = '/srv/pass';
const models = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'development', ...env }, cwd).models;

function problems(env: Record<string, string>): string[] {
  try {
    models(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  return [];
}

test('a mirror is a directory (resolved against the working directory) or an http(s) base URL', () => {
  expect(models({ PASS_MODELS_MIRROR: '../shared/models' }).mirror).toEqual({ directory: path.resolve(cwd, '../shared/models') });
  expect(models({ PASS_MODELS_MIRROR: 'https://models.example.jp/pass/' }).mirror).toEqual({ url: 'https://models.example.jp/pass/' });
  expect(models({ PASS_MODELS_MIRROR: 'http://127.0.0.1:8080' }).mirror).toEqual({ url: 'http://127.0.0.1:8080' });
  expect(models({}).mirror).toBeUndefined();
});

test('other schemes, unparsable URLs and credentials in the URL are refused at start', () => {
  expect(problems({ PASS_MODELS_MIRROR: 'ftp://models.example.jp/' })).toEqual(['PASS_MODELS_MIRROR: must be a directory path or an http(s):// base URL']);
  expect(problems({ PASS_MODELS_MIRROR: 'file:///srv/models' })).toEqual(['PASS_MODELS_MIRROR: must be a directory path or an http(s):// base URL']);
  expect(problems({ PASS_MODELS_MIRROR: 'https://[::1' })).toEqual(['PASS_MODELS_MIRROR: must be a directory path or an http(s):// base URL']);
  expect(problems({ PASS_MODELS_MIRROR: 'https://user:secret@models.example.jp/' })).toEqual(['PASS_MODELS_MIRROR: must not carry credentials (user:password@)']);
  expect(problems({ PASS_MODELS_FETCH: 'sometimes' })).toHaveLength(1);
});

test('PASS fetches missing models by itself in development only, unless told otherwise', () => {
  expect(models({}).fetch).toBe('auto');
  expect(models({ PASS_MODELS_FETCH: 'off' }).fetch).toBe('off');
  expect(models({ NODE_ENV: 'test' }).fetch).toBe('off');
  expect(models({ NODE_ENV: 'test', PASS_MODELS_FETCH: 'auto' }).fetch).toBe('auto');
});
