// Ctrl-C / SIGTERM for a CLI command that trains: the first signal asks the run to save and stop, a second quits at once.
import type { TrainControl } from '../engine/train/train-control';

/** Route SIGINT and SIGTERM to `control.stop()` until the returned function is called (which removes the handlers). */
export function stopOnSignals(control: TrainControl, command: string): () => void {
  let interrupts = 0;
  const onSignal = (sig: string) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\nmulticrop ${command}: ${sig}: finishing this step, saving a checkpoint, then stopping (press Ctrl-C again to quit at once)\n`);
      control.stop();
    } else {
      process.stderr.write(`multicrop ${command}: ${sig} again: quitting without a final checkpoint (the last periodic one is kept)\n`);
      process.exit(130);
    }
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
}
