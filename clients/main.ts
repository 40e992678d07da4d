// The all-in-one PASS (`npm start`, the container image): the provider with the first-party
// clients it serves itself. It lives outside src because it is the one place that knows both;
// src never imports clients.
import { runPass } from '../src/run.ts';
import { ALL_IN_ONE } from './capabilities.ts';

await runPass(ALL_IN_ONE);
