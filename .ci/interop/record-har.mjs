// Records a HAR file of a login in headless Chromium, for tokenbench's HAR tests
// (flows/interop_har_test.go). Chromium is driven through the DevTools protocol
// (chrome-remote-interface); its Network events become HAR 1.2 through chrome-har, the response
// bodies fetched with Network.getResponseBody as each load finishes.
//
// Environment: START the URL to open; OUT the HAR file to write; DONE a URL prefix where the
// recording ends once the page's title is "done" (the test's client sets it when its last request
// has answered); FIELDS a JSON object of values to type into empty inputs by name; DENY=1 to press
// a cancel (a button or link named deny, cancel or abort) instead of submitting; CHROMIUM the
// browser (default chromium). A page with nothing to submit that is not under DONE ends the
// recording too (an error page).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { harFromMessages } from 'chrome-har';

const start = process.env.START;
const out = process.env.OUT;
const done = process.env.DONE;
const fields = JSON.parse(process.env.FIELDS || '{}') ?? {};
const deny = process.env.DENY === '1';
const maxPages = 12;
const timeoutMs = 60000;

const profile = mkdtempSync(join(tmpdir(), 'tokenbench-har-'));
const browser = spawn(process.env.CHROMIUM || 'chromium', [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
  '--disable-extensions', '--disable-background-networking', '--disable-component-update',
  `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'] });

let stderr = '';
function fail(msg) {
  console.error(`record-har: ${msg}\n${stderr.slice(-2000)}`);
  browser.kill('SIGKILL');
  process.exit(1);
}
// Chromium's helper processes may still write to the profile as it exits: removing it is best effort.
process.on('exit', () => { try { rmSync(profile, { recursive: true, force: true }); } catch {} });
setTimeout(() => fail(`no recording within ${timeoutMs} ms`), timeoutMs).unref();

// The DevTools endpoint Chromium prints once it listens.
const port = await new Promise((resolve, reject) => {
  browser.stderr.on('data', (chunk) => {
    stderr += chunk;
    const m = stderr.match(/DevTools listening on ws:\/\/[^:]+:(\d+)\//);
    if (m) resolve(Number(m[1]));
  });
  browser.on('exit', (code) => reject(new Error(`chromium exited with ${code}`)));
}).catch((e) => fail(e.message));

const client = await CDP({ port });
const { Network, Page, Runtime } = client;
const events = [];
const received = new Map(); // requestId → Network.responseReceived params, for its body
const bodies = [];
for (const method of ['Page.loadEventFired', 'Page.domContentEventFired', 'Page.frameStartedLoading',
  'Page.frameAttached', 'Page.frameScheduledNavigation', 'Network.requestWillBeSent',
  'Network.requestWillBeSentExtraInfo', 'Network.requestServedFromCache', 'Network.dataReceived',
  'Network.responseReceived', 'Network.responseReceivedExtraInfo', 'Network.resourceChangedPriority',
  'Network.loadingFinished', 'Network.loadingFailed']) {
  client.on(method, (params) => {
    events.push({ method, params });
    if (method === 'Network.responseReceived') received.set(params.requestId, params);
    if (method === 'Network.loadingFinished' && received.has(params.requestId)) {
      bodies.push(Network.getResponseBody({ requestId: params.requestId }).then((b) => {
        const r = received.get(params.requestId).response;
        r.body = b.base64Encoded ? Buffer.from(b.body, 'base64').toString('utf8') : b.body;
      }, () => {}));
    }
  });
}
await Network.enable();
await Page.enable();

// step plays the user on the page shown: it reports "done", "waiting" (the client's script is still
// at work, or the page was pressed and the next one is loading), "stuck" (nothing to submit), or
// what it pressed. A page is pressed once.
const step = `(() => {
  const done = ${JSON.stringify(done)}, fields = ${JSON.stringify(fields)}, deny = ${deny};
  if (location.href.startsWith(done)) return document.title === 'done' ? 'done' : 'waiting';
  if (window.tokenbenchPressed) return 'waiting'; // pressed once: the next page is on its way
  const named = (el) => /deny|cancel|abort/i.test((el.name || '') + ' ' + (el.value || '') + ' ' + el.textContent + ' ' + (el.getAttribute('href') || ''));
  if (deny) {
    const c = [...document.querySelectorAll('button, input[type=submit], a[href]')].find(named);
    if (c) { window.tokenbenchPressed = true; c.click(); return 'denied'; }
  }
  const form = document.forms[0];
  if (!form) return 'stuck';
  for (const el of form.elements) {
    if (el.name && fields[el.name] !== undefined && !el.value) el.value = fields[el.name];
  }
  const submit = [...form.querySelectorAll('button, input[type=submit]')].find((el) => !named(el));
  window.tokenbenchPressed = true;
  if (submit) submit.click(); else form.submit();
  return 'submitted';
})()`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await Page.navigate({ url: start });
// A page is stuck once it has had nothing to submit for a second (its scripts may still be at work
// before that); an evaluation that does not answer is a page being replaced.
let pages = 0, stuck = 0;
for (;;) {
  await sleep(250);
  const answer = await Promise.race([Runtime.evaluate({ expression: step, returnByValue: true }), sleep(2000)]).catch(() => undefined);
  const what = answer?.result?.value ?? 'navigating';
  stuck = what === 'stuck' ? stuck + 1 : 0;
  if (what === 'done' || stuck >= 4) break;
  if (what === 'submitted' || what === 'denied') {
    if (++pages > maxPages) fail(`still not done after ${maxPages} pages`);
    await sleep(500);
  }
}
await new Promise((r) => setTimeout(r, 300));
await Promise.all(bodies);
const har = harFromMessages(events, { includeTextFromResponseBody: true });
writeFileSync(out, JSON.stringify(har, null, 2) + '\n');
const exited = new Promise((r) => browser.once('exit', r));
await client.Browser.close().catch(() => browser.kill());
await client.close();
await Promise.race([exited, sleep(5000)]);
process.exit(0); // the timers raced above would keep node waiting
