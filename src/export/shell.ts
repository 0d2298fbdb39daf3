import { formatCpuList } from '../topology/cpulist.js';
import { provenance } from './header.js';
import { shCommand } from './escape.js';
import { expandPlaceholders, instancesOf } from './instances.js';
import type { Chosen } from './pick.js';
import { shellQuote } from './quote.js';

export interface ShellOptions {
  /**
   * The server's command line with {instance} and {port}, run by `sh -c` inside the placed
   * instance (so no part of it runs unplaced in the script); null: the script takes it as its arguments.
   */
  command: string | null;
  basePort: number;
}

/**
 * A bash launch script: P instances, each under numactl (CPUs and memory policy) or, where the
 * host has no numactl, taskset (CPUs only), decided when the script runs. Each instance leads a
 * process group of its own (job control), so Ctrl-C or SIGTERM stops every instance and what it
 * started, and the script waits for them; where setpriv can, each instance also gets SIGKILL when
 * the script dies, which is as far as a shell script can go against a kill -9 of itself.
 */
export function renderShell(chosen: Chosen, options: ShellOptions): string {
  const instances = instancesOf(chosen);
  const lines = [
    '#!/usr/bin/env bash',
    ...provenance(chosen).map((l) => `# ${l}`),
    options.command === null
      ? '# Usage: ./launch.sh SERVER ARGS...  ({instance} and {port} in the arguments become each instance\'s index and port)'
      : '# Usage: ./launch.sh',
    `# Ports: {port} is ${options.basePort} + the instance index. Ctrl-C or SIGTERM stops every instance and what it started.`,
    'set -euo pipefail',
    'set -m # job control: each instance leads a process group of its own',
    '',
    'if command -v numactl >/dev/null 2>&1; then placer=numactl',
    'elif command -v taskset >/dev/null 2>&1; then placer=taskset; echo "launch: numactl not found, pinning CPUs with taskset (memory policy not applied)" >&2',
    'else placer=none; echo "launch: neither numactl nor taskset found, instances run unpinned" >&2',
    'fi',
    'if setpriv --pdeathsig KILL true 2>/dev/null; then die=(setpriv --pdeathsig KILL --); else die=(); fi',
    options.command === null ? 'if [ $# -eq 0 ]; then echo "usage: $0 SERVER ARGS..." >&2; exit 2; fi' : '',
    '',
    'pids=()',
    'stop() {',
    '  trap - INT TERM',
    '  local pid',
    '  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done',
    '  wait',
    '  exit "$1"',
    '}',
    "trap 'stop 130' INT",
    "trap 'stop 143' TERM",
    '',
    '# start INDEX CPUS POLICY MEMS ENV... -- COMMAND...: one placed instance in the background.',
    'start() {',
    '  local index=$1 cpus=$2 policy=$3 mems=$4; shift 4',
    '  local env=()',
    '  while [ "$1" != -- ]; do env+=("$1"); shift; done',
    '  shift',
    '  local place=()',
    '  if [ "$cpus" != - ]; then',
    '    case $placer in',
    '      numactl)',
    '        place=(numactl --physcpubind="$cpus")',
    '        case $policy in',
    '          bind) place+=(--membind="$mems") ;;',
    '          interleave) place+=(--interleave="$mems") ;;',
    '          preferred) place+=(--preferred="$mems") ;;',
    '          local) place+=(--localalloc) ;;',
    '        esac',
    '        place+=(--) ;;',
    '      taskset) place=(taskset -c "$cpus") ;;',
    '    esac',
    '  fi',
    '  env "${env[@]}" "${die[@]}" "${place[@]}" "$@" &',
    '  pids+=($!)',
    '  echo "launch: instance $index pid $! cpus $cpus memory $policy${mems:+ $mems}" >&2',
    '}',
    '',
  ];
  if (options.command === null) {
    lines.push(
      '# expand INDEX PORT ARGS...: cmd=(ARGS with {instance} and {port} replaced)',
      'expand() {',
      '  local index=$1 port=$2 a; shift 2',
      '  cmd=()',
      '  for a in "$@"; do a=${a//\\{instance\\}/$index}; cmd+=("${a//\\{port\\}/$port}"); done',
      '}',
      '',
    );
  }
  for (const inst of instances) {
    const env = Object.entries(inst.env).map(([k, v]) => shellQuote(`${k}=${v}`));
    const cpus = inst.cpus === null ? '-' : formatCpuList(inst.cpus);
    const mems = inst.mems.length === 0 ? "''" : formatCpuList(inst.mems);
    let command: string;
    if (options.command === null) {
      lines.push(`expand ${inst.index} ${options.basePort + inst.index} "$@"`);
      command = '"${cmd[@]}"';
    } else {
      command = shCommand(expandPlaceholders(options.command, inst.index, options.basePort)).map(shellQuote).join(' ');
    }
    lines.push(`start ${inst.index} ${cpus} ${inst.memPolicy} ${mems} ${env.join(' ')} -- ${command}`);
  }
  lines.push('', 'wait', '');
  return lines.join('\n');
}
