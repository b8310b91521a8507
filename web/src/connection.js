// The visitor socket: hello with token (and resume point), reconnect with backoff.
// Message shapes are guide_core/protocol.py's (exported to unity_bridge/protocol.schema.json).

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;

/** Keeps one visitor connection open; calls onMessage(msg) for each server message. */
export class GuideSocket {
  constructor({ url, token, tour, profile, speech = false, onMessage, onState }) {
    this.url = url;
    this.speech = speech; // sent in hello, so a reconnect keeps it
    this.token = token;
    this.tour = tour;
    this.profile = profile;
    this.onMessage = onMessage;
    this.onState = onState;
    this.resume = null; // {request_id, seq}: the last streamed piece seen
    this.delay = FIRST_DELAY_MS;
    this.socket = null;
    this.stopped = false;
    this.timer = null;
    this.attempts = 0;
  }

  /** Open the socket (and keep reopening it until stop()). */
  start() {
    this.stopped = false;
    this.connect();
  }

  /** Close for good. */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, "bye");
  }

  /** Close and reconnect now, e.g. after the settings changed. */
  restart() {
    this.stop();
    this.delay = FIRST_DELAY_MS;
    this.start();
  }

  connect() {
    this.attempts += 1;
    this.onState("connecting", `connecting (attempt ${this.attempts})...`);
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      const hello = { type: "hello", client: "visitor", protocol: 1, token: this.token, tour: this.tour, profile: this.profile, speech: this.speech };
      if (this.resume) hello.resume = this.resume;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (err) {
        console.warn("unreadable frame skipped", err);
        return;
      }
      if (message.type === "welcome") {
        this.delay = FIRST_DELAY_MS;
        this.onState("open", `connected (session ${message.session_id})`);
      }
      this.noteResume(message);
      this.onMessage(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      const why = event.reason ? `: ${event.reason}` : "";
      if (event.code === 4401) {
        this.onState("error", `the server refused the token${why}. Open Settings, or add ?token=... to the address.`);
      }
      const wait = this.delay * (0.75 + 0.25 * Math.random());
      this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
      if (event.code !== 4401) this.onState("closed", `disconnected (${event.code}${why}); retrying in ${(wait / 1000).toFixed(1)} s`);
      this.timer = setTimeout(() => this.connect(), wait);
    };
  }

  noteResume(message) {
    if (message.type === "description.start" || message.type === "answer.start") {
      this.resume = { request_id: message.request_id, seq: -1 };
    } else if ((message.type === "description.delta" || message.type === "answer.delta") && this.resume && message.request_id === this.resume.request_id) {
      this.resume = { request_id: message.request_id, seq: Math.max(this.resume.seq, message.seq) };
    }
  }

  /** Send a client message; false when not connected. */
  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }
}
