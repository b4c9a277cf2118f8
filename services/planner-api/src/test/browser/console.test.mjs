// Drives the planner-api's web console in Debian's headless Chromium (never a browser Playwright
// downloads). Run by ConsoleBrowserTest, which passes the setting in CONSOLE_TEST (JSON) and, for each
// "WAITING <step>" line this script prints, changes the world (produces records to Kafka, switches the
// stub engines) and answers "DONE <step>" on stdin. Exits non-zero at the first failed check.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const cfg = JSON.parse(process.env.CONSOLE_TEST);
const TIMEOUT = 15_000;

const answers = [];
const waiters = [];
createInterface({ input: process.stdin }).on('line', line => (waiters.shift() ?? (l => answers.push(l)))(line));
const nextAnswer = () => (answers.length ? Promise.resolve(answers.shift()) : new Promise(r => waiters.push(r)));

/** Asks the Java side to do `step` and waits until it says it is done. */
async function handshake(step) {
  console.log(`WAITING ${step}`);
  const answer = await Promise.race([nextAnswer(), new Promise((_, no) => setTimeout(() => no(new Error(`no answer to ${step}`)), 30_000))]);
  if (answer !== `DONE ${step}`) throw new Error(`expected "DONE ${step}", got "${answer}"`);
}

const step = text => console.log(`STEP ${text}`);
function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`  ok: ${what}`);
}

const profile = mkdtempSync(join(tmpdir(), 'waybill-chromium-'));
mkdirSync(cfg.screenshots, { recursive: true });
const context = await chromium.launchPersistentContext(profile, {
  executablePath: cfg.chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const pageErrors = [];
let failed = false;
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', e => { pageErrors.push(e.message); console.log(`PAGE ERROR ${e.message}`); });
  page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') console.log(`  browser ${m.type()}: ${m.text()}`); });
  page.on('response', r => { if (r.status() >= 400) console.log(`  HTTP ${r.status()} ${r.request().method()} ${r.url()}`); });
  const go = hash => page.goto(`${cfg.baseUrl}console/${hash}`);
  const row = id => page.locator(`tr[data-exception="${id}"]`);
  const text = async sel => (await page.locator(sel).innerText()).trim();
  const message = kind => page.locator(`#messages .message.${kind}`).first();

  async function signIn(token) {
    await go('#/signin');
    await page.fill('textarea[name=token]', token);
    await page.click('#signin button[type=submit]');
    await page.waitForURL(/#\/exceptions/);
  }

  step('the console is served without a token and asks to sign in');
  await page.goto(`${cfg.baseUrl}console`);
  await page.waitForURL(/\/console\/#\/signin$/);
  check(await page.locator('textarea[name=token]').isVisible(), 'the sign-in form is shown');

  step('a planner signs in; the console shows who and which roles');
  await signIn(cfg.tokens.planner);
  check((await text('#who')) === 'console-planner (planner)', 'the header names the subject and roles');
  await go('#/signin');
  check((await text('#subject')) === 'console-planner', 'the sign-in page shows the subject');
  check((await text('#roles')) === 'planner', 'and the roles');

  step('the exceptions queue lists the open exceptions');
  await go('#/exceptions');
  await page.locator('#live.on').waitFor();
  await page.waitForFunction(n => document.querySelectorAll('tr[data-exception]').length === n, cfg.exceptions.length);
  for (const e of cfg.exceptions) {
    const cells = await row(e.exceptionId).locator('td').allInnerTexts();
    check(cells[0] === e.type && cells[1] === e.severity && cells[2] === 'OPEN' && cells[3] === e.shipmentId && cells[4] === e.facilityId,
      `row ${e.exceptionId}: ${cells.slice(0, 8).join(' | ')}`);
  }
  check(/^3 h \d+ min$/.test(await row(cfg.ackExceptionId).locator('td').nth(5).innerText()), 'the age, from detectedAt');
  check(await page.locator('[data-action=acknowledge]').count() === cfg.exceptions.length, 'a planner sees acknowledge buttons');

  step('the filters go to the API');
  await page.selectOption('select[name=severity]', 'CRITICAL');
  await page.waitForURL(/severity=CRITICAL/);
  await page.locator('tr[data-exception]').first().waitFor();
  await go('#/exceptions');

  step('acknowledge');
  await row(cfg.ackExceptionId).locator('[data-action=acknowledge]').click();
  await page.locator(`tr[data-exception="${cfg.ackExceptionId}"][data-command]`).waitFor();
  console.log(`ACKNOWLEDGED ${await row(cfg.ackExceptionId).getAttribute('data-command')}`);
  check((await message('ok').innerText()).includes('ACKNOWLEDGE of'), 'the acceptance is confirmed');

  step('resolve with a note');
  await row(cfg.resolveExceptionId).locator('[data-action=resolve]').click();
  await page.fill('#ask textarea[name=note]', 'found it at the hub');
  await page.click('#ask button[value=ok]');
  await page.locator(`tr[data-exception="${cfg.resolveExceptionId}"][data-command]`).waitFor();
  console.log(`RESOLVED ${await row(cfg.resolveExceptionId).getAttribute('data-command')}`);

  step('live: a new exception and the engine applying the acknowledgement arrive on the stream');
  await handshake('live-exceptions');
  await row(cfg.liveExceptionId).waitFor();
  await page.waitForFunction(id => document.querySelector(`tr[data-exception="${id}"] .status`)?.innerText.startsWith('ACKNOWLEDGED'), cfg.ackExceptionId);
  check(await row(cfg.ackExceptionId).locator('[data-action=acknowledge]').count() === 0, 'an acknowledged exception cannot be acknowledged again');
  check((await page.locator('tr[data-exception]').first().getAttribute('data-exception')) === cfg.liveExceptionId, 'the new exception is on top');
  await page.screenshot({ path: join(cfg.screenshots, 'exceptions.png'), fullPage: true });

  step('the shipment page: state, route on the network, exceptions, history');
  await row(cfg.ackExceptionId).locator(`a[href="#/shipments/${cfg.shipment.id}"]`).click();
  await page.locator('svg.map line.leg').first().waitFor();
  check(await page.locator('svg.map line.leg').count() === cfg.shipment.legs, `${cfg.shipment.legs} legs drawn`);
  check(await page.locator('svg.map circle.facility').count() === cfg.facilities.length, `${cfg.facilities.length} facilities of the region drawn`);
  check(await page.locator('svg.map line.leg.done').count() === 1, 'the leg behind is drawn as done');
  const here = page.locator('svg.map circle.here');
  const hub = page.locator(`svg.map circle.facility[data-facility="${cfg.shipment.at}"]`);
  check(await here.getAttribute('cx') === await hub.getAttribute('cx') && await here.getAttribute('cy') === await hub.getAttribute('cy'),
    `the position is ringed at ${cfg.shipment.at}`);
  const summary = await text('.summary');
  check(summary.includes('AT_FACILITY') && summary.includes('AT_RISK'), 'status and SLA status shown');
  await page.waitForFunction(n => document.querySelectorAll('table.history tbody tr').length === n, cfg.shipment.historyEntries);
  check(await page.locator('tr[data-exception]').count() === 1, "the shipment's exception is listed");
  await page.screenshot({ path: join(cfg.screenshots, 'shipment.png'), fullPage: true });

  step('live: the shipment departs on its next leg');
  await handshake('live-shipment');
  await page.locator('svg.map line.leg.current[data-leg="1"]').waitFor();
  check((await text('.summary')).includes('IN_TRANSIT'), 'the summary follows');
  check(await here.getAttribute('cx') !== await hub.getAttribute('cx'), 'the position moved onto the leg');
  await page.screenshot({ path: join(cfg.screenshots, 'shipment-in-transit.png'), fullPage: true });

  step('a standby replica answer is flagged');
  await go(`#/shipments/${cfg.staleShipmentId}`);
  check((await message('warn').innerText()).includes('standby replica'), 'stale warning shown');

  step('facility load as a chart, for a chosen region');
  await go('#/facilities');
  await page.locator('select[aria-label=region]').selectOption(cfg.region);
  await page.locator('svg.chart rect.bar[data-facility]').first().waitFor();
  check(await page.locator('svg.chart rect.bar[data-facility]').count() === 3 * (cfg.facilities.length - 1), 'three bars per facility with a load');
  check((await page.locator('svg.chart').textContent()).includes('n/a'), 'a facility without load says n/a');
  check((await message('warn').innerText()).includes(cfg.noLoadFacility), 'and the console says whose load is unknown');
  check((await text(`tr[data-facility="${cfg.congestedFacility}"] .badge`)) === 'CONGESTED', 'status badges');
  check(await page.locator('[data-action=status]').count() === 0, 'a planner cannot change a facility');
  await page.screenshot({ path: join(cfg.screenshots, 'facilities.png'), fullPage: true });

  step('an admin closes a facility');
  await signIn(cfg.tokens.admin);
  await go(`#/facilities?region=${cfg.region}`);
  await page.locator(`tr[data-facility="${cfg.closeFacility}"] [data-action=status]`).click();
  await page.selectOption('#ask select[name=status]', 'CLOSED');
  await page.fill('#ask textarea[name=note]', 'flooded');
  await page.click('#ask button[value=ok]');
  check((await message('ok').innerText()).includes(`${cfg.closeFacility} is now CLOSED`), 'the change is confirmed');
  // the planner-api's view follows through the facilities topic; the page re-reads it
  for (let i = 0; i < 15 && (await text(`tr[data-facility="${cfg.closeFacility}"] .badge`)) !== 'CLOSED'; i++) {
    await page.waitForTimeout(1000);
    await page.reload();
  }
  check((await text(`tr[data-facility="${cfg.closeFacility}"] .badge`)) === 'CLOSED', 'the facility is shown closed');

  step('a viewer sees no action buttons');
  await signIn(cfg.tokens.viewer);
  await page.locator('tr[data-exception]').first().waitFor();
  check(await page.locator('button[data-action], [data-action]').count() === 0, 'no actions in the queue');
  await go(`#/facilities?region=${cfg.region}`);
  await page.locator('svg.chart').waitFor();
  check(await page.locator('[data-action]').count() === 0, 'no actions on facilities');

  step('an expired token: the 401 is shown');
  await signIn(cfg.tokens.expired);
  check((await message('error').innerText()).includes('401'), '401 shown');

  step('no engine can answer: the 503 and its Retry-After are shown, and the page retries');
  await signIn(cfg.tokens.planner);
  await handshake('engines-down');
  await go(`#/shipments/${cfg.shipment.id}`);
  const unavailable = await message('error').innerText();
  check(unavailable.includes('503') && unavailable.includes('retry after'), `shown: ${unavailable.split('\n')[0]}`);
  await handshake('engines-up');
  await page.locator('svg.map line.leg').first().waitFor({ timeout: 20_000 });
  check(true, 'the page came back by itself');

  check(pageErrors.length === 0, 'no uncaught errors in the page');
} catch (e) {
  failed = true;
  console.log(`FAILED ${e.stack ?? e}`);
  const page = context.pages()[0];
  if (page) await page.screenshot({ path: join(cfg.screenshots, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
