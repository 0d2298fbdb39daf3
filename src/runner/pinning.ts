import { probeCapabilities, type Capabilities } from '../native/index.js';

/**
 * Why trials cannot be pinned on this machine (no native module, affinity refused, launcher
 * missing), or null when they can. One rule, shared by the runner (which then runs unpinned) and the
 * study loop (which then stops searching placement settings that would all run the same way).
 */
export function pinningUnavailable(capabilities: Capabilities = probeCapabilities()): string | null {
  if (!capabilities.supported) return capabilities.reason ?? 'the native module is not available';
  if (!capabilities.affinity.ok) return capabilities.affinity.detail;
  if (!capabilities.launcher.ok) return capabilities.launcher.detail;
  return null;
}
