/**
 * The typed face of the native affinity module; the only way into build/Release/affinity.node.
 */
export type { CapabilityStatus, Capabilities } from './capabilities.js';
export { probeCapabilities } from './capabilities.js';
export { getThreadAffinity, setThreadAffinity, getProcessAffinity, setProcessAffinity, getCpu } from './affinity.js';
export { setMemPolicy, getMemPolicy, pageNodes } from './mempolicy.js';
export type { MemPolicyMode } from '../domain/config.js';
export type { LaunchOptions as LauncherOptions, LaunchPlacement } from './launcher.js';
export { launcherPath, launcherCommand } from './launcher.js';
export { MAX_CPU_ID, MAX_NODE_ID, MEM_POLICY_MODES } from './validate.js';
