import { createHash } from 'node:crypto';
import { AutotuneError, oneLine } from '../errors.js';

/**
 * What each export format may embed, and how. Study names come back from the database, where
 * anything may have been written (an older autotune, a hand edit), and --command is free text,
 * so nothing that reaches a generated file is trusted to be one harmless line.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A name rule of one deployment format: which characters, how long, lower case or not. */
export interface NameRule {
  format: string;
  /** A whole valid name (of at most maxLength characters). */
  valid: RegExp;
  /** One character a name may hold. */
  char: RegExp;
  maxLength: number;
  lowercase: boolean;
  /** Says in words what `valid` accepts, for the error of an invalid --name. */
  describe: string;
}

/** Containers, pods: a DNS-1123 label. Instances append -N, so the base keeps room for it. */
export const KUBERNETES_NAME: NameRule = {
  format: 'kubernetes',
  valid: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
  char: /[a-z0-9-]/,
  maxLength: 63,
  lowercase: true,
  describe: "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters with the instance suffix",
};

/** docker run --name: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
export const DOCKER_NAME: NameRule = {
  format: 'docker',
  valid: /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/,
  char: /[a-zA-Z0-9_.-]/,
  maxLength: 128,
  lowercase: false,
  describe: "letters, digits, '_', '.' and '-', starting with a letter or digit, at most 128 characters",
};

/** The prefix of a template unit, NAME@.service (systemd allows 255 characters in all). */
export const SYSTEMD_NAME: NameRule = {
  format: 'systemd',
  valid: /^[A-Za-z0-9:_.-]+$/,
  char: /[A-Za-z0-9:_.-]/,
  maxLength: 200,
  lowercase: false,
  describe: "letters, digits, ':', '_', '.' and '-', at most 200 characters",
};

/**
 * The name of study `study`'s deployment under `rule`: `autotune-STUDY` where that is valid, else
 * the valid characters of it plus a short hash of the study name, so two studies never share one.
 * `suffix` is what the exporter appends per instance (`-12`), which must fit too.
 */
export function derivedName(study: string, rule: NameRule, suffix = ''): string {
  const wanted = `autotune-${study}`;
  const limit = rule.maxLength - suffix.length;
  if (fits(wanted, rule, suffix)) return wanted;
  const hash = createHash('sha256').update(study).digest('hex').slice(0, 8);
  const cased = rule.lowercase ? wanted.toLowerCase() : wanted;
  const kept = [...cased].map((c) => (rule.char.test(c) ? c : '-')).join('');
  const base = kept.replace(/-{2,}/g, '-').slice(0, limit - hash.length - 1).replace(/[^a-zA-Z0-9]+$/, '');
  return `${base}-${hash}`;
}

/** Both the name alone (a pod, a unit) and with the instance suffix (its containers) are valid. */
function fits(name: string, rule: NameRule, suffix: string): boolean {
  return rule.valid.test(name) && rule.valid.test(name + suffix) && name.length + suffix.length <= rule.maxLength;
}

/** A --name the user gave: used as it is when valid for the format, else refused in one line. */
export function checkedName(name: string, rule: NameRule, suffix = ''): string {
  if (!fits(name, rule, suffix)) {
    throw new AutotuneError('usage', `--name ${oneLine(name)}: a ${rule.format} name takes ${rule.describe}`);
  }
  return name;
}

/** What an exporter appends to the name for the last of `instances` instances. */
export function instanceSuffix(instances: number): string {
  return `-${Math.max(0, instances - 1)}`;
}

/** The deployment name: the user's --name, checked for the format, or one derived from the study. */
export function deploymentName(given: string | undefined, study: string, rule: NameRule, suffix = ''): string {
  return given === undefined ? derivedName(study, rule, suffix) : checkedName(given, rule, suffix);
}

/** The shell command an instance runs: the user's command line as one quoted word for `sh -c`. */
export function shCommand(command: string): string[] {
  return ['/bin/sh', '-c', `exec ${command}`];
}

/**
 * --command as an ExecStart= value: systemd reads `%` as a specifier and `$` as a variable, a
 * newline would end the directive and start another, a trailing backslash joins the next line and
 * a lone `;` separates commands, so each is escaped; {instance} and {port} become %i and
 * ${AUTOTUNE_PORT} after that, so only they are expanded by systemd.
 */
export function systemdCommand(command: string): string {
  const escaped = command
    .replaceAll('%', '%%')
    .replaceAll('$', '$$$$')
    .replace(/\\+$/, (run) => (run.length % 2 === 1 ? `${run}\\` : run))
    .replace(/(^|\s);(?=\s|$)/g, '$1\\;')
    .replace(CONTROL, (c) => (c.charCodeAt(0) > 0xff ? `\\u${c.charCodeAt(0).toString(16)}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return escaped.replaceAll('{instance}', '%i').replaceAll('{port}', '${AUTOTUNE_PORT}');
}

/**
 * One NAME=VALUE assignment as a quoted Environment= value: inside double quotes systemd reads
 * backslash escapes, so `\\` and `"` are escaped, `%` is a specifier (`%%`), and a control character
 * (a newline would end the directive) is written as its \\x escape. VALUE may be a model path.
 */
export function systemdEnvironment(assignment: string): string {
  const escaped = assignment
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('%', '%%')
    .replace(CONTROL, (c) => (c.charCodeAt(0) > 0xff ? `\\u${c.charCodeAt(0).toString(16)}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return `"${escaped}"`;
}
