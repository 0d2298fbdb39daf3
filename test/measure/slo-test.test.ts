import test from 'node:test';
import assert from 'node:assert/strict';
import { AutotuneError } from '../../src/errors.js';
import { createSloTest, minRequestsToMeet, type SloVerdict } from '../../src/measure/slo-test.js';
import { binomial, mulberry32 } from './random.js';

/**
 * Rate steps simulated as the open-loop search will drive them: every 250 ms (here every CHUNK
 * requests) update() gets the cumulative counts; the step stops at the first verdict or ends after
 * STEP requests with final(). Each request exceeds the SLO independently with probability p.
 */
const CHUNK = 100;
const STEP = 20_000;
const STEPS = 2000;
/** Simulation slack on an error rate of 5% over 2000 steps: two standard errors (2 * 0.49%). */
const SLACK = 0.01;

interface Outcome {
  verdict: SloVerdict;
  requests: number;
}

function simulate(p: number, seed: number): Outcome[] {
  const u = mulberry32(seed);
  return Array.from({ length: STEPS }, () => {
    const slo = createSloTest();
    let requests = 0;
    let exceeding = 0;
    while (requests < STEP) {
      requests += CHUNK;
      exceeding += binomial(u, CHUNK, p);
      const verdict = slo.update(requests, exceeding);
      if (verdict !== 'undecided') return { verdict, requests };
    }
    return { verdict: slo.final(requests, exceeding).verdict, requests };
  });
}

const fraction = (outcomes: Outcome[], keep: (o: Outcome) => boolean): number => outcomes.filter(keep).length / outcomes.length;

test('at the boundary (1% over the SLO for a p99) either claim is made in at most 5% of steps, all looks together', (t) => {
  const outcomes = simulate(0.01, 1);
  const meets = fraction(outcomes, (o) => o.verdict === 'meets');
  const misses = fraction(outcomes, (o) => o.verdict === 'misses');
  t.diagnostic(`p = 1%: ${STEPS} steps of up to ${STEP} requests, looked at every ${CHUNK}: meets ${meets}, misses ${misses}`);
  assert.ok(meets <= 0.05 + SLACK, `false 'meets' in ${meets} of steps`);
  assert.ok(misses <= 0.05 + SLACK, `false 'misses' in ${misses} of steps`);
});

test('judging every look as if it were the only one would not hold the boundary (why the looks spend alpha)', (t) => {
  // The same steps, each chunk judged by a fresh test's single look: the error the ladder prevents.
  const u = mulberry32(1);
  let falseMeets = 0;
  for (let s = 0; s < STEPS; s++) {
    let requests = 0;
    let exceeding = 0;
    while (requests < STEP) {
      requests += CHUNK;
      exceeding += binomial(u, CHUNK, 0.01);
      if (createSloTest().final(requests, exceeding).verdict === 'meets') {
        falseMeets++;
        break;
      }
    }
  }
  t.diagnostic(`p = 1%, a one-look test after every ${CHUNK} requests: meets ${falseMeets / STEPS}`);
  assert.ok(falseMeets / STEPS > 0.05 + SLACK, `repeated one-look tests claimed 'meets' in ${falseMeets / STEPS} of steps`);
});

test('well within the SLO (0.2% over) steps end meets early; well past it (3% over) they end misses', (t) => {
  const within = simulate(0.002, 2);
  const past = simulate(0.03, 3);
  const quantile = (outcomes: Outcome[], q: number): number => outcomes.map((o) => o.requests).sort((a, b) => a - b)[Math.floor(q * (outcomes.length - 1))]!;
  t.diagnostic(`p = 0.2%: meets in ${fraction(within, (o) => o.verdict === 'meets')} of steps, median at ${quantile(within, 0.5)} requests, 95% by ${quantile(within, 0.95)}`);
  t.diagnostic(`p = 3%: misses in ${fraction(past, (o) => o.verdict === 'misses')} of steps, median at ${quantile(past, 0.5)} requests, 95% by ${quantile(past, 0.95)}`);
  assert.ok(fraction(within, (o) => o.verdict === 'meets' && o.requests <= 3000) >= 0.95, 'at 0.2%, 95% of steps meet within 3000 requests');
  assert.ok(fraction(within, (o) => o.verdict === 'meets') === 1, 'at 0.2%, every step meets by its end');
  assert.ok(fraction(past, (o) => o.verdict === 'misses' && o.requests <= 1000) >= 0.95, 'at 3%, 95% of steps miss within 1000 requests');
  assert.ok(fraction(past, (o) => o.verdict === 'misses') === 1, 'at 3%, every step misses by its end');
});

test('a p99 claim takes 368 requests within the SLO; fewer are undecided and say how many are needed', () => {
  assert.equal(minRequestsToMeet(), 368);
  assert.equal(minRequestsToMeet(0.99, 0.95), 368);
  // 0.99^368 = 0.0248 <= 0.025 < 0.99^367.
  assert.ok(0.99 ** 368 <= 0.025 && 0.99 ** 367 > 0.025);
  const p999 = minRequestsToMeet(0.999);
  assert.ok(0.999 ** p999 <= 0.025 && 0.999 ** (p999 - 1) > 0.025, `p99.9: ${p999}`);
  assert.equal(createSloTest().update(368, 0), 'meets');
  const short = createSloTest();
  assert.equal(short.update(367, 0), 'undecided');
  const verdict = short.final(367, 0);
  assert.deepEqual([verdict.verdict, verdict.looks], ['undecided', 1]);
  assert.match(verdict.reason, /^0 of 367 requests over the SLO: too few requests to claim p99 within the SLO \(needs 368\)$/);
});

test('looks happen only at ladder checkpoints, and a verdict stands for the rest of the step', () => {
  const slo = createSloTest();
  // 8 of 400 over: no claim either way at the first look (alpha/2).
  assert.equal(slo.update(400, 8), 'undecided');
  // Between checkpoints nothing is tested, however clear the counts (the next is at 552).
  assert.equal(slo.update(500, 60), 'undecided');
  assert.equal(slo.update(600, 60), 'misses');
  assert.equal(slo.update(5000, 60), 'misses', 'the verdict stands');
  const final = slo.final(5000, 60);
  assert.deepEqual([final.verdict, final.looks], ['misses', 2]);
  assert.match(final.reason, /^60 of 5000 requests over the SLO: p99 above the SLO at 95% confidence$/);

  const good = createSloTest({ quantile: 0.9, confidence: 0.99 });
  assert.equal(good.final(2000, 100).verdict, 'meets');
});

test('counts that are not cumulative whole numbers, bad options and reuse after final are usage errors', () => {
  const usage = (pattern: RegExp) => (e: unknown) => e instanceof AutotuneError && e.kind === 'usage' && pattern.test(e.message);
  const slo = createSloTest();
  slo.update(100, 2);
  assert.throws(() => slo.update(90, 2), usage(/cumulative and cannot fall: got 2 of 90 after 2 of 100/));
  assert.throws(() => slo.update(200, 201), usage(/0 <= exceeding <= requests, got 201 of 200/));
  assert.throws(() => slo.update(200.5, 1), usage(/whole numbers/));
  slo.final(300, 3);
  assert.throws(() => slo.final(300, 3), usage(/already given its final verdict/));
  assert.throws(() => createSloTest({ quantile: 99 }), usage(/SLO quantile must be a fraction .* got 99/));
  assert.throws(() => createSloTest({ confidence: 1 }), usage(/confidence/));
});
