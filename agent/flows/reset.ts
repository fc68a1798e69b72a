import { openDevice } from './device-context.js';

/** Acknowledges the reset the device asked for after new licenses or a confirmation ("reset if asked for"). */
export async function acknowledgeReset(dir: string) {
  const { store } = await openDevice(dir);
  await store.update((s) => {
    s.resetRequired = false;
  });
  return { reset: true };
}
