// Answer key for mlp-backprop (assignments.md §2): a from-scratch MLP — Linear, ReLU, cross-entropy, SGD — in PyTorch
// without autograd. One file per question family; this file only registers them by question id.
import type { AssignmentReference } from '../../graders/answer-key/types.js';
import { cross_entropy_backward, cross_entropy_forward } from './cross-entropy.js';
import { linear_backward, linear_forward } from './linear.js';
import { mlp_end_to_end } from './mlp.js';
import { accuracy, sgd_step } from './optim.js';
import { relu } from './relu.js';

export const mlpBackpropReference: AssignmentReference = {
  assignment: 'mlp-backprop',
  version: '1',
  questions: {
    linear_forward,
    linear_backward,
    relu,
    cross_entropy_forward,
    cross_entropy_backward,
    sgd_step,
    accuracy,
    mlp_end_to_end,
  },
};
