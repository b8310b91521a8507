// The browser VR client: floor plan in 3D, the robot's live pose, the streamed exhibit panel,
// questions, ratings and "take me there". Served by the guide server at `/`.
import { GuideSocket } from "./connection.js";
import { SpeechPlayer } from "./speech.js";
import { PanelState, describeFactCheck } from "./stream.js";

/** The server's embedded demo visitor token (guide_server/core/config.py DEMO_VISITOR_TOKEN);
 * accepted only while the server listens on loopback. Use ?token=... for a real one. */
export const DEMO_VISITOR_TOKEN = "demo-visitor-token-not-secret";

const $ = (id) => document.getElementById(id);

function initialSettings() {
  const params = new URLSearchParams(window.location.search);
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return {
    url: params.get("ws") || `${scheme}://${window.location.host}/ws/visitor`,
    token: params.get("token") || DEMO_VISITOR_TOKEN,
    tour: params.get("tour") || "default",
    profile: { audience: params.get("audience") || "adult", language: params.get("lang") || "en" },
    speech: params.get("speech") === "1",
  };
}

async function getJson(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

class GuidePage {
  constructor() {
    this.settings = initialSettings();
    this.panel = new PanelState();
    this.speech = new SpeechPlayer();
    this.spoken = null; // the {requestId, seq} highlighted as spoken
    this.titles = new Map();
    this.scene = null;
    this.lastPose = null;
    this.connectionState = "connecting";
    this.requestCounter = 0;
    this.socket = null;
    this.sessionId = null;
    this.everConnected = false;
    this.reconnects = 0;
  }

  async start() {
    this.bindControls();
    this.fillSettings();
    await this.startScene();
    this.socket = new GuideSocket({
      ...this.settings,
      onMessage: (m) => this.onMessage(m),
      onState: (state, text) => this.onConnection(state, text),
    });
    this.socket.start();
    $("speech-toggle").checked = this.settings.speech;
    if (this.settings.speech) this.speech.setEnabled(true); // ?speech=1: starts once the browser allows audio
    setInterval(() => this.highlightSpoken(), 200);
    await this.loadCatalogue();
  }

  async startScene() {
    try {
      const { MuseumScene } = await import("./scene.js");
      this.scene = new MuseumScene($("scene"), ["status-bar", "settings", "panel", "exhibit-list"].map($));
    } catch (err) {
      this.notice(`The 3D view is unavailable in this browser (${err.message}); the guide's text still works.`);
    }
  }

  async loadCatalogue() {
    try {
      const [exhibits, plan] = await Promise.all([getJson("/api/exhibits"), getJson("/api/museum")]);
      for (const e of exhibits) this.titles.set(e.id, e.title);
      this.renderExhibitList(exhibits);
      if (this.scene) this.scene.showFloorPlan(plan, this.titles);
      this.render();
    } catch (err) {
      this.notice(`Could not load the catalogue: ${err.message}. Is the guide server running?`);
    }
  }

  renderExhibitList(exhibits) {
    const list = $("exhibits");
    list.textContent = "";
    for (const e of exhibits) {
      const item = document.createElement("li");
      item.dataset.exhibit = e.id;
      const name = document.createElement("span");
      name.textContent = e.title;
      const go = document.createElement("button");
      go.type = "button";
      go.className = "goto";
      go.dataset.exhibit = e.id;
      go.textContent = "Take me there";
      go.addEventListener("click", () => this.goto(e.id));
      item.append(name, go);
      list.append(item);
    }
  }

  bindControls() {
    $("question-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.ask($("question-input").value);
    });
    for (const button of document.querySelectorAll("#rating .rate")) {
      button.addEventListener("click", () => this.rate(Number(button.dataset.rating)));
    }
    $("settings-toggle").addEventListener("click", () => { $("settings").hidden = !$("settings").hidden; });
    $("settings-apply").addEventListener("click", () => this.applySettings());
    $("speech-toggle").addEventListener("change", (event) => this.setSpeech(event.target.checked));
  }

  fillSettings() {
    $("settings-url").value = this.settings.url;
    $("settings-token").value = this.settings.token;
    $("settings-tour").value = this.settings.tour;
    $("settings-audience").value = this.settings.profile.audience;
    $("settings-language").value = this.settings.profile.language;
  }

  applySettings() {
    Object.assign(this.socket, {
      url: $("settings-url").value.trim(),
      token: $("settings-token").value.trim(),
      tour: $("settings-tour").value.trim() || "default",
      profile: { audience: $("settings-audience").value, language: $("settings-language").value },
    });
    this.socket.resume = null;
    this.socket.restart();
    $("settings").hidden = true;
  }

  /** The speech toggle: audio starts from this click (browsers allow it only after a gesture). */
  setSpeech(enabled) {
    this.speech.setEnabled(enabled);
    this.socket.speech = enabled;
    $("speech-toggle").checked = enabled;
    this.socket.send({ type: "speech", enabled }); // when closed, the next hello carries it
  }

  /** Mark the sentence being spoken in the panel. */
  highlightSpoken() {
    const now = this.speech.speaking();
    if ((now && now.requestId) === (this.spoken && this.spoken.requestId) && (now && now.seq) === (this.spoken && this.spoken.seq)) return;
    this.spoken = now;
    this.render();
  }

  nextRequestId(prefix) {
    this.requestCounter += 1;
    return `web-${prefix}-${Date.now().toString(36)}-${this.requestCounter}`;
  }

  ask(text) {
    const question = text.trim();
    if (!question) return this.notice("Type a question first.");
    const message = { type: "question", request_id: this.nextRequestId("q"), text: question };
    if (this.panel.exhibitId) message.exhibit_id = this.panel.exhibitId;
    if (!this.socket.send(message)) return this.notice("Not connected: the question was not sent. Try again in a moment.");
    $("question-input").value = "";
    this.notice("Question sent...");
  }

  rate(rating) {
    if (!this.panel.exhibitId) return this.notice("Nothing to rate yet.");
    const message = { type: "feedback", exhibit_id: this.panel.exhibitId, rating };
    const requestId = this.panel.shownRequestId();
    if (requestId) message.request_id = requestId;
    if (!this.socket.send(message)) this.notice("Not connected: the rating was not sent.");
  }

  goto(exhibitId) {
    if (!this.socket.send({ type: "goto", exhibit_id: exhibitId, request_id: this.nextRequestId("g") })) {
      return this.notice("Not connected: cannot send the robot now.");
    }
    this.notice(`Sending the robot to ${this.titles.get(exhibitId) || exhibitId}...`);
  }

  onConnection(state, text) {
    this.connectionState = state;
    const el = $("connection");
    el.dataset.state = state;
    el.textContent = text;
  }

  onMessage(message) {
    this.speech.onMessage(message);
    switch (message.type) {
      case "speech.audio":
        return;
      case "welcome":
        this.sessionId = message.session_id;
        this.reconnects += this.sessionId && this.everConnected ? 1 : 0;
        this.everConnected = true;
        return;
      case "pose":
        this.lastPose = message;
        if (this.scene) this.scene.setRobotPose(message);
        return;
      case "tour.state":
        $("robot-status").textContent = `robot: ${message.robot_online ? "online" : "offline"}`;
        break;
      case "feedback.saved":
        return this.notice("Thank you - your rating was saved.");
      case "error":
        if (message.code === "speech_unavailable") {
          this.speech.setEnabled(false);
          this.socket.speech = false;
          $("speech-toggle").checked = false;
        }
        return this.notice(`${message.message} (${message.code})`);
      default:
        break;
    }
    if (this.panel.apply(message)) this.render();
  }

  notice(text) {
    $("panel-notice").textContent = text;
  }

  render() {
    const p = this.panel;
    const title = p.exhibitTitle || this.titles.get(p.exhibitId) || p.exhibitId || "Waiting for the robot...";
    $("panel-title").textContent = title;
    $("panel-meta").textContent = p.description.requestId ? (p.description.end ? "" : "the guide is speaking...") : "";
    showPieces($("panel-description"), p.description, this.spoken);
    const check = describeFactCheck(p.description.end, p.description.fromSummary);
    $("panel-factcheck").textContent = check.text;
    $("panel-factcheck").className = check.flagged ? "flagged" : "ok";
    $("panel-qa").hidden = !p.answer.requestId;
    $("panel-question").textContent = p.answer.question ? `Q: ${p.answer.question}` : "";
    showPieces($("panel-answer"), p.answer, this.spoken);
    const answerCheck = describeFactCheck(p.answer.end, p.answer.fromSummary);
    $("answer-factcheck").textContent = answerCheck.text;
    $("answer-factcheck").className = answerCheck.flagged ? "flagged" : "ok";
    for (const item of document.querySelectorAll("#exhibits li")) item.classList.toggle("current", item.dataset.exhibit === p.exhibitId);
    if (this.scene) {
      this.scene.setCurrentExhibit(p.exhibitId);
      const body = p.answer.requestId ? `${p.description.text}\n\nQ: ${p.answer.question}\nA: ${p.answer.text}` : p.description.text;
      this.scene.drawPanel(title, body, check.text);
    }
  }
}

/** A stream's sentences as spans (one per released delta), the one being spoken highlighted. */
function showPieces(element, stream, spoken) {
  element.replaceChildren(...stream.pieces.map((piece) => {
    const span = document.createElement("span");
    span.textContent = piece.text;
    span.dataset.seq = piece.seq;
    if (spoken && spoken.requestId === stream.requestId && spoken.seq === piece.seq) span.className = "speaking";
    return span;
  }));
}

const page = new GuidePage();
window.guide = page; // for operators' consoles and the browser test
page.start();
