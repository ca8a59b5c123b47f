// Interop with an independent implementation: tuyapi (npm) as the client,
// `ltuya sim` as the device, for every protocol version. Proves the simulator
// speaks the protocol as another implementation understands it.
// Run: node --test tests/interop/   (LTUYA_BIN points at the ltuya binary)
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const {spawn} = require('node:child_process');
const path = require('node:path');
const TuyAPI = require('tuyapi');

const BIN = process.env.LTUYA_BIN || path.join(__dirname, '../../build/ltuya');
const ID = 'bf0123456789abcdefgh';
const KEY = '0123456789abcdef';

// Start a simulated device; resolves once it prints READY.
function startSim(version, port) {
  return new Promise((resolve, reject) => {
    const sim = spawn(BIN, ['sim', '--id', ID, '--key', KEY, '--version', version,
      '--port', String(port)], {stdio: ['pipe', 'pipe', 'inherit']});
    let out = '';
    const lines = [];
    sim.stdout.on('data', chunk => {
      out += chunk.toString();
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line === 'READY') resolve(sim);
        else lines.push(line);
      }
    });
    sim.on('error', reject);
    sim.on('exit', code => reject(new Error('sim exited ' + code)));
    // control: send one JSON command, get the next answer line
    sim.control = cmd => new Promise(res => {
      const before = lines.length;
      sim.stdin.write(JSON.stringify(cmd) + '\n');
      const poll = setInterval(() => {
        if (lines.length > before) {
          clearInterval(poll);
          res(JSON.parse(lines[before]));
        }
      }, 10);
    });
  });
}

const withTimeout = (p, ms, what) => Promise.race([p,
  new Promise((_, rej) => setTimeout(() => rej(new Error(what + ' timed out')), ms))]);

for (const [i, version] of ['3.1', '3.2', '3.3', '3.4', '3.5'].entries()) {
  test(`tuyapi talks to ltuya sim, protocol ${version}`, async () => {
    const port = 23000 + (process.pid % 1000) * 5 + i;
    const sim = await startSim(version, port);
    const device = new TuyAPI({id: ID, key: KEY, ip: '127.0.0.1', port, version,
      issueGetOnConnect: false, issueRefreshOnConnect: false});
    device.on('error', () => {});
    try {
      await withTimeout(device.connect(), 5000, 'connect');

      // get: the whole state, as the device reports it
      // (tuyapi reads 3.2 devices one DP at a time, with a null-valued write)
      const status = version === '3.2'
        ? {dps: {
            1: await withTimeout(device.get({dps: 1}), 5000, 'get 1'),
            18: await withTimeout(device.get({dps: 18}), 5000, 'get 18'),
            20: await withTimeout(device.get({dps: 20}), 5000, 'get 20')}}
        : await withTimeout(device.get({schema: true}), 5000, 'get');
      assert.strictEqual(status.dps['1'], true);
      assert.ok(status.dps['20'] > 2000, 'voltage around 230 V x10');
      assert.ok(status.dps['18'] > 0, 'current drawn while on');

      // set: the device's own state changes
      await withTimeout(device.set({dps: 1, set: false}), 5000, 'set');
      const state = await sim.control({cmd: 'get'});
      assert.strictEqual(state.dps['1'], false);

      // refresh: the energy DPs come back re-measured (0 with the relay off)
      const refreshed = new Promise(res => device.on('dp-refresh', d => res(d)));
      device.refresh({dps: [18, 19, 20]}).catch(() => {});
      const r = await withTimeout(refreshed, 5000, 'refresh');
      assert.strictEqual(r.dps['19'], 0);

      // push: a button pressed on the device reaches the client unasked
      const pushed = new Promise(res => device.on('data', d => {
        if (d && d.dps && d.dps['1'] === true) res(d);
      }));
      await sim.control({cmd: 'set', dps: {1: true}});
      const p = await withTimeout(pushed, 5000, 'push');
      assert.strictEqual(p.dps['1'], true);
    } finally {
      device.disconnect();
      sim.stdin.end(JSON.stringify({cmd: 'quit'}) + '\n');
      await new Promise(res => sim.once('exit', res));
    }
  });
}
