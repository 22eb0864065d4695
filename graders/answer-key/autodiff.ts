// TensorFlow.js autodiff (tf.grad) for answer keys. The Node build of tfjs-core ships without its gradient
// functions; they live only in its ES module files, which Node cannot resolve unaided (graders/answer-key/
// tfjs-esm-resolve.ts). Their registry is global, so gradients registered from there serve the Node build too.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

let enabled: Promise<void> | undefined;

/** Registers every TensorFlow.js gradient once; answer keys that call tf.grad await this at load time. */
export function enableAutodiff(): Promise<void> {
  enabled ??= (async () => {
    const hook = new URL('./tfjs-esm-resolve.js', import.meta.url);
    // Run from TypeScript sources (vitest), the bundler resolves tfjs's files itself and there is no compiled hook.
    if (existsSync(fileURLToPath(hook))) register(hook);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return enabled;
}
