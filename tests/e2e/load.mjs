// The portal under load, on loopback (make bench, part "portal"; no
// browser): a config of 50 districts with an account each, `jianxi serve`
// started on a free port, then
//   1. 50 uploads at once, one distinct form file per district;
//   2. 50 uploads one after another (each district's corrected file): the
//      time to check and store one district's form with nothing queued;
//   3. 500 page views, 50 at a time: district homes, version pages and
//      the city's board.
// Latency is from the first byte sent to the last byte of the answer (an
// upload's answer is the server's 303 to the version page, sent once the
// file is checked and stored). The server's peak memory is VmHWM from
// /proc/PID/status. Every answer is checked (status code, and at the end
// `jianxi status` must show all 50 districts on time), and the whole run is
// bounded in time (--limit seconds, default 300): exit 1 when anything
// fails or it takes longer.
//
// usage: node tests/e2e/load.mjs JIANXI [--store URL] [--json FILE] [--limit S]
//   --store  the store (default: a dir store in a scratch folder); a
//            PostgreSQL connection string for a database made for the run
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  ROOT, addUser, currentPeriod, formCsv, jxOk, parseCsv, scratch, startServer, stopServer,
} from './lib.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const bin = path.resolve(argv[0] || '');
if (!argv[0] || !fs.existsSync(bin)) {
  console.error('usage: node tests/e2e/load.mjs JIANXI [--store URL] [--json FILE] [--limit S]');
  process.exit(2);
}
const N = 50, VIEWS = 500, VIEW_CONCURRENCY = 50;
const limitS = Number(opt('--limit', 300));
const jsonOut = opt('--json', null);
const P = currentPeriod();
const dir = scratch('load');
const cfg = path.join(dir, 'config');
const store = opt('--store', `dir:${path.join(dir, 'store')}`);
const t0 = Date.now();
const left = () => limitS * 1000 - (Date.now() - t0);
class LoadFail extends Error {}
let stopped = false; // a failure stops the other workers
function fail(msg) {
  stopped = true;
  throw new LoadFail(msg);
}

// ---- config: 50 districts ---------------------------------------------------
fs.mkdirSync(cfg);
fs.mkdirSync(path.join(dir, 'inbox'));
for (const f of ['settings.ini', 'calendar.csv']) fs.copyFileSync(path.join(ROOT, 'fixtures/config', f), path.join(cfg, f));
const districts = Array.from({ length: N }, (_, i) => ({
  code: String(379001 + i),
  name: `测试${String(i + 1).padStart(2, '0')}区`,
  user: `clerk${379001 + i}`,
  password: `load-test-pw-${379001 + i}`,
}));
fs.writeFileSync(path.join(cfg, 'districts.csv'),
  `code,name,aliases\n${districts.map((d) => `${d.code},${d.name},`).join('\n')}\n`);
fs.writeFileSync(path.join(cfg, 'targets.csv'), 'year,district_code,posts,people,bases\n');
const city = { user: 'city.load', password: 'load-test-city-pw' };

// ---- a tiny HTTP client with a cookie jar per user ---------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let base = '';
function request(method, url, { jar, body, type } = {}) {
  return new Promise((resolve, reject) => {
    const headers = {};
    if (jar && jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body) {
      headers['content-type'] = type;
      headers['content-length'] = body.length;
    }
    const start = process.hrtime.bigint();
    const req = http.request(base + url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        for (const c of [].concat(res.headers['set-cookie'] || [])) {
          const [kv] = c.split(';');
          const eq = kv.indexOf('=');
          if (jar && eq > 0) jar.set(kv.slice(0, eq).trim(), kv.slice(eq + 1).trim());
        }
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60000, () => req.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    if (body) req.write(body);
    req.end();
  });
}
const csrfOf = (html) => {
  const m = /name="csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf"/.exec(html);
  return m ? m[1] || m[2] : null;
};
async function login(u) {
  const jar = new Map();
  const page = await request('GET', '/login', { jar });
  const csrf = csrfOf(page.body);
  if (!csrf) fail(`GET /login: no csrf field in the login form`);
  const form = new URLSearchParams({ user: u.user, password: u.password, csrf }).toString();
  const r = await request('POST', '/login', { jar, body: Buffer.from(form), type: 'application/x-www-form-urlencoded' });
  if (r.status !== 303 || /\/login/.test(r.headers.location || '')) fail(`POST /login as ${u.user}: ${r.status} → ${r.headers.location}`);
  return jar;
}
function multipart(fields, file) {
  const b = `----jianxiload${crypto.randomBytes(8).toString('hex')}`;
  const parts = Object.entries(fields).map(([k, v]) =>
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
    'Content-Type: text/csv\r\n\r\n'), file.bytes, Buffer.from(`\r\n--${b}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${b}` };
}
async function upload(d, values) {
  const { body, type } = multipart({ csrf: d.csrf },
    { name: `form_${d.code}_${P}.csv`, bytes: Buffer.from(formCsv(d.name, P, values)) });
  const r = await request('POST', '/upload', { jar: d.jar, body, type });
  if (r.status !== 303 || !/\/version\?/.test(r.headers.location || '')) {
    fail(`POST /upload for ${d.code}: ${r.status} → ${r.headers.location || ''} ${r.body.slice(0, 200)}`);
  }
  d.version = new URLSearchParams(r.headers.location.split('?')[1]).get('v');
  return r.ms;
}
// distinct, clean values for district i (relations 1≥2, 3≥4, 5≥6≥7, 8≥9+11, 9≥10 hold)
const values = (i, round) => [60 + i, 3, 640 + i, 45, 60 + i, 48, 40, 30, 20, 12, 6, 2, 150 + i, 35 + i + round];

// ---- statistics -------------------------------------------------------------
function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const fmt = (x) => `${x.toFixed(1)} ms`;
function memOf(pid) {
  const t = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t) || [])[1]);
  return { hwmKiB: kb('VmHWM'), rssKiB: kb('VmRSS') };
}

// ---- run --------------------------------------------------------------------
let srv = null;
const result = { period: P, store: store.startsWith('dir:') ? 'dir' : 'postgresql', districts: N };
try {
  const tSetup = Date.now();
  for (const d of districts) addUser(bin, cfg, store, d.user, d.code, d.password);
  addUser(bin, cfg, store, city.user, 'city', city.password);
  srv = await startServer(bin, {
    cfg, store, inbox: path.join(dir, 'inbox'), audit: path.join(dir, 'audit.log'),
    logPath: path.join(dir, 'serve.log'),
  });
  base = srv.base;
  result.memIdle = memOf(srv.child.pid);
  // logins one after another (Argon2id takes 64 MiB each; not measured)
  for (const d of districts) {
    d.jar = await login(d);
    const home = await request('GET', `/district?period=${P}`, { jar: d.jar });
    if (home.status !== 200) fail(`GET /district as ${d.user}: ${home.status}`);
    d.csrf = csrfOf(home.body);
    if (!d.csrf) fail(`the home page of ${d.user} has no csrf field (upload form)`);
  }
  city.jar = await login(city);
  result.memAfterLogins = memOf(srv.child.pid);
  // the peak from here on, without the logins' Argon2id (64 MiB each):
  // writing 5 to clear_refs resets VmHWM to the current VmRSS (Linux >= 4.0)
  try {
    fs.writeFileSync(`/proc/${srv.child.pid}/clear_refs`, '5');
    result.hwmReset = true;
  } catch {
    result.hwmReset = false;
  }
  result.setupS = (Date.now() - tSetup) / 1000;

  // 1. 50 uploads at once
  let t = Date.now();
  const conc = await Promise.all(districts.map((d, i) => upload(d, values(i, 0))));
  result.uploadsConcurrent = { ...stats(conc), wallS: (Date.now() - t) / 1000 };
  if (left() < 0) fail(`over ${limitS} s after the concurrent uploads`);

  // 2. 50 uploads one after another
  t = Date.now();
  const seq = [];
  for (const [i, d] of districts.entries()) seq.push(await upload(d, values(i, 1)));
  result.uploadsSequential = { ...stats(seq), wallS: (Date.now() - t) / 1000 };
  if (left() < 0) fail(`over ${limitS} s after the sequential uploads`);

  // 3. 500 page views, 50 at a time
  const views = Array.from({ length: VIEWS }, (_, k) => {
    const d = districts[k % N];
    switch (k % 5) {
      case 0: case 1: return { kind: 'home', jar: d.jar, url: `/district?period=${P}` };
      case 2: case 3: return { kind: 'version', jar: d.jar, url: `/version?district=${d.code}&period=${P}&v=${d.version}` };
      default: return { kind: 'board', jar: city.jar, url: `/board?period=${P}` };
    }
  });
  t = Date.now();
  const viewMs = [], byKind = { home: [], version: [], board: [] };
  let next = 0;
  await Promise.all(Array.from({ length: VIEW_CONCURRENCY }, async () => {
    while (next < views.length && !stopped) {
      const v = views[next++];
      const r = await request('GET', v.url, { jar: v.jar });
      if (r.status !== 200) fail(`GET ${v.url}: ${r.status}`);
      viewMs.push(r.ms);
      byKind[v.kind].push(r.ms);
    }
  }));
  result.pageViews = { ...stats(viewMs), wallS: (Date.now() - t) / 1000, concurrency: VIEW_CONCURRENCY,
    home: stats(byKind.home), version: stats(byKind.version), board: stats(byKind.board) };
  // one page of each kind with nothing else running
  result.pageAlone = {};
  for (const v of [views[0], views[2], views[4]]) {
    const ms = [];
    for (let k = 0; k < 10; k++) {
      const r = await request('GET', v.url, { jar: v.jar });
      if (r.status !== 200) fail(`GET ${v.url}: ${r.status}`);
      ms.push(r.ms);
    }
    result.pageAlone[v.kind] = stats(ms);
  }
  result.memEnd = memOf(srv.child.pid);
  if (left() < 0) fail(`over ${limitS} s after the page views`);

  // everything stored as a night would store it
  const st = parseCsv(jxOk(bin, ['status', '--config', cfg, '--store', store, '--period', P]).stdout);
  const notOk = st.filter((r) => r.status !== 'on_time');
  if (st.length !== N || notOk.length) fail(`jianxi status after the load: ${notOk.length} of ${st.length} districts not on_time: ${JSON.stringify(notOk.slice(0, 3))}`);
  result.totalS = (Date.now() - t0) / 1000;
} catch (e) {
  process.exitCode = 1;
  console.error(`load: ${e instanceof LoadFail ? e.message : e.stack || e}`);
} finally {
  if (srv) {
    const r = await stopServer(srv);
    if (!r || r.code !== 0) {
      console.error(`load: jianxi serve ended ${JSON.stringify(r)} on SIGTERM`);
      process.exitCode = 1;
    }
    if (process.exitCode) {
      const log = fs.readFileSync(path.join(dir, 'serve.log'), 'utf8').trim().split('\n').slice(-15);
      console.error(`load: the server's last words:\n${log.join('\n')}`);
    }
  }
  agent.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

const u = result.uploadsConcurrent, s = result.uploadsSequential, v = result.pageViews;
const mib = (m) => (m ? `${(m.hwmKiB / 1024).toFixed(1)} MiB` : '–');
console.log(`portal load (${result.store} store, ${N} districts, period ${P})${process.exitCode ? ', FAILED' : ''}:`);
if (u) console.log(`  ${N} uploads at once:        p50 ${fmt(u.p50)}, p99 ${fmt(u.p99)}, max ${fmt(u.max)} (all done in ${u.wallS.toFixed(2)} s)`);
if (s) console.log(`  ${N} uploads one at a time:  p50 ${fmt(s.p50)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)}`);
if (v) {
  console.log(`  ${VIEWS} page views, ${VIEW_CONCURRENCY} at a time: p50 ${fmt(v.p50)}, p99 ${fmt(v.p99)}, max ${fmt(v.max)} (${v.wallS.toFixed(2)} s)`);
  for (const k of ['home', 'version', 'board']) {
    const a = result.pageAlone && result.pageAlone[k];
    console.log(`    ${k.padEnd(7)} (${v[k].n}): p50 ${fmt(v[k].p50)}, p99 ${fmt(v[k].p99)}${a ? `; alone, 10 in a row: p50 ${fmt(a.p50)}` : ''}`);
  }
}
if (result.memIdle) {
  console.log(`  server peak memory (VmHWM): ${mib(result.memIdle)} idle, ${mib(result.memAfterLogins)} after ${N + 1} logins; ` +
    `${mib(result.memEnd)} ${result.hwmReset ? 'during the uploads and page views (peak reset after the logins)' : 'at the end'}` +
    `${result.memEnd ? `, VmRSS ${(result.memEnd.rssKiB / 1024).toFixed(1)} MiB at the end` : ''}`);
}
if (u && s) {
  console.log(`  goal, one district's form checked and stored in < 200 ms at p99: ${s.p99 < 200 ? 'met' : 'NOT met'} one at a time, ` +
    `${u.p99 < 200 ? 'met' : 'NOT met'} with 50 at once`);
}
if (jsonOut) fs.writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);
