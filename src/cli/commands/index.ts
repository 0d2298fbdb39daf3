import type { Command } from 'commander';
import { register as trial } from './trial.js';

/** Each command module exports one `register(program)`; the CLI adds them in this order. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [trial];
