// tuyapi's side of bench/latency: N status round trips on one connection.
// usage: node bench/tuyapi_latency.js PORT VERSION N   -> "median_us p99_us"
// With N = 1 it is the one-shot case: connect, one get, exit.
'use strict';
const TuyAPI = require('tuyapi');
const [port, version, n] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
(async () => {
  const d = new TuyAPI({id: 'bf0123456789abcdefgh', key: '0123456789abcdef', ip: '127.0.0.1',
    port, version, issueGetOnConnect: false, issueRefreshOnConnect: false});
  d.on('error', () => {});
  await d.connect();
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await d.get({schema: true});
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  d.disconnect();
  times.sort((a, b) => a - b);
  console.log(Math.round(times[Math.floor(n / 2)]) + ' ' + Math.round(times[Math.floor(n * 99 / 100)]));
  process.exit(0);
})().catch(e => { console.error(e.message); process.exit(1); });
