// The JSON Schema of answers.yaml as a file (assignments/written/answers.schema.json), for editors and other tools.
import { WrittenAnswers } from './schema.js';

/** The schema text written to assignments/written/answers.schema.json (a test keeps the file in step). */
export function answersJsonSchemaText(): string {
  return `${JSON.stringify(WrittenAnswers, null, 2)}\n`;
}
