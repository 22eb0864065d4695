import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { Manifest } from './schema.js';

describe('the manifest schema', () => {
  it("is a valid JSON Schema (load-manifest.ts compiles it without checking, to start faster)", () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(Manifest), JSON.stringify(ajv.errors)).toBe(true);
  });
});
