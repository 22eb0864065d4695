// The engine's version, recorded in every result and part of the re-grade cache key.
import { readFileSync } from 'node:fs';
import { projectRoot } from './manifest/load-manifest.js';

export const ENGINE_VERSION: string = (JSON.parse(readFileSync(`${projectRoot()}/package.json`, 'utf8')) as { version: string }).version;
