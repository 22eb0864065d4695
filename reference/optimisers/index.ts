// Answer key for optimisers (assignments.md §6): optimiser update rules in torch.optim's conventions, and gradient
// descent on over-parameterised least squares. One file per question family; this file only registers them.
import type { AssignmentReference } from '../../graders/answer-key/types.js';
import { gradient_descent, hypergradient, loss_after_step, min_norm, optimal_lr } from './least-squares.js';
import { adam, rmsprop, sgd_momentum } from './steps.js';

export const optimisersReference: AssignmentReference = {
  assignment: 'optimisers',
  version: '1',
  questions: { sgd_momentum, rmsprop, adam, min_norm, gradient_descent, loss_after_step, optimal_lr, hypergradient },
};
