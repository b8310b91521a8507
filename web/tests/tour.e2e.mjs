// Drives the real page in headless Chromium (Debian's `chromium`, never a downloaded browser):
// it connects, waits for the robot to reach an exhibit and the streamed description to finish,
// asks a question, waits for the answer, and saves a screenshot; with speech on (the page's toggle,
// clicked as a visitor would) it waits for every released sentence's clip to be scheduled.
// Usage: node tests/tour.e2e.mjs --url http://127.0.0.1:PORT/ --screenshot out.png [--timeout-ms N]
//        node tests/tour.e2e.mjs --secure --url https://ADDRESS:PORT/?token=T --spki BASE64 [--timeout-ms N]
// --secure: the page must load over https trusting only the certificate whose public key hashes to
// --spki (never all certificate errors), be a secure context, connect over wss, and be able to ask
// for immersive-vr without a security error.
// Prints one JSON line with what the page showed; exits 1 with a reason on failure.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    screenshot: { type: "string" },
    secure: { type: "boolean", default: false },
    spki: { type: "string" },
    question: { type: "string", default: "When was it built?" },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH || "/usr/bin/chromium" },
    "timeout-ms": { type: "string", default: "60000" },
  },
});
const timeout = Number(values["timeout-ms"]);
const profile = mkdtempSync(join(tmpdir(), "guide-chromium-"));
const args = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  // WebGL without a GPU: ANGLE on SwiftShader (software), so the 3D view renders in CI.
  "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
];
// Trust exactly one certificate, by the SHA-256 of its public key (honoured with a user data dir).
if (values.spki) args.push(`--ignore-certificate-errors-spki-list=${values.spki}`);

/** Over https: a secure context whose socket is wss and whose WebXR asks raise no security error. */
async function checkSecurePage(page) {
  await page.goto(values.url, { timeout });
  await page.waitForSelector('#connection[data-state="open"]', { timeout });
  return page.evaluate(async () => {
    let xr;
    if (!navigator.xr) xr = "no navigator.xr";
    else {
      try {
        xr = `immersive-vr supported: ${await navigator.xr.isSessionSupported("immersive-vr")}`;
      } catch (err) {
        xr = `${err.name}: ${err.message}`;
      }
    }
    return {
      protocol: window.location.protocol,
      secureContext: window.isSecureContext,
      socketUrl: window.guide.socket.url,
      sessionId: window.guide.sessionId,
      exhibits: document.querySelectorAll("#exhibits li").length,
      xr,
    };
  });
}

/** Wait until every released sentence of `stream` has its clip scheduled, in seq order. */
async function waitForSpeech(page, stream) {
  await page.waitForFunction((which) => {
    const s = window.guide.panel[which];
    const played = window.guide.speech.stats.played.filter((c) => c.requestId === s.requestId).map((c) => c.seq);
    return s.pieces.length > 0 && played.join() === s.pieces.map((p) => p.seq).join();
  }, stream, { timeout, polling: 100 });
}

/** The visitor's tour: description, speech, question, rating, a server restart, the screenshot. */
async function runTour(page) {
  await page.goto(values.url, { timeout });
  await page.waitForSelector('#connection[data-state="open"]', { timeout });
  await page.waitForFunction(() => document.querySelectorAll("#exhibits li").length > 0, null, { timeout });
  await page.click("#speech-toggle"); // a visitor's click: the page may now play audio
  await page.waitForFunction(() => window.guide.speech.context && window.guide.speech.context.state === "running", null, { timeout });
  console.log("PAGE CONNECTED"); // the test starts the robot only now, so no description is missed
  // The simulated robot drives to its first exhibit; the server streams the description.
  await page.waitForFunction(() => window.guide.panel.description.end !== null, null, { timeout, polling: 100 });
  const described = await page.evaluate(() => ({
    exhibitId: window.guide.panel.exhibitId,
    title: document.getElementById("panel-title").textContent,
    shown: document.getElementById("panel-description").textContent,
    streamed: window.guide.panel.description.text,
    pose: window.guide.lastPose,
    has3d: window.guide.scene !== null,
  }));
  await waitForSpeech(page, "description");
  await page.fill("#question-input", values.question);
  await page.click("#ask-button");
  await page.waitForFunction(() => window.guide.panel.answer.end !== null, null, { timeout, polling: 100 });
  await waitForSpeech(page, "answer");
  await page.click('#rating .rate[data-rating="5"]');
  await page.waitForFunction(() => document.getElementById("panel-notice").textContent.includes("saved"), null, { timeout });
  const answered = await page.evaluate(() => ({
    question: document.getElementById("panel-question").textContent,
    answer: document.getElementById("panel-answer").textContent,
    notice: document.getElementById("panel-notice").textContent,
    speech: { ...window.guide.speech.stats, played: undefined },
    spoken: ["description", "answer"].map((which) => {
      const s = window.guide.panel[which];
      return { pieces: s.pieces.length, clips: window.guide.speech.stats.played.filter((c) => c.requestId === s.requestId) };
    }),
  }));
  // The test now restarts the server: the page must reconnect by itself and the tour go on.
  const before = await page.evaluate(() => ({ session: window.guide.sessionId, stamp: window.guide.lastPose.stamp }));
  console.log("ANSWERED");
  await page.waitForFunction(() => window.guide.connectionState !== "open", null, { timeout, polling: 50 });
  await page.waitForFunction(
    (b) => window.guide.connectionState === "open" && window.guide.sessionId !== b.session
      && window.guide.lastPose && window.guide.lastPose.stamp > b.stamp,
    before, { timeout, polling: 100 },
  );
  // A pose stalled by the restart may have reported the robot offline for a moment: it must come back.
  await page.waitForFunction(() => document.getElementById("robot-status").textContent === "robot: online", null, { timeout, polling: 100 });
  const resumed = await page.evaluate(() => ({ reconnects: window.guide.reconnects, robotStatus: document.getElementById("robot-status").textContent }));
  await page.screenshot({ path: values.screenshot });
  const labels = await page.evaluate(() => window.guide.scene && window.guide.scene.labels.report());
  return { ...described, ...answered, ...resumed, labels };
}

let context;
const consoleLines = [];
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: values.chromium, headless: true, args, viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
  const shown = values.secure ? await checkSecurePage(page) : await runTour(page);
  console.log(JSON.stringify({ ...shown, console: consoleLines }));
} catch (err) {
  console.error(`browser test failed: ${err.message}\n--- page console ---\n${consoleLines.join("\n")}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
