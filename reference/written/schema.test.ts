import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import { answersJsonSchemaText } from '../../graders/answers/json-schema.js';
import { SECTION_SCHEMAS, WRITTEN_QUESTION_IDS } from './schema.js';
import { answersFromKey } from './answers-from-key.js';
import { variantFor } from './variant.js';
import { writtenKey } from './index.js';

const root = path.resolve(import.meta.dirname, '../..');
const written = path.join(root, 'assignments/written');

/** Every leaf path of the schema (properties of objects; arrays are leaves). */
function schemaLeaves(schema: Record<string, unknown>, prefix: string): string[] {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  if (!properties) return [prefix];
  return Object.entries(properties).flatMap(([k, v]) => schemaLeaves(v, `${prefix}.${k}`));
}

function dataLeaves(value: unknown, prefix: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => dataLeaves(v, `${prefix}.${k}`));
}

describe('the answers format', () => {
  it('assignments/written/answers.schema.json is generated from schema.ts (DLGRADE_WRITE_SCHEMA=1 rewrites it)', () => {
    if (process.env.DLGRADE_WRITE_SCHEMA === '1') writeFileSync(path.join(written, 'answers.schema.json'), answersJsonSchemaText(writtenKey));
    expect(readFileSync(path.join(written, 'answers.schema.json'), 'utf8')).toBe(answersJsonSchemaText(writtenKey));
  });

  it('the starter has every key of the format, all null (lists of nulls for relu_net)', () => {
    const starter = parse(readFileSync(path.join(written, 'starter/answers.yaml'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(starter)).toEqual(['student_id', ...WRITTEN_QUESTION_IDS]);
    for (const id of WRITTEN_QUESTION_IDS) {
      expect(dataLeaves(starter[id], id)).toEqual(schemaLeaves(SECTION_SCHEMAS[id] as unknown as Record<string, unknown>, id));
    }
    const values = JSON.stringify(starter).match(/:(?!null)[^,{}\[\]]+/g);
    expect(values).toBeNull();
  });

  it('the whole-file JSON Schema accepts the starter and a full-marks file, and rejects a wrong type', () => {
    const ajv = new Ajv({ allowUnionTypes: true });
    const validate = ajv.compile(JSON.parse(answersJsonSchemaText(writtenKey)));
    expect(validate(parse(readFileSync(path.join(written, 'starter/answers.yaml'), 'utf8')))).toBe(true);
    expect(validate(answersFromKey(variantFor('s1')))).toBe(true);
    expect(validate({ backprop: { loss: 'x' } })).toBe(false);
  });
});
