import { fileURLToPath } from 'node:url';
import { pageRenderer } from '../../src/http/render.ts';

/** The booking site's pages, from the client's own folder (clients/booking/views). */
export const render = pageRenderer(fileURLToPath(new URL('./views', import.meta.url)));
