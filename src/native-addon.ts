// Loads keywarden's native addon (native/*.cc, built by npm's install step) once per thread. Its
// parts are typed where they are used: the engine's prefilter (engine/native.ts) and the OS pipe
// that history workers read git through (sources/git/os-pipe.ts). Everything has a portable
// fallback, used when the addon was not built or KEYWARDEN_NATIVE=0 asks for it.
import { createRequire } from 'node:module';

let loaded: unknown;

/** The addon's exports, or undefined when it was not built or KEYWARDEN_NATIVE=0. */
export function loadNativeAddon(): unknown {
  if (loaded === undefined) {
    loaded = null;
    if (process.env.KEYWARDEN_NATIVE !== '0') {
      try {
        // dist/native-addon.js and src/native-addon.ts are both one level below the root
        loaded = createRequire(import.meta.url)('../build/Release/keywarden_prefilter.node') as unknown;
      } catch {
        loaded = null;
      }
    }
  }
  return loaded ?? undefined;
}
