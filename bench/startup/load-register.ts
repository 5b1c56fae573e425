/** `node --import <this file>`: registers load-hooks.ts, which lists every module the process loads. */
import { register } from 'node:module';

register(new URL('./load-hooks.js', import.meta.url));
