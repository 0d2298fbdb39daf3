/**
 * Decided once per command: the dashboard only when a person is watching a real terminal.
 * Pipes, files, nohup, CI and `--no-ui` / `--json` get line output.
 */
export function isInteractive(options: { ui: boolean; json: boolean; stdout?: { isTTY?: boolean }; env?: NodeJS.ProcessEnv }): boolean {
  const stdout = options.stdout ?? process.stdout;
  const env = options.env ?? process.env;
  if (!options.ui || options.json || stdout.isTTY !== true) return false;
  const ci = env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return false;
  return env.TERM !== 'dumb';
}
