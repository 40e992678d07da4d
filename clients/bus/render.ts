import { fileURLToPath } from 'node:url';
import { pageRenderer } from '../../src/http/render.ts';

/** The bus verifier's pages, from the client's own folder (clients/bus/views). */
export const render = pageRenderer(fileURLToPath(new URL('./views', import.meta.url)));
