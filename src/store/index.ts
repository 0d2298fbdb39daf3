export { DEFAULT_DB_PATH, openStore } from './store.js';
export { SCHEMA_VERSION } from './migrations.js';
export { STUDY_STATES, TRIAL_KINDS, TRIAL_STATES } from './types.js';
export type {
  MachineRecord,
  NewStudy,
  NewTrial,
  OpenStoreOptions,
  StaleLock,
  Store,
  StudyListing,
  StudyLockRelease,
  StudyRecord,
  StudyState,
  TrialKind,
  TrialRecord,
  TrialState,
} from './types.js';
