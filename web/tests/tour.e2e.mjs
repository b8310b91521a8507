// Drives the real page in headless Chromium (Debian's `chromium`, never a downloaded browser):
// it connects, waits for the robot to reach an exhibit and the streamed description to finish,
// asks a question, waits for the answer, and saves a screenshot.
// Usage: node tests/tour.e2e.mjs --url http://127.0.0.1:PORT/ --screenshot out.png [--timeout-ms N]
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

let context;
const consoleLines = [];
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: values.chromium, headless: true, args, viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(values.url, { timeout });
  await page.waitForSelector('#connection[data-state="open"]', { timeout });
  await page.waitForFunction(() => document.querySelectorAll("#exhibits li").length > 0, null, { timeout });
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
  await page.fill("#question-input", values.question);
  await page.click("#ask-button");
  await page.waitForFunction(() => window.guide.panel.answer.end !== null, null, { timeout, polling: 100 });
  await page.click('#rating .rate[data-rating="5"]');
  await page.waitForFunction(() => document.getElementById("panel-notice").textContent.includes("saved"), null, { timeout });
  const answered = await page.evaluate(() => ({
    question: document.getElementById("panel-question").textContent,
    answer: document.getElementById("panel-answer").textContent,
    notice: document.getElementById("panel-notice").textContent,
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
  console.log(JSON.stringify({ ...described, ...answered, ...resumed, console: consoleLines }));
} catch (err) {
  console.error(`browser test failed: ${err.message}\n--- page console ---\n${consoleLines.join("\n")}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
