// Guards for YAML written by people (manifests, students' answers files): a size cap before parsing, and a
// duplicate-key check that stays linear (the yaml package's own `uniqueKeys` compares every pair of keys, so a
// file of 100 000 keys takes minutes).
import { isScalar, visit, type Document } from 'yaml';

/** Largest YAML or JSON file a loader parses; real manifests and answers files are a few kB. */
export const MAX_YAML_BYTES = 1024 * 1024;

/** The first key repeated within one mapping, and where it is (an offset into the text). */
export function firstDuplicateKey(doc: Document): { key: string; offset: number } | undefined {
  let found: { key: string; offset: number } | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (key === '<<') continue; // merge keys may repeat
        if (seen.has(key)) {
          found = { key, offset: pair.key.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}
