import { fileURLToPath } from 'node:url';
import { pageRenderer } from '../../src/http/render.ts';

/** PASS Manager's pages, from the client's own folder (clients/manager/views). */
export const render = pageRenderer(fileURLToPath(new URL('./views', import.meta.url)));
