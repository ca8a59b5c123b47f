// tuyapi's side of bench/engine_fleet: read the status of every device of LIST
// at once (Promise.all over connect + get + disconnect), as a tuyapi user would.
// usage: node bench/tuyapi_fleet.js LIST  -> "ok failed wall_ms cpu_ms peak_rss_kib"
// LIST: one HOST:PORT:ID:KEY:VERSION per line (the simulators' keys).
'use strict';
const fs = require('fs');
const TuyAPI = require('tuyapi');
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const specs = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);

async function readOne(spec) {
  const [ip, port, id, key, version] = spec.split(':');
  const d = new TuyAPI({id, key, ip, port: Number(port), version,
    issueGetOnConnect: false, issueRefreshOnConnect: false});
  d.on('error', () => {}); // the awaited calls report failures
  try {
    await d.connect();
    const s = await d.get({schema: true});
    return s && typeof s === 'object' && s.dps ? 1 : 0;
  } finally {
    d.disconnect();
  }
}

Promise.allSettled(specs.map(readOne)).then(rs => {
  const ok = rs.filter(r => r.status === 'fulfilled' && r.value === 1).length;
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(cpu0);
  console.log(`${ok} ${specs.length - ok} ${wall.toFixed(1)} ${((c.user + c.system) / 1000).toFixed(1)} ` +
              `${process.resourceUsage().maxRSS}`);
  process.exit(0);
});
