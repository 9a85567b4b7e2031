// The portal end to end, in a real browser: Debian's chromium, headless,
// driven by puppeteer-core, against `jianxi serve` on a loopback port with a
// scratch config and store. A district clerk logs in, downloads the blank
// form, uploads it filled with an R1 error and sees the finding at its cell,
// uploads the correction and sees it accepted and in force, is refused
// (403) on another district's pages, fills the form online and sees the
// browser's message for a broken relation before sending (the server
// decides again), logs out; the city statistician logs in and sees the
// district's row on the board. The command line (jianxi check / status /
// summary on the same store) is the oracle for what the pages must show.
//
// Each step is one test: "ok - e2e::portal::STEP" or "not ok - ...: why";
// a step whose prerequisite failed is not run and counts as failed too. Exit 0
// when all passed, 1 when one failed, 77 (with a "# SKIP why" line) when the
// browser or puppeteer-core is not installed. scripts/run_tests.sh runs it
// in make check with the sanitizer build: node tests/e2e/portal.mjs JIANXI.
// Screenshots of every step: build/e2e/NN-step.png, with the page's text
// beside each (NN-step.txt: what it says, whatever fonts the machine has).
// JIANXI_E2E_KEEP=1 keeps the scratch folder (the store, the server's log).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  PYTHON, ROOT, addUser, currentPeriod, formCsv, httpGet, jxOk, parseCsv, scratch, startServer, stopServer,
} from './lib.mjs';

const CHROMIUM = process.env.JIANXI_CHROMIUM || '/usr/bin/chromium';
const bin = path.resolve(process.argv[2] || process.env.JIANXI_BIN || path.join(ROOT, 'build/check/jianxi'));
const shots = path.join(ROOT, 'build/e2e');

function skip(why) {
  console.log(`# SKIP ${why}`);
  process.exit(77);
}
if (!fs.existsSync(CHROMIUM)) skip(`chromium is not installed (no ${CHROMIUM}): make deps installs it`);
let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch {
  skip('puppeteer-core is not installed in tests/e2e/node_modules: make deps installs it (npm ci)');
}
if (!fs.existsSync(bin)) {
  console.log(`not ok - e2e::portal::setup: no jianxi program at ${bin} (make build/check/jianxi)`);
  process.exit(1);
}

// ---- the steps -------------------------------------------------------------
const steps = [];
// step(name, [the steps it needs], fn)
const step = (name, needs, fn) => steps.push({ name, needs, fn });
class Fail extends Error {}
function check(cond, msg) {
  if (!cond) throw new Fail(msg);
}

const P = currentPeriod(); // on time, not future
const DISTRICT = '370102', DISTRICT_NAME = '历下区';
const OTHER = '370103', OTHER_NAME = '市中区';
const MISSING = '370104';
const USERS = {
  district: { name: 'lixia.clerk', password: 'lixia-Pw-2026-e2e' },
  other: { name: 'shizhong.clerk', password: 'shizhong-Pw-2026-e2e' },
  city: { name: 'jinan.city', password: 'jinan-City-Pw-2026' },
};
const GOOD = [52, 3, 640, 45, 60, 48, 40, 30, 20, 12, 6, 2, 150, 35.5];
const BAD_R1 = [2, 3, ...GOOD.slice(2)]; // indicator 1 = 2 < indicator 2 = 3
const FILLED = [53, 4, 641, 46, 61, 49, 41, 31, 21, 13, 7, 3, 151, 36.25]; // typed online

const dir = scratch('e2e');
const cfg = path.join(dir, 'config');
const store = `dir:${path.join(dir, 'store')}`;
const inbox = path.join(dir, 'inbox');
const downloads = path.join(dir, 'downloads');
const serveLog = path.join(dir, 'serve.log');
const auditLog = path.join(dir, 'audit.log');
let srv = null, browser = null, page = null, base = '';
const st = { pageErrors: [] }; // what one step leaves for the next

let shotNo = 0;
async function shot(name) {
  shotNo++;
  const file = path.join(shots, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  // a wide table scrolled to the field last typed in is shown from its start
  await page.evaluate(() => document.querySelectorAll('.table-wrap').forEach((e) => { e.scrollLeft = 0; }));
  await page.screenshot({ path: file, fullPage: true });
  fs.writeFileSync(file.replace(/\.png$/, '.txt'), `${page.url()}\n\n${await bodyText()}\n`);
  return file;
}
const where = () => { const u = new URL(page.url()); return u.pathname + u.search; };
const attr = (sel, a) => page.$eval(sel, (e, a) => e.getAttribute(a), a).catch(() => null);
const text = (sel) => page.$eval(sel, (e) => e.textContent.replace(/\s+/g, ' ').trim()).catch(() => null);
const bodyText = () => page.evaluate(() => document.body ? document.body.innerText : '');
// status of a GET made by the page itself (its cookies, its origin)
const fetchStatus = (url) => page.evaluate(async (u) => {
  const r = await fetch(u, { redirect: 'manual', credentials: 'same-origin' });
  return r.type === 'opaqueredirect' ? 'redirect' : r.status;
}, url);

async function goto(url, what) {
  const resp = await page.goto(base + url, { waitUntil: 'load' });
  check(resp, `GET ${url} (${what}): no response`);
  return resp;
}

// Clicks the submit control of the form whose action is `action` and waits
// for the page it leads to.
async function submitForm(action) {
  const sel = `form[action="${action}"] [type="submit"], form[action="${action}"] button:not([type])`;
  const btn = await page.$(sel);
  check(btn, `no submit button in form[action="${action}"] on ${where()}`);
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), btn.click()]);
  return resp;
}

async function login(user) {
  await goto('/', 'the front door');
  check(new URL(page.url()).pathname === '/login', `GET / not logged in should end at /login, ended at ${where()}`);
  check(await page.$('form[action="/login"] input[name="csrf"]'), 'the login form has no csrf field');
  await page.type('form[action="/login"] input[name="user"]', user.name);
  await page.type('form[action="/login"] input[name="password"]', user.password);
  const resp = await submitForm('/login');
  check(resp && resp.status() === 200, `logging in as ${user.name} answered ${resp && resp.status()} at ${where()}`);
  check(new URL(page.url()).pathname !== '/login', `logging in as ${user.name} came back to the login page: ${(await bodyText()).slice(0, 200)}`);
}

// Fills the downloaded blank form the way office software does
// (scripts/fill_template.py, openpyxl), with values for indicators 1-14.
function fillTemplate(blank, out, values) {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts/fill_template.py'), blank, out, ...values.map(String),
    '--footer', '张明', '2026年11月26日', '0531-12345678'], { encoding: 'utf8' });
  check(r.status === 0, `fill_template.py failed: ${r.stderr || r.error}`);
}

// The findings jianxi check gives for a file (the oracle).
function cliFindings(file) {
  const r = jxOk(bin, ['check', '--config', cfg, file], '', [0, 1]);
  return parseCsv(r.stdout);
}

async function uploadFile(file) {
  await goto(`/district?period=${P}`, 'home');
  const input = await page.$('form[action="/upload"] input[type="file"][name="file"]');
  check(input, `no <form action="/upload"> with <input type="file" name="file"> on the home page ${where()}`);
  check(await page.$('form[action="/upload"] input[name="csrf"]'), 'the upload form has no csrf field');
  await input.uploadFile(file);
  const t0 = Date.now();
  const resp = await submitForm('/upload');
  const ms = Date.now() - t0;
  check(resp && resp.status() === 200, `uploading ${path.basename(file)} answered ${resp && resp.status()} at ${where()}`);
  check(new URL(page.url()).pathname === '/version', `after the upload the page should be /version?..., it is ${where()}`);
  return ms;
}

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
// bytes of a GET made with the page's cookies
const fetchBytes = (url) => page.evaluate(async (u) => {
  const r = await fetch(u, { credentials: 'same-origin' });
  const b = new Uint8Array(await r.arrayBuffer());
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
  return { status: r.status, type: r.headers.get('content-type'), b64: btoa(s) };
}, url).then((r) => ({ ...r, body: Buffer.from(r.b64, 'base64') }));

step('setup', [], async () => {
  fs.mkdirSync(shots, { recursive: true });
  for (const f of fs.readdirSync(shots)) if (/\.(png|txt)$/.test(f)) fs.rmSync(path.join(shots, f));
  fs.mkdirSync(cfg);
  for (const f of fs.readdirSync(path.join(ROOT, 'fixtures/config'))) fs.copyFileSync(path.join(ROOT, 'fixtures/config', f), path.join(cfg, f));
  fs.mkdirSync(inbox);
  fs.mkdirSync(downloads);
  addUser(bin, cfg, store, USERS.district.name, DISTRICT, USERS.district.password);
  addUser(bin, cfg, store, USERS.other.name, OTHER, USERS.other.password);
  addUser(bin, cfg, store, USERS.city.name, 'city', USERS.city.password);
  // another district's accepted form, loaded as a night would: its pages
  // exist, and the clerk of 370102 must still be refused them
  const other = path.join(dir, `form_${OTHER}_${P}.csv`);
  fs.writeFileSync(other, formCsv(OTHER_NAME, P, GOOD));
  jxOk(bin, ['load', '--config', cfg, '--store', store, other]);
  // the server's wording for 1=2, 2=3 (the online form must say the same)
  const r1csv = path.join(dir, `r1_${DISTRICT}_${P}.csv`);
  fs.writeFileSync(r1csv, formCsv(DISTRICT_NAME, P, BAD_R1));
  const r1 = cliFindings(r1csv).filter((f) => f.rule === 'R1');
  check(r1.length === 1, `jianxi check should find one R1 in ${r1csv}: ${JSON.stringify(r1)}`);
  st.r1Message = r1[0].message;
});

step('serve_starts', ['setup'], async () => {
  srv = await startServer(bin, { cfg, store, inbox, audit: auditLog, logPath: serveLog, waitMs: 60000 });
  base = srv.base;
  // root: each engineer runs make check as root on the test machines, and
  // chromium's sandbox (user namespaces / setuid helper) refuses to start
  // as root; as any other user the sandbox stays on.
  const args = ['--window-size=1280,900'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args });
  page = await browser.newPage();
  // what goes wrong inside the pages: script errors and CSP refusals
  page.on('pageerror', (e) => st.pageErrors.push(`${where()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) st.pageErrors.push(`${where()}: ${m.text()}`);
  });
  await page.setViewport({ width: 1280, height: 900 });
  page.setDefaultTimeout(30000);
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
});

step('static_files', ['serve_starts'], async () => {
  for (const [url, type] of [['/static/style.css', 'text/css'], ['/static/form.js', 'javascript']]) {
    const r = await httpGet(base + url);
    check(r.status === 200 && (r.headers['content-type'] || '').includes(type),
      `GET ${url} answered ${r.status} ${r.headers['content-type']}, not 200 ${type}`);
  }
  await goto('/login', 'login page');
  const applied = await page.evaluate(() => [...document.styleSheets]
    .some((x) => x.href && x.href.endsWith('/static/style.css') && x.cssRules.length > 0));
  check(applied, 'the login page does not apply /static/style.css (no <link rel="stylesheet" href="/static/style.css"> or an empty sheet)');
});

step('login_district', ['serve_starts'], async () => {
  const resp = await goto('/login', 'login page');
  const h = resp.headers();
  check(/script-src 'self'/.test(h['content-security-policy'] || ''),
    `the login page has no Content-Security-Policy with script-src 'self' (got ${h['content-security-policy']})`);
  check(h['x-content-type-options'] === 'nosniff', 'the login page lacks X-Content-Type-Options: nosniff');
  await shot('login');
  await login(USERS.district);
  check(new URL(page.url()).pathname === '/district', `a district clerk should land on /district, landed on ${where()}`);
  await goto(`/district?period=${P}`, 'home');
  const t = await bodyText();
  check(t.includes(DISTRICT_NAME), `the home page does not name the clerk's district ${DISTRICT_NAME}`);
  check(t.includes(P) || t.includes(`${Number(P.slice(0, 4))}年${Number(P.slice(5))}月`), `the home page does not show the period ${P}`);
  await shot('district-home');
});

step('template_download', ['login_district'], async () => {
  await goto(`/district?period=${P}`, 'home');
  const link = await page.$(`a[href^="/template"]`);
  check(link, 'no link to /template on the home page');
  await link.click();
  let file = null;
  for (let i = 0; i < 300 && !file; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const done = fs.readdirSync(downloads).filter((f) => !f.endsWith('.crdownload'));
    if (done.length) file = path.join(downloads, done[0]);
  }
  check(file, 'clicking the template link downloaded nothing within 30 s');
  const bytes = fs.readFileSync(file);
  check(bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')),
    `the downloaded ${path.basename(file)} is not a zip (XLSX): it starts ${JSON.stringify(bytes.subarray(0, 16).toString('latin1'))}`);
  const z = spawnSync('unzip', ['-l', file], { encoding: 'utf8' });
  check(z.status === 0 && z.stdout.includes('xl/workbook.xml'), `the download ${path.basename(file)} has no xl/workbook.xml: ${z.stdout}${z.stderr}`);
  st.blank = file;
  await shot('template-downloaded');
});

step('upload_r1_finding_at_cell', ['template_download'], async () => {
  const file = path.join(dir, `r1_${DISTRICT}_${P}.xlsx`);
  fillTemplate(st.blank, file, BAD_R1);
  const r1 = cliFindings(file).filter((f) => f.rule === 'R1');
  check(r1.length === 1 && r1[0].district_code === DISTRICT && r1[0].period === P,
    `jianxi check should find one R1 in the template filled with 1=2, 2=3 for ${DISTRICT} ${P} (is the template pre-filled?): ${JSON.stringify(r1)}`);
  const cell = r1[0].cell;
  check(r1[0].message === st.r1Message, `jianxi check words R1 differently in XLSX and CSV: ${r1[0].message} / ${st.r1Message}`);
  st.uploadMs = [await uploadFile(file)];
  st.r1Version = new URL(page.url()).searchParams.get('v');
  const verdict = await attr('#verdict', 'data-status');
  check(verdict === 'rejected', `#verdict data-status should be "rejected" for the R1 file, is ${verdict}`);
  const li = await page.$(`li.finding[data-rule="R1"][data-cell="${cell}"]`);
  check(li, `no <li class="finding" data-rule="R1" data-cell="${cell}"> on ${where()}`);
  const liText = await text(`li.finding[data-rule="R1"][data-cell="${cell}"]`);
  check(liText.includes(st.r1Message), `the R1 finding reads "${liText}", jianxi check says "${st.r1Message}"`);
  const td = await page.$(`td.bad[data-cell="${cell}"]`);
  check(td, `the drawn form does not mark cell ${cell}: no <td class="bad" data-cell="${cell}">`);
  await shot('upload-r1-rejected');
});

step('upload_correction_in_force', ['template_download'], async () => {
  const file = path.join(dir, `ok_${DISTRICT}_${P}.xlsx`);
  fillTemplate(st.blank, file, GOOD);
  check(cliFindings(file).filter((f) => f.severity === 'error').length === 0, 'jianxi check finds errors in the corrected file');
  st.uploadMs.push(await uploadFile(file));
  const verdict = await attr('#verdict', 'data-status');
  check(verdict === 'accepted', `#verdict data-status should be "accepted" for the corrected file, is ${verdict}: ${(await bodyText()).slice(0, 300)}`);
  const u = new URL(page.url());
  check(u.searchParams.get('district') === DISTRICT && u.searchParams.get('period') === P,
    `the version page is for ${u.search}, not ${DISTRICT} ${P}`);
  const v = u.searchParams.get('v');
  check(v && v !== st.r1Version, `the correction should be a new version, got v=${v} (the R1 file was v=${st.r1Version})`);
  st.okVersion = v;
  await shot('upload-accepted');
  // the original is kept byte for byte
  const orig = await fetchBytes(`/original?district=${DISTRICT}&period=${P}&v=${v}`);
  check(orig.status === 200, `GET /original of v=${v} answered ${orig.status}`);
  check(sha256(orig.body) === sha256(fs.readFileSync(file)), `/original of v=${v} is not the uploaded file (sha256 differs, ${orig.body.length} bytes)`);
  // stored as a night would store it: in force for the command line
  const sum = parseCsv(jxOk(bin, ['summary', '--config', cfg, '--store', store, '--period', P]).stdout);
  const row = sum.find((r) => r.district_code === DISTRICT);
  check(row && row.status === 'accepted' && row.i1 === '52', `jianxi summary --period ${P} should show ${DISTRICT} accepted with i1=52: ${JSON.stringify(row)}`);
  // and the home page lists it, in force, with the rejected one before it
  // (rows <tr class="version" data-version data-status [data-in-force]>)
  await goto(`/district?period=${P}`, 'home');
  const rows = await page.$$eval('tr.version', (trs) => trs.map((t) => ({
    v: t.dataset.version, status: t.dataset.status, inForce: t.dataset.inForce === '1',
    link: !!t.querySelector(`a[href*="/version?"]`),
  })));
  const mine = rows.find((r) => r.v === v);
  check(mine && mine.status === 'accepted' && mine.inForce && mine.link,
    `the home page should list version ${v} accepted and in force (tr.version[data-version="${v}"][data-status="accepted"][data-in-force="1"] with a link to it): ${JSON.stringify(rows)}`);
  const old = rows.find((r) => r.v === st.r1Version);
  check(!st.r1Version || (old && old.status === 'rejected' && !old.inForce),
    `the home page should list the R1 version ${st.r1Version} as rejected, not in force: ${JSON.stringify(rows)}`);
  const status = parseCsv(jxOk(bin, ['status', '--config', cfg, '--store', store, '--period', P]).stdout)
    .find((r) => r.district_code === DISTRICT).status;
  check(status === 'on_time' || status === 'late', `jianxi status says ${status} for ${DISTRICT}`);
  st.status = status;
  await shot('district-home-in-force');
});

step('other_district_refused', ['login_district'], async () => {
  const resp = await goto(`/district?period=${P}&district=${OTHER}`, "another district's home");
  check(resp.status() === 403, `GET /district?district=${OTHER} as the clerk of ${DISTRICT} answered ${resp.status()}, not 403`);
  await shot('other-district-403');
  const urls = [
    `/version?district=${OTHER}&period=${P}&v=1`,
    `/original?district=${OTHER}&period=${P}&v=1`,
    `/feedback?district=${OTHER}&period=${P}`,
    `/template?period=${P}&district=${OTHER}`,
    `/board?period=${P}`,
    `/reports/summary.csv?period=${P}`,
  ];
  const got = [];
  for (const u of urls) got.push([u, await fetchStatus(u)]);
  const wrong = got.filter(([, s]) => s !== 403);
  check(wrong.length === 0, `as the clerk of ${DISTRICT} these should answer 403: ${wrong.map(([u, s]) => `${u} → ${s}`).join('; ')}`);
});

// The online form's district row: row 0 (<tr class="total" data-row="0">,
// inputs v0_1 … v0_14), the only one a district without units fills.
async function fillInputs() {
  const names = await page.$$eval('form[action="/fill"] tr[data-row="0"] input', (xs) => xs.map((x) => x.name));
  for (let i = 1; i <= 14; i++) {
    check(names.includes(`v0_${i}`), `the online form's district row (tr[data-row="0"]) has no input v0_${i}; it has ${JSON.stringify(names)}`);
  }
  return '0';
}
async function setValues(row, values) {
  for (let i = 1; i <= 14; i++) {
    const sel = `form[action="/fill"] input[name="v${row}_${i}"]`;
    await page.$eval(sel, (e) => { e.value = ''; });
    await page.type(sel, String(values[i - 1]));
  }
}
// what form.js lists: [rule, field, text without the rule] per live finding
const liveFindings = () => page.$$eval('#live-findings li.finding', (lis) => lis.map((li) => {
  const rule = li.querySelector('.rule');
  return [li.dataset.rule, li.dataset.field,
    li.textContent.slice(rule ? rule.textContent.length : 0).replace(/\s+/g, ' ').trim()];
}));

step('fill_online_js_message', ['login_district'], async () => {
  const resp = await goto(`/fill?period=${P}`, 'the online form');
  check(resp.status() === 200, `GET /fill?period=${P} answered ${resp.status()}`);
  const row = await fillInputs();
  st.fillRow = row;
  // the message must appear as the clerk types, before anything is sent
  const before = page.url();
  await setValues(row, BAD_R1);
  await page.click('h1'); // leave the last field
  const seen = await page.waitForFunction(() => document.querySelector('#live-findings li.finding[data-rule="R1"]'), { timeout: 10000 })
    .then(() => true, () => false);
  check(page.url() === before, 'typing in the online form left the page');
  await shot('fill-js-message');
  const live = await liveFindings();
  check(seen, `typing 1=2, 2=3 in the online form should list an R1 in #live-findings; it lists ${JSON.stringify(live)}`);
  const r1 = live.filter(([r]) => r === 'R1');
  check(r1.length === 1 && r1[0][1] === `v${row}_1` && r1[0][2] === st.r1Message,
    `the online form's R1 should be on field v${row}_1 and read exactly as the server's finding "${st.r1Message}"; it is ${JSON.stringify(r1)}`);
  check(live.length === 1, `typing 1=2, 2=3 should give one live finding, not ${JSON.stringify(live)}`);
  check(await page.$(`input[name="v${row}_1"].bad`), `the field v${row}_1 is not marked (class="bad")`);
});

step('fill_server_decides', ['fill_online_js_message'], async () => {
  // the browser is never trusted: the form sent without its script's
  // checks (HTMLFormElement.submit() skips them) is judged by the server
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.$eval('form[action="/fill"]', (f) => HTMLFormElement.prototype.submit.call(f)),
  ]);
  check(resp && resp.status() === 200 && new URL(page.url()).pathname === '/version',
    `POST /fill with 1=2, 2=3 should lead to a /version page, got ${resp && resp.status()} at ${where()}`);
  const verdict = await attr('#verdict', 'data-status');
  check(verdict === 'rejected', `the server should reject the online form with 1=2, 2=3: #verdict data-status is ${verdict}`);
  const found = await page.$$eval('li.finding', (lis) => lis.map((li) => [li.dataset.rule, li.textContent.replace(/\s+/g, ' ').trim()]));
  check(found.length === 1 && found[0][0] === 'R1' && found[0][1].endsWith(st.r1Message),
    `the server should find exactly the R1 "${st.r1Message}" in the online form, it found ${JSON.stringify(found)}`);
  await shot('fill-server-rejects');
  // then filled right (other figures than the upload's), sent the normal way
  await goto(`/fill?period=${P}`, 'the online form');
  await setValues(st.fillRow, FILLED);
  await page.click('h1');
  const live = await liveFindings();
  check(live.length === 0, `the online form still lists findings after the values were corrected: ${JSON.stringify(live)}`);
  const r = await submitForm('/fill');
  check(r && r.status() === 200 && new URL(page.url()).pathname === '/version', `POST /fill answered ${r && r.status()} at ${where()}`);
  const v2 = await attr('#verdict', 'data-status');
  check(v2 === 'accepted', `the online form with right values should be accepted: #verdict data-status is ${v2}: ${(await bodyText()).slice(0, 300)}`);
  await shot('fill-accepted');
  // stored and in force: the command line reads the typed figures
  const sum = parseCsv(jxOk(bin, ['summary', '--config', cfg, '--store', store, '--period', P]).stdout)
    .find((x) => x.district_code === DISTRICT);
  const got = sum && Array.from({ length: 14 }, (_, i) => sum[`i${i + 1}`]);
  check(sum && sum.status === 'accepted' && got.map(Number).join(',') === FILLED.join(','),
    `after the online form, jianxi summary should hold ${FILLED.join(',')} for ${DISTRICT}: ${JSON.stringify(sum)}`);
});

step('logout', ['login_district'], async () => {
  await goto(`/district?period=${P}`, 'home');
  await submitForm('/logout');
  check(new URL(page.url()).pathname === '/login', `logging out should end at /login, ended at ${where()}`);
  await shot('logged-out');
  await goto(`/district?period=${P}`, 'home after logout');
  check(new URL(page.url()).pathname === '/login', `after logging out, /district should send to /login, it showed ${where()}`);
});

step('city_board', ['logout'], async () => {
  const status = parseCsv(jxOk(bin, ['status', '--config', cfg, '--store', store, '--period', P]).stdout);
  const want = Object.fromEntries(status.map((r) => [r.district_code, r.status]));
  await login(USERS.city);
  check(new URL(page.url()).pathname === '/board', `the city should land on /board, landed on ${where()}`);
  const resp = await goto(`/board?period=${P}`, 'board');
  check(resp.status() === 200, `GET /board answered ${resp.status()}`);
  const rows = await page.$$eval('table#board tr[data-district]', (trs) => trs.map((t) => [t.dataset.district, t.dataset.status]));
  check(rows.length === status.length, `table#board has ${rows.length} district rows, the config has ${status.length}`);
  const bad = rows.filter(([d, s]) => want[d] !== s);
  check(bad.length === 0, `board rows that differ from jianxi status: ${bad.map(([d, s]) => `${d} shows ${s}, status says ${want[d]}`).join('; ')}`);
  const mine = rows.find(([d]) => d === DISTRICT);
  check(mine && (mine[1] === 'on_time' || mine[1] === 'late'), `the board shows ${DISTRICT} as ${mine && mine[1]}`);
  const chase = await page.$$eval('table#chase tr[data-district]', (trs) => trs.map((t) => [t.dataset.district, t.dataset.status]));
  check(chase.some(([d, s]) => d === MISSING && s === 'missing'), `table#chase should list ${MISSING} as missing: ${JSON.stringify(chase)}`);
  check(!chase.some(([d]) => d === DISTRICT || d === OTHER), `table#chase lists a district that sent its form: ${JSON.stringify(chase)}`);
  await shot('city-board');
});

step('city_sees_district_version', ['city_board', 'upload_correction_in_force'], async () => {
  const v = await goto(`/version?district=${DISTRICT}&period=${P}&v=${st.okVersion}`, "the district's version as the city");
  check(v.status() === 200 && (await attr('#verdict', 'data-status')) === 'accepted', `the city should see ${DISTRICT}'s v=${st.okVersion} accepted, got ${v.status()}`);
  await shot('city-version');
});

step('no_script_errors_or_csp_refusals', ['serve_starts'], async () => {
  const seen = [...new Set(st.pageErrors)];
  check(seen.length === 0, `the pages had script errors or CSP refusals:\n${seen.slice(0, 10).join('\n')}`);
});

step('server_stops_cleanly', ['serve_starts'], async () => {
  await browser.close();
  browser = null;
  const r = await stopServer(srv);
  srv = null;
  const said = fs.readFileSync(serveLog, 'utf8');
  check(r && r.code === 0, `jianxi serve should exit 0 on SIGTERM, ended ${JSON.stringify(r)}: ${said.split('\n').slice(-20).join('\n')}`);
  check(!/Sanitizer|runtime error/.test(said), `jianxi serve's log holds a sanitizer report:\n${said.split('\n').slice(-40).join('\n')}`);
  const audit = fs.existsSync(auditLog) ? fs.readFileSync(auditLog, 'utf8') : '';
  check(audit.includes(USERS.district.name) && audit.includes(USERS.city.name), `the audit log should record both logins; it holds: ${audit.slice(0, 400)}`);
  for (const u of Object.values(USERS)) {
    check(!said.includes(u.password) && !audit.includes(u.password), `a password appears in the server's log or audit log`);
  }
});

// ---- run -------------------------------------------------------------------
let passed = 0, failed = 0;
const ok = new Set();
for (const s of steps) {
  const id = `e2e::portal::${s.name}`;
  const missing = s.needs.filter((n) => !ok.has(n));
  if (missing.length) {
    console.log(`not ok - ${id}: not run, it needs ${missing.join(', ')}`);
    failed++;
    continue;
  }
  try {
    await s.fn();
    console.log(`ok - ${id}`);
    ok.add(s.name);
    passed++;
  } catch (e) {
    const msg = e instanceof Fail ? e.message : (e && e.stack) || String(e);
    console.log(`not ok - ${id}: ${msg.replace(/\n/g, '\n    ')}`);
    if (page) await shot(`FAILED-${s.name}`).catch(() => {});
    failed++;
  }
}
if (browser) await browser.close().catch(() => {});
if (srv) await stopServer(srv);
if (failed && fs.existsSync(serveLog)) {
  console.log(`# the server's last words (${serveLog}):`);
  for (const l of fs.readFileSync(serveLog, 'utf8').trim().split('\n').slice(-15)) console.log(`#   ${l}`);
}
if (st.uploadMs) console.log(`# upload to verdict page in the browser: ${st.uploadMs.join(', ')} ms`);
console.log(`# screenshots: ${shots}`);
if (process.env.JIANXI_E2E_KEEP === '1') console.log(`# scratch folder kept: ${dir}`);
else fs.rmSync(dir, { recursive: true, force: true });
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
