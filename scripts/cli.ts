// The dlgrade command line: each command lives in scripts/commands/ and calls into graders/.
import { Command } from 'commander';
import { reportCommandError } from './command-errors.js';
import { ENGINE_VERSION } from '../graders/version.js';

type Register = (program: Command) => void;

/**
 * Every command, by name, in the order `--help` lists them; a new command adds its file under commands/ and a line
 * here. Each is imported only when needed: a command line naming one loads that one alone (`check` then does not
 * pay for what `new`, `grade` or `review` load), anything else (help, an unknown command) loads them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  list: async () => (await import('./commands/list.js')).registerList,
  check: async () => (await import('./commands/check.js')).registerCheck,
  grade: async () => (await import('./commands/grade.js')).registerGrade,
  fixtures: async () => (await import('./commands/fixtures.js')).registerFixtures,
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  ci: async () => (await import('./commands/ci.js')).registerCi,
  'export-student': async () => (await import('./commands/export-student.js')).registerExportStudent,
  'export-gradescope': async () => (await import('./commands/export-gradescope.js')).registerExportGradescope,
  merge: async () => (await import('./commands/merge.js')).registerMerge,
  variant: async () => (await import('./commands/variant.js')).registerVariant,
  new: async () => (await import('./commands/new.js')).registerNew,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  review: async () => (await import('./commands/review.js')).registerReview,
  server: async () => (await import('./commands/server.js')).registerServer,
};

const program = new Command('dlgrade')
  .description('Autograder for deep-learning courses: PyTorch submissions checked against TensorFlow.js references')
  .version(ENGINE_VERSION);

const named = Object.hasOwn(COMMANDS, process.argv[2] ?? '') ? COMMANDS[process.argv[2]] : undefined;
const registers = await Promise.all(named ? [named()] : Object.values(COMMANDS).map((load) => load()));
for (const register of registers) register(program);

program.parseAsync(process.argv).catch((error: unknown) => process.exit(reportCommandError(error)));
