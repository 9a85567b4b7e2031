// What the portal's browser test (portal.mjs) and its load test (load.mjs)
// share: a scratch folder with a config and a store, the jianxi program run
// as a user would run it, accounts made with `jianxi user add`, and
// `jianxi serve` started on a free loopback port and stopped again.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The python with openpyxl that make deps installs (not a pyenv one first
// on PATH), as the C tests use.
export const PYTHON = '/usr/bin/python3';

// A fresh folder under the system's temporary folder.
export function scratch(tag) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `jianxi-${tag}-`));
}

// Runs jianxi with args; input (a string) goes to its standard input.
// Returns { status, stdout, stderr }; never throws on a non-zero exit.
export function jx(bin, args, input) {
  const r = spawnSync(bin, args, {
    input: input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 120000,
  });
  if (r.error) throw new Error(`${bin} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

// Runs jianxi and throws (with what it said) unless it exits with one of ok.
export function jxOk(bin, args, input, ok = [0]) {
  const r = jx(bin, args, input);
  if (!ok.includes(r.status)) {
    throw new Error(`jianxi ${args.join(' ')} exited ${r.status}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r;
}

// Adds a portal account: role is a district code or 'city'.
export function addUser(bin, cfg, store, name, role, password) {
  const who = role === 'city' ? ['--city'] : ['--district', role];
  jxOk(bin, ['user', 'add', name, ...who, '--config', cfg, '--store', store], `${password}\n`);
}

// The month it is now in the city's time zone (Asia/Shanghai for the
// bundled config) as YYYY-MM: a form for it sent now is on time and not
// "future" (S4).
export function currentPeriod(timeZone = 'Asia/Shanghai') {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' })
    .formatToParts(new Date());
  const get = (t) => parts.find((p) => p.type === t).value;
  return `${get('year')}-${get('month')}`;
}

// A loopback port nobody listens on right now.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Parses a CSV text (RFC 4180, as jianxi writes it) into objects keyed by
// the header row.
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [head, ...body] = rows;
  return body.filter((r) => r.length > 1 || r[0] !== '')
    .map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

// GET url with node's http; resolves { status, headers, body } (body a
// Buffer). Used to wait for the server and for the load test.
export function httpGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error(`GET ${url}: no answer in 30 s`)));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts `jianxi serve` on 127.0.0.1 with a free port; resolves when GET
// /login answers 200. Its standard error goes to logPath. Throws with the
// server's own words when it exits or does not answer within waitMs.
export async function startServer(bin, { cfg, store, inbox, audit, logPath, waitMs = 30000 }) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const log = fs.openSync(logPath, 'a');
    const args = ['serve', '--listen', `127.0.0.1:${port}`, '--config', cfg, '--store', store,
      '--inbox', inbox, '--audit', audit];
    const child = spawn(bin, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    let exited = null;
    child.on('exit', (code, signal) => { exited = { code, signal }; });
    const base = `http://127.0.0.1:${port}`;
    const until = Date.now() + waitMs;
    while (Date.now() < until && !exited) {
      try {
        const r = await httpGet(`${base}/login`);
        if (r.status === 200) return { child, port, base, args };
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    const said = fs.readFileSync(logPath, 'utf8').trim().split('\n').slice(-15).join('\n');
    if (exited && /in use/i.test(said) && attempt < 3) continue; // the port was taken meanwhile
    if (!exited) child.kill('SIGKILL');
    throw new Error(`jianxi ${args.join(' ')} ${exited
      ? `exited (code ${exited.code}, signal ${exited.signal})` : `did not answer GET /login with 200 within ${waitMs / 1000} s`}` +
      `; it said:\n${said || '(nothing)'}`);
  }
}

// Stops the server with SIGTERM; resolves { code, signal } (or null after
// SIGKILL when it did not stop within waitMs).
export function stopServer(srv, waitMs = 15000) {
  return new Promise((resolve) => {
    const c = srv.child;
    if (c.exitCode !== null || c.signalCode !== null) {
      resolve({ code: c.exitCode, signal: c.signalCode });
      return;
    }
    const t = setTimeout(() => { c.kill('SIGKILL'); resolve(null); }, waitMs);
    c.on('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal }); });
    c.kill('SIGTERM');
  });
}

// A form-layout CSV of one district's month, as a clerk saves the official
// form from office software (the layout of fixtures/csv/form_370102_2023-09.csv).
export function formCsv(districtName, period, values) {
  const [y, m] = period.split('-').map(Number);
  const blank = ',,,,,,,,,,,,,,';
  return [
    `就业见习岗位募集计划工作情况汇总表${blank}`,
    `统计期：${y}年${m}月,,,,,,,,,,,,,,单位：个、人、万元`,
    '项目,本期末实有见习基地总数,本期新增见习基地数量,本期末实有见习岗位总数,本期新增见习岗位数量,本期计划组织见习人数,本期实际到岗人数,,本期完成见习人数,,,,本期非正常结束见习人数,本期末实有在岗见习人数,本年累计各级财政实际拨付的见习补贴资金数',
    ',,,,,,,其中：离校2年内未就业高校毕业生人数,,被见习基地留用人数,其中：离校2年内未就业高校毕业生人数,其他方式就业人数,,,',
    ',1,2,3,4,5,6,7,8,9,10,11,12,13,14',
    `${districtName},${values.join(',')}`,
    blank,
    `填报单位：${districtName}${blank}`,
    '',
  ].join('\n');
}
