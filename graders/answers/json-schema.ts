// The JSON Schema of a whole answers file (e.g. assignments/written/answers.schema.json), for editors and other tools.
import { Type, type TSchema } from '@sinclair/typebox';
import type { AnswersKey } from '../answer-key/answers-key.js';

/**
 * The whole answers file: an optional student id and one section per question of the key. Open: any other section
 * is allowed (a manual question's, or one the assignment does not know, which is kept for staff to read).
 */
export function answersFileSchema(key: Pick<AnswersKey, 'assignment' | 'questions' | 'variants' | 'file'>): TSchema {
  const sections = Object.entries(key.questions).map(([id, q]) => [id, Type.Optional(q.schema as unknown as TSchema)]);
  return Type.Object(
    {
      student_id: Type.Optional(
        Type.Unsafe<string | number | null>({
          type: ['string', 'integer', 'null'],
          description: key.variants
            ? 'your student id: it chooses your variant values (quote it if it has leading zeros)'
            : 'your student id (quote it if it has leading zeros)',
        }),
      ),
      ...Object.fromEntries(sections),
    } as Record<string, TSchema>,
    {
      additionalProperties: Type.Unknown({ description: "a section the key does not grade: a manual question's answer, or one the assignment does not know, which is kept and read by staff" }),
      $id: `https://dlgrade.dev/schema/${key.assignment}-answers.json`,
      title: key.file?.title ?? `dlgrade ${key.assignment} answers`,
      description: key.file?.description ?? `answers.yaml of the ${key.assignment} assignment; null or a missing key means "not answered"`,
    },
  );
}

/** The schema text of assignments/<id>/answers.schema.json (a test keeps the file in step). */
export function answersJsonSchemaText(key: Pick<AnswersKey, 'assignment' | 'questions' | 'variants' | 'file'>): string {
  return `${JSON.stringify(answersFileSchema(key), null, 2)}\n`;
}
