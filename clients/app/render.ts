import { fileURLToPath } from 'node:url';
import { pageRenderer } from '../../src/http/render.ts';

/** The PASS app's pages, from the client's own folder (clients/app/views). */
export const render = pageRenderer(fileURLToPath(new URL('./views', import.meta.url)));
