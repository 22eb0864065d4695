// The answer key written out as an answers file: a full-marks submission for any variant (tests, demos, staff).
import type { WrittenVariant } from './variant.js';
import { solveWritten, type WrittenKey } from './solve.js';
import { MANUAL_QUESTIONS } from './proofs.js';
import { BACKPROP_SETTING, type BackpropParam } from './backprop.js';

/** A full-marks answers object for the variant (numbers kept to `digits` significant digits, as a careful student would). */
export function answersFromKey(variant: WrittenVariant, digits = 6, key: WrittenKey = solveWritten(variant)): Record<string, unknown> {
  const round = (x: number) => Number(x.toPrecision(digits));
  const roundAll = <T extends Record<string, number>>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
  return {
    ...(variant.studentId ? { student_id: variant.studentId } : {}),
    conv_as_matrix: { output_size: key.conv_as_matrix.output_size, A: key.conv_as_matrix.A },
    perceptron: key.perceptron,
    xor: key.xor,
    relu_net: { h: key.relu_net.h.map(round), dh_dx: key.relu_net.dh_dx.map(round) },
    backprop: {
      forward: roundAll({ ...key.backprop.forward }),
      loss: round(key.backprop.loss),
      gradients: roundAll(key.backprop.gradients),
      // An update is graded on its step, so the step keeps the digits: p_old − round(p_old − p_new).
      updated: Object.fromEntries(
        Object.entries(key.backprop.updated).map(([p, v]) => {
          const old = BACKPROP_SETTING.params[p as BackpropParam];
          return [p, Number((old - round(old - v)).toPrecision(12))];
        }),
      ),
    },
    vgg11: { layers: key.vgg11.layers, total_params: key.vgg11.total_params, fc_fraction: round(key.vgg11.fc_fraction) },
    cnn_table: { layers: key.cnn_table.layers, totals: key.cnn_table.totals },
    xor_proof: MANUAL_QUESTIONS.xor_proof.rubric.join('\n'),
    min_norm_proof: MANUAL_QUESTIONS.min_norm_proof.rubric.join('\n'),
  };
}
