// The guide's voice in the page: each `speech.audio` clip is scheduled through Web Audio right after
// the one before it (sample-accurate, so sentences join without gaps); a new description or an answer
// drops what was still queued. Clips are little-endian 16-bit mono PCM (guide_core/protocol.py).

/** Seconds between a clip arriving to an idle player and its start, so its first samples are not cut. */
const START_LEAD_S = 0.05;

/** Samples of a `speech.audio` message's base64 PCM, as floats in [-1, 1). */
export function decodePcm16(base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Float32Array(Math.floor(bytes.byteLength / 2));
  for (let i = 0; i < samples.length; i += 1) samples[i] = view.getInt16(2 * i, true) / 32768;
  return samples;
}

/** Plays the clips of the request being shown, back to back; counts what it did for tests and operators. */
export class SpeechPlayer {
  constructor(makeContext = () => new AudioContext()) {
    this.makeContext = makeContext;
    this.context = null;
    this.enabled = false;
    this.requestId = null; // the request whose clips are played (the latest description or answer)
    this.sources = [];
    this.scheduled = []; // {requestId, seq, start, end} in context time, for highlighting
    this.nextStart = 0;
    this.stats = { clips: 0, seconds: 0, gaps: 0, dropped: 0, played: [] };
  }

  /** Turn speech on (call it from a click: browsers start audio only after a gesture) or off. */
  setEnabled(enabled) {
    this.enabled = enabled;
    if (!enabled) return this.stop();
    if (!this.context) this.context = this.makeContext();
    return this.context.resume();
  }

  /** Follow one server message: start messages pick the request to speak, clips are queued. */
  onMessage(message) {
    if (message.type === "description.start" || message.type === "answer.start") {
      if (message.request_id !== this.requestId) {
        this.stop();
        this.requestId = message.request_id;
      }
    } else if (message.type === "speech.audio") {
      this.play(message);
    }
  }

  play(clip) {
    if (!this.enabled || !this.context || clip.request_id !== this.requestId) {
      this.stats.dropped += 1;
      return;
    }
    const samples = decodePcm16(clip.audio);
    if (samples.length === 0) return;
    const buffer = this.context.createBuffer(1, samples.length, clip.sample_rate);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    const now = this.context.currentTime;
    const following = this.scheduled.length > 0; // not the request's first clip
    if (following && this.nextStart < now) this.stats.gaps += 1; // the voice fell silent mid-request
    const start = Math.max(now + (following ? 0 : START_LEAD_S), this.nextStart);
    source.start(start);
    source.onended = () => { this.sources = this.sources.filter((s) => s !== source); };
    this.sources.push(source);
    this.nextStart = start + buffer.duration;
    this.scheduled.push({ requestId: clip.request_id, seq: clip.seq, start, end: this.nextStart });
    this.stats.clips += 1;
    this.stats.seconds += buffer.duration;
    this.stats.played.push({ requestId: clip.request_id, seq: clip.seq, seconds: buffer.duration });
  }

  /** The sentence being spoken now ({requestId, seq}), or null. */
  speaking() {
    if (!this.context) return null;
    const now = this.context.currentTime;
    const clip = this.scheduled.find((c) => c.start <= now && now < c.end);
    return clip ? { requestId: clip.requestId, seq: clip.seq } : null;
  }

  /** Silence at once and forget the queue. */
  stop() {
    for (const source of this.sources) {
      try {
        source.stop();
      } catch {
        // never started: nothing to stop
      }
    }
    this.sources = [];
    this.scheduled = [];
    this.nextStart = 0;
  }
}
