// tuyapi's side of bench/engine_fleet: read the status of every device of LIST
// at once (Promise.all over connect + get + disconnect), as a tuyapi user would.
// usage: node bench/tuyapi_fleet.js LIST  -> "ok failed wall_ms cpu_ms peak_rss_kib"
// A device whose promises neither resolve nor reject within TIMEOUT_MS (10 s) counts as
// failed (tuyapi 7.7.1 left one of 1,000 pending for over a minute); wall_ms and cpu_ms run to
// the last read that succeeded, so such a wait does not count against tuyapi.
// LIST: one HOST:PORT:ID:KEY:VERSION per line (the simulators' keys).
'use strict';
const fs = require('fs');
const TuyAPI = require('tuyapi');
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const specs = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);

const TIMEOUT_MS = 10000;
let lastOk = null; // [wall ms, cpu ms] at the last successful read

async function readOne(spec) {
  const [ip, port, id, key, version] = spec.split(':');
  const d = new TuyAPI({id, key, ip, port: Number(port), version,
    issueGetOnConnect: false, issueRefreshOnConnect: false});
  d.on('error', () => {}); // the awaited calls report failures
  try {
    await d.connect();
    const s = await d.get({schema: true});
    if (!(s && typeof s === 'object' && s.dps)) return 0;
    const c = process.cpuUsage(cpu0);
    lastOk = [Number(process.hrtime.bigint() - t0) / 1e6, (c.user + c.system) / 1000];
    return 1;
  } finally {
    d.disconnect();
  }
}

const bounded = spec => Promise.race([readOne(spec),
  new Promise(resolve => setTimeout(resolve, TIMEOUT_MS, 0))]);

Promise.allSettled(specs.map(bounded)).then(rs => {
  const ok = rs.filter(r => r.status === 'fulfilled' && r.value === 1).length;
  const [wall, cpu] = lastOk || [NaN, NaN];
  console.log(`${ok} ${specs.length - ok} ${wall.toFixed(1)} ${cpu.toFixed(1)} ` +
              `${process.resourceUsage().maxRSS}`);
  process.exit(0);
});
