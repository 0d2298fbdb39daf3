import type { Command } from 'commander';
import { register as doctor } from './doctor.js';
import { register as exportCommand } from './export.js';
import { register as launch } from './launch.js';
import { register as report } from './report.js';
import { register as studies } from './studies.js';
import { register as topology } from './topology.js';
import { register as trial } from './trial.js';
import { register as tune } from './tune.js';
import { register as verify } from './verify.js';

/** Each command module exports one `register(program)`; the CLI adds them in this order. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [trial, tune, studies, topology, doctor, report, exportCommand, launch, verify];
