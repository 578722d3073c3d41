// node --test tests/fake-taxjar/ — the random and after-commit failures.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConformanceDir, startFake } from './server.mjs';

const create = JSON.parse(readFileSync(
  join(defaultConformanceDir(), 'taxjar-docs', 'transactions', 'create-an-order-transaction.json'),
  'utf8',
)).request;

let fake;
before(async () => { fake = await startFake(); });
after(() => fake.close());
beforeEach(() => fake.reset());

const headers = { authorization: 'Bearer test-token', 'content-type': 'application/json' };
const postOrder = () => fetch(`${fake.url}/v2/transactions/orders`, {
  method: 'POST', headers, body: JSON.stringify(create),
});
const categories = async () => (await fetch(`${fake.url}/v2/categories`, { headers })).status;

describe('after-commit and reset failures', () => {
  test('afterCommit: the order is stored, the answer is the failure', async () => {
    fake.setFailure({ status: 502, afterCommit: true, times: 1 });
    const res = await postOrder();
    assert.equal(res.status, 502);
    assert.deepEqual([...fake.state.orders.keys()], ['123']);
    const [entry] = fake.requests;
    assert.deepEqual([entry.status, entry.servedStatus, entry.injected], [502, 201, true]);
    assert.equal('lost' in entry, false);
    // The retry meets the duplicate.
    assert.equal((await postOrder()).status, 422);
  });

  test('afterCommit with reset: stored, the connection closes unanswered', async () => {
    fake.setFailure({ reset: true, afterCommit: true, times: 1 });
    await assert.rejects(postOrder());
    assert.deepEqual([...fake.state.orders.keys()], ['123']);
    assert.equal(fake.requests[0].servedStatus, 201);
  });

  test('a caller that gave up: the late write lands, servedStatus says so', async () => {
    fake.setFailure({ delayMs: 150, times: 1 });
    const signal = AbortSignal.timeout(30);
    await assert.rejects(fetch(`${fake.url}/v2/transactions/orders`, {
      method: 'POST', headers, body: JSON.stringify(create), signal,
    }));
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual([...fake.state.orders.keys()], ['123']);
    assert.deepEqual([fake.requests[0].status, fake.requests[0].servedStatus], [null, 201]);
  });

  test('reset alone: nothing stored, no answer', async () => {
    fake.setFailure({ reset: true, times: 1 });
    await assert.rejects(postOrder());
    assert.equal(fake.state.orders.size, 0);
    assert.equal(fake.requests[0].status, null);
  });
});

describe('seeded random failures', () => {
  async function run(spec, n) {
    fake.reset();
    fake.setFailure(spec);
    const statuses = [];
    for (let i = 0; i < n; i += 1) statuses.push(await categories());
    return statuses;
  }

  test('rate fails about that share, the same ones for the same seed', async () => {
    const a = await run({ rate: 0.3, seed: 42, status: 503 }, 200);
    const b = await run({ rate: 0.3, seed: 42, status: 503 }, 200);
    const c = await run({ rate: 0.3, seed: 43, status: 503 }, 200);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const failed = a.filter((s) => s === 503).length;
    assert.equal(failed + a.filter((s) => s === 200).length, 200);
    assert.ok(failed >= 40 && failed <= 80, `${failed} of 200 failed`);
  });

  test('choices: each failure is one of them, labelled in the record', async () => {
    const choices = [{ label: 'a', status: 500 }, { label: 'b', status: 429, retryAfter: 3 }];
    const statuses = await run({ rate: 1, seed: 7, choices }, 40);
    assert.ok(statuses.includes(500) && statuses.includes(429));
    assert.ok(statuses.every((s) => s === 500 || s === 429));
    const labels = fake.requests.map((r) => r.failure);
    assert.deepEqual(labels, statuses.map((s) => (s === 500 ? 'a' : 'b')));
  });

  test('bad random fields are refused, naming the field', () => {
    assert.throws(() => fake.setFailure({ rate: 0 }), /rate must be a number in \(0, 1\]/);
    assert.throws(() => fake.setFailure({ rate: 0.5, seed: 1.5 }), /seed must be an integer/);
    assert.throws(() => fake.setFailure({ choices: [] }), /choices must be a non-empty array/);
    assert.throws(() => fake.setFailure({ choices: [{ everyNth: 2 }] }), /choices\[0\]\.everyNth is not a choice field/);
  });
});
