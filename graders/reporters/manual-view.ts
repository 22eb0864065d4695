// How a manual question's rubric and handed-in material are shown in reports (and the review page).
import type { QuestionResultT } from '../result/schema.js';

export interface MaterialView {
  source: string;
  mediaType: string;
  /** A data: URI for images. */
  image?: string;
  text?: string;
  truncated?: boolean;
  problem?: string;
}

export interface RubricItemView {
  id: string;
  text: string;
  /** "+1", "-0.5". */
  points: string;
  given: boolean;
  awarded?: string;
  comment?: string;
}

export interface ManualView {
  scored: boolean;
  items: RubricItemView[];
  material: MaterialView[];
}

const signed = (x: number): string => (x > 0 ? `+${Math.round(x * 100) / 100}` : String(Math.round(x * 100) / 100));

/** The view of a manual question, or undefined for an autograded one. */
export function viewManual(q: QuestionResultT): ManualView | undefined {
  if (!q.manual) return undefined;
  return {
    scored: q.manual.scored,
    items: q.manual.rubric.map((m) => ({
      id: m.id,
      text: m.text,
      points: signed(m.points),
      given: m.awarded !== undefined,
      ...(m.awarded !== undefined ? { awarded: signed(m.awarded) } : {}),
      ...(m.comment ? { comment: m.comment } : {}),
    })),
    material: q.manual.material.map((m) => ({
      source: m.source,
      mediaType: m.mediaType,
      ...(m.data && m.mediaType.startsWith('image/') ? { image: `data:${m.mediaType};base64,${m.data}` } : {}),
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.truncated ? { truncated: true } : {}),
      ...(m.problem ? { problem: m.problem } : {}),
    })),
  };
}
