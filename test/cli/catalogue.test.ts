import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';

import { writeReportFixture } from '../fixtures/report/build-db.js';
import { TINY_MLP } from '../study/helpers.js';

/**
 * The catalogue of bad input: every way a hostile or careless user, a study file or a stored
 * database can go wrong that autotune must answer with one line naming the problem and a non-zero
 * exit — never a stack trace, an internal error, or a file left half-written. Each case runs the
 * real CLI in a directory of its own.
 */

const BIN = new URL('../../../bin/autotune.js', import.meta.url).pathname;
const FIXTURES = new URL('../../../test/fixtures/', import.meta.url).pathname;
const USAGE = 2;
const INPUT = 3;
const SYSTEM = 4;
const STORE = 6;

interface Case {
  name: string;
  argv: string[];
  code: number;
  /** What the one stderr line must say (after `autotune: `). */
  says: RegExp;
  /** Prepares the case's directory (files, databases). */
  setup?: (dir: string) => void;
  env?: Record<string, string>;
  /**
   * The command runs with `out/` a small tmpfs in a mount namespace of its own: read-only, or
   * full. The files left in out/ afterwards must be exactly `leaves` (nothing half-written, no temp file).
   */
  mount?: { kind: 'read-only' | 'full'; leaves: string[] };
}

const sh = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
let base: string;
let fixtureDb: string;

/** The report fixture with SQL applied: a database damaged or edited in one place. */
function damaged(...statements: string[]): (dir: string) => void {
  return Object.assign(
    (dir: string) => {
      copyFileSync(fixtureDb, join(dir, 'a.db'));
      const db = new Database(join(dir, 'a.db'));
      for (const sql of statements) db.exec(sql);
      db.close();
    },
    { input: statements.join('; ') },
  );
}
const withFixture = (dir: string): void => copyFileSync(fixtureDb, join(dir, 'a.db'));
const file = (name: string, content: string) => Object.assign((dir: string): void => writeFileSync(join(dir, name), content), { input: `${name}: ${content}` });
const DB = ['--db', 'a.db'];
const TUNE = ['tune', '--model', TINY_MLP, '--no-ui', '--db', 'a.db'];
/** A 2-trial config of the report fixture (id 2): p1 t1 none b1. */
const TRIAL_2 = 'study "fixture", trial #2 \\(id 2\\)';

const CASES: Case[] = [
  // autotune trial: flags
  { name: 'trial --processes 0', argv: ['trial', '--processes', '0'], code: USAGE, says: /^--processes "0": expected a positive integer$/ },
  { name: 'trial --processes 0x2 (hex is not a count)', argv: ['trial', '--processes', '0x2'], code: USAGE, says: /^--processes "0x2" is malformed: use a list \(1,2,4\), a range/ },
  { name: 'trial --processes 1e1', argv: ['trial', '--processes', '1e1'], code: USAGE, says: /--processes "1e1" is malformed/ },
  { name: 'trial --processes -1', argv: ['trial', '--processes', '-1'], code: USAGE, says: /--processes "-1" is malformed/ },
  { name: 'trial --threads two', argv: ['trial', '--threads', 'two'], code: USAGE, says: /^--threads "two" is malformed/ },
  { name: 'trial --processes 100000 --oversubscribe', argv: ['trial', '--processes', '100000', '--oversubscribe'], code: USAGE, says: /^P x T = 100000 threads is more than --oversubscribe allows: at most 4 per usable CPU, \d+ on these \d+/ },
  { name: 'trial --threads 100000 --oversubscribe', argv: ['trial', '--threads', '100000', '--oversubscribe'], code: USAGE, says: /at most 4 per usable CPU/ },
  { name: 'trial --processes 64 without --oversubscribe', argv: ['trial', '--processes', '64'], code: USAGE, says: /^P x T = 64 CPUs but .*pass --oversubscribe$/ },
  { name: 'trial --numa sideways', argv: ['trial', '--numa', 'sideways'], code: USAGE, says: /^--numa "sideways": expected a NUMA policy: none, local, interleave, spread, preferred$/ },
  { name: 'trial --smt maybe', argv: ['trial', '--smt', 'maybe'], code: USAGE, says: /^--smt "maybe": expected an SMT use: cores, all/ },
  { name: 'trial --ci 1.5', argv: ['trial', '--ci', '1.5'], code: USAGE, says: /^--ci must be a fraction between 0 and 1/ },
  { name: 'trial --ci 0x0', argv: ['trial', '--ci', '0x0'], code: USAGE, says: /^--ci must be a fraction/ },
  { name: 'trial --warmup soon', argv: ['trial', '--warmup', 'soon'], code: USAGE, says: /^--warmup must be a number of seconds >= 0 \(got "soon"\)$/ },
  { name: 'trial --min-time above --max-time', argv: ['trial', '--min-time', '5', '--max-time', '1'], code: USAGE, says: /^--min-time \(5 s\) is above --max-time \(1 s\)$/ },
  { name: 'trial --baseline --processes 2', argv: ['trial', '--baseline', '--processes', '2'], code: USAGE, says: /^--baseline runs onnxruntime's defaults: drop --processes$/ },
  { name: 'trial --bogus (unknown option)', argv: ['trial', '--bogus'], code: USAGE, says: /^unknown option '--bogus' \(run with --help for usage\)$/ },
  { name: 'trial --processes (value missing)', argv: ['trial', '--processes'], code: USAGE, says: /^option '--processes <value>' argument missing/ },
  { name: 'an unknown command', argv: ['frobnicate'], code: USAGE, says: /^unknown command 'frobnicate'/ },
  // autotune trial: models and inputs
  { name: 'trial --model that does not exist', argv: ['trial', '--model', 'missing.onnx'], code: INPUT, says: /^model file missing\.onnx not found: check the path, or use a built-in model/ },
  { name: 'trial --model an empty file', argv: ['trial', '--model', 'empty.onnx'], setup: file('empty.onnx', ''), code: INPUT, says: /^model file empty\.onnx is empty \(0 bytes\)/ },
  { name: 'trial --model a file that is not ONNX', argv: ['trial', '--model', join(FIXTURES, 'workload', 'not-a-model.onnx')], code: INPUT, says: /is not a loadable ONNX model/ },
  { name: 'trial --model a directory', argv: ['trial', '--model', '.'], code: INPUT, says: /^model \. is not a file: give an \.onnx file$/ },
  { name: 'trial --model builtin:nope', argv: ['trial', '--model', 'builtin:nope'], code: USAGE, says: /builtin:nope/ },
  { name: 'AUTOTUNE_CACHE pointing at a file', argv: ['trial', '--model', TINY_MLP], env: { AUTOTUNE_CACHE: 'cache-file' }, setup: file('cache-file', 'x'), code: INPUT, says: /^the model cache cache-file is not a directory/ },
  { name: 'trial --shape without dims', argv: ['trial', '--shape', 'x'], code: USAGE, says: /--shape/ },
  { name: 'trial --inputs that does not exist', argv: ['trial', '--model', TINY_MLP, '--inputs', 'none.json'], code: INPUT, says: /none\.json/ },
  // autotune tune: flags
  { name: 'tune --batch 8-1 (descending range)', argv: [...TUNE, '--batch', '8-1'], code: USAGE, says: /batch/ },
  { name: 'tune --batch 1-100000000', argv: [...TUNE, '--batch', '1-100000000'], code: USAGE, says: /^the study's space has \d+ combinations .*more than the 100000 autotune searches: narrow batch/ },
  { name: 'tune --batch 1-5000000', argv: [...TUNE, '--batch', '1-5000000'], code: USAGE, says: /narrow batch/ },
  { name: 'tune --processes 100000 --oversubscribe', argv: [...TUNE, '--processes', '100000', '--threads', '1', '--oversubscribe'], code: USAGE, says: /^no feasible configuration .*at most 4 per usable CPU/ },
  { name: 'tune --name with a space', argv: [...TUNE, '--name', 'my study'], code: USAGE, says: /^study\.name: expected letters, digits/ },
  { name: 'tune --name of 65 characters', argv: [...TUNE, '--name', 'n'.repeat(65)], code: USAGE, says: /^study\.name: expected at most 64 characters$/ },
  { name: 'tune --name and --study together', argv: [...TUNE, '--name', 'x', '--study', 'y'], code: USAGE, says: /^give --study y to resume a stored study or --name x to start one, not both$/ },
  { name: 'tune --study on a new database', argv: ['tune', '--study', 'night', '--db', 'new.db'], code: USAGE, says: /^there is no database at new\.db to resume study "night" from: --study resumes a study stored there; to start one, use --name night/ },
  { name: 'tune --study that is not stored', argv: ['tune', '--study', 'nope', ...DB], setup: withFixture, code: USAGE, says: /^no study "nope" in a\.db: it has fixture, strict, empty$/ },
  { name: 'tune --slo 0x10', argv: [...TUNE, '--slo', '0x10'], code: USAGE, says: /^--slo "0x10" is not a number/ },
  { name: 'tune --trials many', argv: [...TUNE, '--trials', 'many'], code: USAGE, says: /^--trials "many" is not a whole number$/ },
  { name: 'tune --time forever', argv: [...TUNE, '--time', 'forever'], code: USAGE, says: /--time/ },
  { name: 'tune --strategy magic', argv: [...TUNE, '--strategy', 'magic'], code: USAGE, says: /^study\.strategy: expected auto, grid, random or bayes$/ },
  { name: 'tune --numa (empty list)', argv: [...TUNE, '--numa', ','], code: USAGE, says: /^--numa is empty/ },
  { name: 'tune --model an empty file', argv: ['tune', '--model', 'empty.onnx', '--no-ui', ...DB], setup: file('empty.onnx', ''), code: INPUT, says: /^model file empty\.onnx is empty/ },
  // autotune tune: study files
  { name: 'a study file that does not exist', argv: ['tune', 'missing.yaml', ...DB], code: INPUT, says: /^study file missing\.yaml cannot be read \(ENOENT\)/ },
  { name: 'a study file that is not YAML', argv: ['tune', 's.yaml', ...DB], setup: file('s.yaml', 'space: [\n'), code: INPUT, says: /^study file s\.yaml is not valid YAML\/JSON/ },
  { name: 'a study file holding a list', argv: ['tune', 's.yaml', ...DB], setup: file('s.yaml', '- 1\n- 2\n'), code: INPUT, says: /^study file s\.yaml must hold a mapping/ },
  { name: 'a study file with a misspelt field', argv: ['tune', 's.yaml', ...DB], setup: file('s.yaml', 'spaec: {}\n'), code: USAGE, says: /^s\.yaml: study: unknown field "spaec"$/ },
  { name: 'a study file with a negative thread count', argv: ['tune', join(FIXTURES, 'study', 'bad-field.yaml'), ...DB], code: USAGE, says: /study\.space\.threads\[2\]: expected a positive integer$/ },
  { name: 'a study file whose batch spans 1e8', argv: ['tune', 's.yaml', ...DB], setup: file('s.yaml', `model: "${TINY_MLP}"\nspace: {batch: {min: 1, max: 100000000}}\n`), code: USAGE, says: /narrow batch/ },
  { name: 'a study file with maxTime below minTime', argv: ['tune', 's.yaml', ...DB], setup: file('s.yaml', 'measure: {minTime: 5, maxTime: 1}\n'), code: USAGE, says: /^s\.yaml: study\.measure\.maxTime: maxTime must not be below minTime$/ },
  { name: 'a study file with a bad duration', argv: ['tune', 's.yaml', ...DB], setup: file('s.yaml', 'budget: {time: soon}\n'), code: USAGE, says: /study\.budget\.time: "soon" is not a duration/ },
  { name: 'a study file and --study', argv: ['tune', 's.yaml', '--study', 'x', ...DB], setup: file('s.yaml', '{}\n'), code: USAGE, says: /^give a study file or --study x, not both/ },
  // autotune tune: databases
  { name: 'tune --db in a directory that does not exist', argv: [...TUNE.slice(0, -2), '--db', 'no/such/dir/a.db'], code: STORE, says: /^cannot create no\/such\/dir\/a\.db: the directory .* does not exist/ },
  { name: 'tune --db a directory', argv: [...TUNE.slice(0, -2), '--db', '.'], code: STORE, says: /^\. is a directory, not a database file/ },
  { name: 'tune --db a file that is not SQLite', argv: TUNE, setup: file('a.db', 'this is not a database, just text that is long enough to be a header '.repeat(20)), code: STORE, says: /^a\.db is not a readable autotune database/ },
  { name: 'tune --db written by a newer autotune', argv: TUNE, setup: damaged('PRAGMA user_version = 99'), code: STORE, says: /^a\.db was written by a newer autotune \(schema 99/ },
  { name: "tune --db of another program", argv: TUNE, setup: (dir) => { const db = new Database(join(dir, 'a.db')); db.exec('CREATE TABLE notes (x)'); db.close(); }, code: STORE, says: /^a\.db is an SQLite database of another program/ },
  // studies, report
  { name: 'studies --db that does not exist', argv: ['studies', '--db', 'none.db'], code: STORE, says: /^there is no autotune database at none\.db/ },
  { name: 'report --db that does not exist', argv: ['report', '--db', 'none.db'], code: STORE, says: /^there is no autotune database at none\.db/ },
  { name: 'report of a study that is not there', argv: ['report', 'nope', ...DB], setup: withFixture, code: INPUT, says: /^no study named "nope" in a\.db; studies there: fixture, strict, empty$/ },
  { name: 'report of a study with nothing complete', argv: ['report', 'empty', ...DB], setup: withFixture, code: INPUT, says: /^study "empty" has no completed trial yet \(1 failed; the first: model failed to load\)/ },
  { name: 'report --json --csv', argv: ['report', '--json', '--csv', ...DB], setup: withFixture, code: USAGE, says: /^choose one of --json, --csv, --markdown, --html FILE$/ },
  { name: 'report --compare with one study', argv: ['report', '--compare', 'fixture', ...DB], setup: withFixture, code: USAGE, says: /^--compare takes exactly two study names/ },
  { name: 'report --html to a directory', argv: ['report', 'fixture', '--html', '.', ...DB], setup: withFixture, code: INPUT, says: /^cannot write \.: it is a directory; give a file path$/ },
  { name: 'report --html into a directory that does not exist', argv: ['report', 'fixture', '--html', 'no/dir/r.html', ...DB], setup: withFixture, code: SYSTEM, says: /^cannot write no\/dir\/r\.html: the directory no\/dir does not exist/ },
  { name: 'report --html on a read-only file system', argv: ['report', 'fixture', '--html', 'out/r.html', ...DB], setup: withFixture, mount: { kind: 'read-only', leaves: ['kept.txt'] }, code: SYSTEM, says: /^cannot write out\/r\.html: the file system is read-only/ },
  { name: 'report --html on a full disk', argv: ['report', 'fixture', '--html', 'out/r.html', ...DB], setup: withFixture, mount: { kind: 'full', leaves: ['fill'] }, code: SYSTEM, says: /^cannot write out\/r\.html: the disk is full/ },
  { name: 'a stored name with a newline stays on the one error line', argv: ['report', 'nope', ...DB], setup: damaged(`UPDATE studies SET name = 'two' || char(10) || 'lines' WHERE name = 'strict'`), code: INPUT, says: /^no study named "nope" in a\.db; studies there: fixture, two\\nlines, empty$/ },
  // export, launch
  { name: 'export --format zip', argv: ['export', '--format', 'zip', ...DB], setup: withFixture, code: USAGE, says: /^--format zip: expected shell, systemd, docker, kubernetes, json$/ },
  { name: 'export --pick fastest', argv: ['export', '--pick', 'fastest', ...DB], setup: withFixture, code: USAGE, says: /^--pick fastest: expected slo, latency, knee or a trial id/ },
  { name: 'export --pick of a trial that is not there', argv: ['export', 'fixture', '--pick', '999', ...DB], setup: withFixture, code: INPUT, says: /^study "fixture" has no trial with id 999/ },
  { name: 'export --pick of a failed trial', argv: ['export', 'fixture', '--pick', '8', ...DB], setup: withFixture, code: INPUT, says: /^trial 8 of study "fixture" is failed, not complete/ },
  { name: 'export --pick slo where nothing meets the SLO', argv: ['export', 'strict', '--pick', 'slo', ...DB], setup: withFixture, code: INPUT, says: /^cannot pick slo: no configuration meets the 1\.00 ms SLO/ },
  { name: 'export --format systemd without --command', argv: ['export', 'fixture', '--format', 'systemd', ...DB], setup: withFixture, code: USAGE, says: /^--format systemd needs the server's command/ },
  { name: 'export --format docker without --image', argv: ['export', 'fixture', '--format', 'docker', ...DB], setup: withFixture, code: USAGE, says: /^--format docker needs the container image/ },
  { name: 'export --format kubernetes --name not DNS-1123', argv: ['export', 'fixture', '--format', 'kubernetes', '--image', 'i', '--name', 'Bad_Name', ...DB], setup: withFixture, code: USAGE, says: /^--name Bad_Name: a kubernetes name takes lower-case letters/ },
  { name: 'export --format systemd --name with a newline', argv: ['export', 'fixture', '--format', 'systemd', '--command', '/bin/true', '--name', 'a\nb', ...DB], setup: withFixture, code: USAGE, says: /^--name a\\nb: a systemd name takes/ },
  { name: 'export --base-port 0x1F90', argv: ['export', 'fixture', '--base-port', '0x1F90', ...DB], setup: withFixture, code: USAGE, says: /^--base-port 0x1F90: expected a port number 1-65535$/ },
  { name: 'export --base-port 70000', argv: ['export', 'fixture', '--base-port', '70000', ...DB], setup: withFixture, code: USAGE, says: /^--base-port 70000: expected a port number/ },
  { name: 'export -o on a read-only file system', argv: ['export', 'fixture', '-o', 'out/launch.sh', ...DB], setup: withFixture, mount: { kind: 'read-only', leaves: ['kept.txt'] }, code: SYSTEM, says: /^cannot write out\/launch\.sh: the file system is read-only/ },
  { name: 'export --format systemd -o on a full disk', argv: ['export', 'fixture', '--format', 'systemd', '--command', '/bin/true', '-o', 'out', ...DB], setup: withFixture, mount: { kind: 'full', leaves: ['fill'] }, code: SYSTEM, says: /^cannot write out\/autotune-fixture@\.service: the disk is full/ },
  { name: 'launch without a command', argv: ['launch', ...DB], setup: withFixture, code: USAGE, says: /^launch needs the command after --/ },
  { name: 'launch --grace soon', argv: ['launch', '--grace', 'soon', ...DB, '--', 'true'], setup: withFixture, code: USAGE, says: /^--grace soon: expected seconds >= 0$/ },
  { name: 'launch with two studies', argv: ['launch', 'a', 'b', ...DB, '--', 'true'], setup: withFixture, code: USAGE, says: /^launch takes at most one study before --, got: a b$/ },
  // damaged or hand-edited databases
  { name: 'a trial whose config is []', argv: ['report', 'fixture', ...DB], setup: damaged(`UPDATE trials SET config = '[]' WHERE id = 2`), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: config is malformed \\(.*\\): the database was edited or damaged`) },
  { name: 'a trial whose config is not JSON', argv: ['report', 'fixture', ...DB], setup: damaged(`UPDATE trials SET config = '{' WHERE id = 2`), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: config is not valid JSON`) },
  { name: 'a trial whose config names an unknown policy', argv: ['export', 'fixture', '--pick', '2', ...DB], setup: damaged(`UPDATE trials SET config = json_set(config, '$.numa', 'sideways') WHERE id = 2`), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: config is malformed at numa`) },
  { name: 'a trial whose noise reasons are not JSON', argv: ['report', 'fixture', ...DB], setup: damaged(`UPDATE trials SET noise_reasons = 'loud' WHERE id = 2`), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: noise_reasons is not valid JSON`) },
  { name: 'a trial whose tps is text', argv: ['report', 'fixture', ...DB], setup: damaged(`UPDATE trials SET tps = 'fast' WHERE id = 2`), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: tps holds "fast", not a number`) },
  { name: 'a trial whose plan is malformed', argv: ['export', 'fixture', '--pick', '2', ...DB], setup: damaged(`UPDATE trial_placements SET plan = '{"workers": 5}' WHERE trial_id = 2`), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: plan is malformed at workers`) },
  { name: 'a trial whose histogram is null', argv: ['export', 'fixture', '--pick', '2', ...DB], setup: damaged(`UPDATE trial_histograms SET histogram = 'null' WHERE trial_id = 2`), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: histogram is malformed`) },
  { name: 'a complete trial without its placement row', argv: ['export', 'fixture', '--pick', '2', ...DB], setup: damaged('DELETE FROM trial_placements WHERE trial_id = 2'), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: complete, but its placement row is missing`) },
  { name: 'a complete trial with an empty result column', argv: ['export', 'fixture', '--pick', '2', ...DB], setup: damaged('UPDATE trials SET onnxruntime_version = NULL WHERE id = 2'), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: complete, but onnxruntime_version is empty`) },
  { name: 'a study whose definition is not JSON (report)', argv: ['report', 'fixture', ...DB], setup: damaged(`UPDATE studies SET definition = '{bad' WHERE name = 'fixture'`), code: STORE, says: /^a\.db: study "fixture": definition is not valid JSON/ },
  { name: 'a study whose definition is not JSON (studies)', argv: ['studies', ...DB], setup: damaged(`UPDATE studies SET definition = '{bad' WHERE name = 'strict'`), code: STORE, says: /^a\.db: study "strict": definition is not valid JSON/ },
  { name: 'a study whose machine checks are malformed', argv: ['report', 'strict', ...DB], setup: damaged(`UPDATE studies SET machine_checks = '[{"id": "governor"}]' WHERE name = 'strict'`), code: STORE, says: /^a\.db: study "strict": machine_checks is malformed at 0\.status/ },
  { name: 'a trial whose disturbance is malformed', argv: ['export', 'fixture', '--pick', '2', ...DB], setup: damaged(`UPDATE trials SET disturbance = '{"cpus": 5}' WHERE id = 2`), code: STORE, says: new RegExp(`^a\\.db: ${TRIAL_2}: disturbance is malformed at cpus`) },
  { name: 'a machine whose fingerprint is malformed', argv: ['report', 'fixture', ...DB], setup: damaged(`UPDATE machines SET fingerprint = '{"cpuModel": 1}'`), code: STORE, says: /^a\.db: machine #1: fingerprint is malformed at cpuModel/ },
  { name: 'a stored definition that no longer parses, resumed', argv: ['tune', '--study', 'fixture', '--no-ui', ...DB], setup: damaged(`UPDATE studies SET definition = json_set(definition, '$.space.threads', json('[0]')) WHERE name = 'fixture'`), code: USAGE, says: /^stored study fixture\.space\.threads\[0\]: expected a positive integer$/ },
  { name: 'a database file cut short', argv: ['report', ...DB], setup: (dir) => { withFixture(dir); const db = join(dir, 'a.db'); writeFileSync(db, Buffer.from(readFileBytes(db).subarray(0, 8192))); }, code: STORE, says: /^a\.db is not a readable autotune database/ },
  // topology snapshots
  { name: 'topology --sysfs-root that does not exist', argv: ['topology', '--sysfs-root', 'no-tree'], code: INPUT, says: /^no CPU topology under \S*no-tree: expected / },
  { name: 'doctor --sysfs-root that does not exist', argv: ['doctor', '--sysfs-root', 'no-tree'], code: INPUT, says: /^no CPU topology under \S*no-tree: expected / },
  { name: 'a snapshot whose core_id is garbage', argv: ['topology', '--sysfs-root', 'tree'], setup: (dir) => { cpSync(join(FIXTURES, 'sysfs', 'vm-2cpu'), join(dir, 'tree'), { recursive: true }); writeFileSync(join(dir, 'tree/sys/devices/system/cpu/cpu1/topology/core_id'), 'garbage\n'); }, code: INPUT, says: /cpu1\/topology\/core_id holds "garbage", not an integer id: the sysfs tree is damaged$/ },
];

function readFileBytes(path: string): Buffer {
  return spawnSync('cat', [path], { maxBuffer: 1 << 26 }).stdout;
}

const canMount = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs none ${tmpdir()} && true`]).status === 0;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the case's command in its directory; with a mount, inside its own mount namespace. */
function runCase(c: Case, dir: string): Promise<Outcome> {
  let file: string;
  let args: string[];
  if (c.mount === undefined) {
    file = process.execPath;
    args = [BIN, ...c.argv];
  } else {
    mkdirSync(join(dir, 'out'));
    const prepare =
      c.mount.kind === 'read-only'
        ? 'mount -t tmpfs -o size=1m none out && echo kept > out/kept.txt && mount -o remount,ro out'
        : 'mount -t tmpfs -o size=64k none out && (cat /dev/zero > out/fill 2>/dev/null; true)';
    // The listing of out/ is printed after the command, inside the namespace where out/ exists.
    const command = [process.execPath, BIN, ...c.argv].map(sh).join(' ');
    file = 'unshare';
    args = ['-m', 'sh', '-c', `${prepare} && ${command}; code=$?; ls -A out; exit $code`];
  }
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: dir, env: { ...process.env, AUTOTUNE_CACHE: join(base, 'models'), ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

before(() => {
  base = mkdtempSync(join(tmpdir(), 'autotune-catalogue-'));
  fixtureDb = join(base, 'fixture.db');
  writeReportFixture(fixtureDb);
});

after(() => rmSync(base, { recursive: true, force: true }));

test('the catalogue holds at least 60 distinct inputs across commands, study files and databases', () => {
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  // Distinct inputs: no two cases give the same arguments, files, database damage and environment.
  const input = (c: Case): string => JSON.stringify([c.argv, (c.setup as { input?: string } | undefined)?.input ?? c.setup?.toString(), c.env, c.mount?.kind]);
  assert.equal(new Set(CASES.map(input)).size, CASES.length);
  assert.ok(CASES.length >= 60, `${CASES.length} cases`);
  const commands = new Set(CASES.map((c) => c.argv[0]));
  for (const command of ['trial', 'tune', 'studies', 'report', 'export', 'launch', 'topology', 'doctor']) assert.ok(commands.has(command), command);
});

test('every bad input gets one line naming the problem, its exit code, no stack trace and no half-written file', { timeout: 600_000 }, async () => {
  const failures: string[] = [];
  let ran = 0;
  const queue = CASES.filter((c) => c.mount === undefined || canMount);
  // One at a time: each case is a whole autotune process, and the suite runs another test file
  // beside this one on the machine's two cores.
  const lanes = Array.from({ length: 1 }, async () => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      const dir = mkdtempSync(join(base, 'case-'));
      c.setup?.(dir);
      const out = await runCase(c, dir);
      ran++;
      const lines = out.stderr.split('\n').filter((l) => l !== '');
      const problems: string[] = [];
      if (out.code !== c.code) problems.push(`exit ${out.code}, expected ${c.code}`);
      if (lines.length !== 1) problems.push(`${lines.length} lines on stderr`);
      if (!/^autotune: /.test(out.stderr)) problems.push('not an autotune: line');
      if (!c.says.test(lines[0]?.replace(/^autotune: /, '') ?? '')) problems.push(`says something else`);
      if (/internal error|^\s+at |Error:/m.test(out.stderr)) problems.push('a stack trace or an internal error');
      if (c.mount !== undefined && out.stdout.trim().split('\n').filter(Boolean).join(' ') !== c.mount.leaves.join(' ')) {
        problems.push(`out/ holds [${out.stdout.trim().split('\n').join(', ')}], expected [${c.mount.leaves.join(', ')}]`);
      }
      // Nothing half-written next to the case either: no temporary file of an atomic write is left.
      const leftovers = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
      if (leftovers.length > 0) problems.push(`left ${leftovers.join(', ')}`);
      if (problems.length > 0) failures.push(`${c.name}: ${problems.join('; ')}\n    stderr: ${JSON.stringify(out.stderr)}`);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  await Promise.all(lanes);
  assert.equal(ran, CASES.filter((c) => c.mount === undefined || canMount).length);
  assert.deepEqual(failures, []);
});

test('the cases that need a mount namespace ran here', { skip: canMount ? false : 'unshare -m cannot mount a tmpfs here (needs root)' }, () => {
  assert.ok(CASES.filter((c) => c.mount !== undefined).length >= 4);
});
