import { openDevice } from './device-context.js';

/** Acknowledges the reset the device asked for after new licenses or a confirmation ("reset if asked for"). */
export async function acknowledgeReset(dir: string) {
  const { store, state } = await openDevice(dir);
  // Already acknowledged: nothing to write (the write is atomic, with two fsyncs).
  if (state.resetRequired)
    await store.update((s) => {
      s.resetRequired = false;
    });
  return { reset: true };
}
