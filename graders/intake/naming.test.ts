import { describe, expect, it } from 'vitest';
import { SAFE_ID, safeId } from './naming.js';

describe('safe ids from any submission name', () => {
  it.each(['jane', 'jdoe42', 'ada@example.edu', 'a.b_c+d-e'])('keeps the already safe name %s', (name) => {
    expect(safeId(name)).toBe(name);
  });

  it.each(['Jane Doe', 'José-García', '-rf', '..', 'x'.repeat(200), '日本語', 'a/b', 'con:tab\tname', ' lead'])('makes %j file-safe, distinct and stable', (name) => {
    const id = safeId(name);
    expect(id).toMatch(SAFE_ID);
    expect(safeId(name)).toBe(id);
    expect(id.length).toBeLessThanOrEqual(64);
  });

  it('keeps readable parts and tells apart names that reduce alike', () => {
    expect(safeId('José-García')).toMatch(/^Jose-Garcia-[0-9a-f]{8}$/);
    expect(safeId('-rf')).toMatch(/^rf-[0-9a-f]{8}$/);
    expect(safeId('Jane Doe')).not.toBe(safeId('Jane  Doe'));
    expect(safeId('日本語')).toMatch(/^student-[0-9a-f]{8}$/);
  });
});
