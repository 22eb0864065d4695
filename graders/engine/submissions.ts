// A submission as a Gradescope export lists it; graders/intake/ finds submissions of every other layout.

export interface FoundSubmission {
  student: string;
  /** A folder, or a .zip to unpack before grading. */
  path: string;
  kind: 'dir' | 'zip';
  /** The LMS named the student (e.g. Gradescope's sid): `student` is known to be a student id, not just a folder name. */
  idFromLms?: boolean;
  /** The name the submission came under (a Gradescope submitter's name). */
  original?: string;
  /** When the LMS says it was submitted (Gradescope's :created_at), ISO 8601. */
  createdAt?: string;
}
