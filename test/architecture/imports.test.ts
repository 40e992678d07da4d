import path from 'node:path';
import { codeOf, lineAt, ROOT, sourceFiles } from './source-scan.ts';

const CLIENTS_DIR = path.join(ROOT, 'clients');

/** A string literal on one line (a template's substitutions stay in its text and never start it with a path). */
const LITERAL = /(['"`])((?:\\.|(?!\1)[^\\\n])*)\1/g;
const IMPORT_BEFORE = /(?:\bfrom|\bimport|\bimport\s*\(|\brequire\s*\()\s*$/;

const reachesClients = (file: string, text: string): boolean => {
  // A URL path ('/clients/:clientId') is no file; a path from the repository root or a relative one is.
  if (text.startsWith('clients/')) return true;
  if (!text.startsWith('.')) return false;
  const resolved = path.resolve(path.dirname(path.join(ROOT, file)), text);
  return resolved === CLIENTS_DIR || resolved.startsWith(`${CLIENTS_DIR}${path.sep}`);
};

/**
 * Every place a file's code reaches into clients/: import and export specifiers, dynamic imports,
 * and paths such as `new URL('../../clients/kiosk', import.meta.url)` or `path.join(dir, '../clients')`.
 */
export function clientReferences(file: string, code: string): string[] {
  const found: string[] = [];
  for (const match of code.matchAll(LITERAL)) {
    const text = match[2]!;
    if (!reachesClients(file, text)) continue;
    const before = code.slice(code.lastIndexOf('\n', match.index) + 1, match.index);
    found.push(`${file}:${lineAt(code, match.index)} ${IMPORT_BEFORE.test(before) ? 'imports' : 'reads'} ${text}`);
  }
  return found;
}

describe('src never depends on clients', () => {
  test('no file under src/ imports or reads anything under clients/', () => {
    expect(sourceFiles('src').flatMap((file) => clientReferences(file, codeOf(file)))).toEqual([]);
  });

  test('the scan sees each way of reaching clients/', () => {
    const file = 'src/kiosk/example.ts';
    const code = [
      "import { kioskPages } from '../../clients/kiosk/pages.ts';",
      "import type { AppUser } from \"../../clients/app/session-store.ts\";",
      "export { consoleRoutes } from '../../clients/manager/console-routes.ts';",
      "const app = await import('../../clients/app/capability.ts');",
      "const dir = new URL('../../clients/kiosk/static/', import.meta.url);",
      "const views = path.resolve(here, `../../clients/kiosk/views`);",
      "const fromRoot = path.join(REPO_ROOT, 'clients/kiosk');",
      "import '../../clients/app/side-effect.ts';",
    ].join('\n');
    expect(clientReferences(file, code)).toEqual([
      'src/kiosk/example.ts:1 imports ../../clients/kiosk/pages.ts',
      'src/kiosk/example.ts:2 imports ../../clients/app/session-store.ts',
      'src/kiosk/example.ts:3 imports ../../clients/manager/console-routes.ts',
      'src/kiosk/example.ts:4 imports ../../clients/app/capability.ts',
      'src/kiosk/example.ts:5 reads ../../clients/kiosk/static/',
      'src/kiosk/example.ts:6 reads ../../clients/kiosk/views',
      'src/kiosk/example.ts:7 reads clients/kiosk',
      'src/kiosk/example.ts:8 imports ../../clients/app/side-effect.ts',
    ]);
  });

  test('what is not clients/ is not reported', () => {
    const code = [
      "import { ClientService } from './clients/client-service.ts';",
      "router.get('/clients/:clientId', handler);",
      "import { x } from '../oidc/clients/client-cache.ts';",
      "const note = 'the clients of PASS';",
    ].join('\n');
    expect(clientReferences('src/oidc/example.ts', code)).toEqual([]);
  });
});
