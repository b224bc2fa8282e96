// An OS pipe from the native addon (native/os-pipe.cc): a git child writes its output into one end
// and a worker thread reads the other with blocking reads, without the main thread in between.
import { loadNativeAddon } from '../../native-addon.js';

interface PipeAddon {
  osPipe?: (capacity: number) => [number, number] | undefined;
}

/** A close-on-exec pipe whose buffer is grown towards `capacity` where the OS allows; undefined without the addon. */
export function osPipe(capacity: number): { read: number; write: number } | undefined {
  const fds = (loadNativeAddon() as PipeAddon | undefined)?.osPipe?.(capacity);
  return fds ? { read: fds[0], write: fds[1] } : undefined;
}

/** Whether osPipe can make pipes in this process. */
export function osPipesAvailable(): boolean {
  return typeof (loadNativeAddon() as PipeAddon | undefined)?.osPipe === 'function';
}
