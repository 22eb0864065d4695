// The dlgrade command line: each command lives in scripts/commands/ and calls into graders/.
import { Command } from 'commander';
import { reportCommandError } from './command-errors.js';
import { ENGINE_VERSION } from '../graders/version.js';
import { registerList } from './commands/list.js';
import { registerCheck } from './commands/check.js';
import { registerGrade } from './commands/grade.js';
import { registerFixtures } from './commands/fixtures.js';
import { registerValidate } from './commands/validate.js';
import { registerCi } from './commands/ci.js';
import { registerExportStudent } from './commands/export-student.js';
import { registerExportGradescope } from './commands/export-gradescope.js';
import { registerMerge } from './commands/merge.js';
import { registerVariant } from './commands/variant.js';
import { registerNew } from './commands/new.js';
import { registerDoctor } from './commands/doctor.js';
import { registerReview } from './commands/review.js';
import { registerServer } from './commands/server.js';

const program = new Command('dlgrade')
  .description('Autograder for deep-learning courses: PyTorch submissions checked against TensorFlow.js references')
  .version(ENGINE_VERSION);

// One line per command; a new command adds its file under commands/ and a line here.
registerList(program);
registerCheck(program);
registerGrade(program);
registerFixtures(program);
registerValidate(program);
registerCi(program);
registerExportStudent(program);
registerExportGradescope(program);
registerMerge(program);
registerVariant(program);
registerNew(program);
registerDoctor(program);
registerReview(program);
registerServer(program);

program.parseAsync(process.argv).catch((error: unknown) => process.exit(reportCommandError(error)));
