// What the exhibit panel shows, built from description.* and answer.* messages (no DOM here).

/** Accumulates streamed text per request; `seq` orders pieces and drops repeats after a resume. */
export class PanelState {
  constructor() {
    this.exhibitId = null;
    this.exhibitTitle = null;
    this.description = { requestId: null, text: "", pieces: [], nextSeq: 0, end: null };
    this.answer = { requestId: null, question: "", text: "", pieces: [], nextSeq: 0, end: null };
  }

  /** Apply one server message; returns true when the panel must be redrawn. */
  apply(message) {
    switch (message.type) {
      case "tour.state":
        if (message.exhibit_id && message.exhibit_id !== this.exhibitId) {
          this.exhibitId = message.exhibit_id;
          this.exhibitTitle = message.exhibit_title || message.exhibit_id;
        } else if (message.exhibit_title) {
          this.exhibitTitle = message.exhibit_title;
        }
        return true;
      case "description.start":
        // The same description again (a resumed stream): keep the text already shown.
        if (message.request_id === this.description.requestId) return false;
        if (message.exhibit_id !== this.exhibitId) this.exhibitTitle = null;
        this.exhibitId = message.exhibit_id;
        this.description = { requestId: message.request_id, text: "", pieces: [], nextSeq: 0, end: null, cached: message.cached };
        this.answer = { requestId: null, question: "", text: "", pieces: [], nextSeq: 0, end: null };
        return true;
      case "description.delta":
        return append(this.description, message);
      case "description.end":
        return finish(this.description, message);
      case "answer.start":
        this.answer = { requestId: message.request_id, question: message.question || "", text: "", pieces: [], nextSeq: 0, end: null };
        return true;
      case "answer.delta":
        return append(this.answer, message);
      case "answer.end":
        return finish(this.answer, message);
      default:
        return false;
    }
  }

  /** The request id of the text a rating refers to (the answer when there is one). */
  shownRequestId() {
    return this.answer.requestId || this.description.requestId;
  }
}

function append(stream, message) {
  if (message.request_id !== stream.requestId || message.seq < stream.nextSeq) return false;
  stream.text += message.text;
  stream.pieces.push({ seq: message.seq, text: message.text }); // one released sentence each
  stream.nextSeq = message.seq + 1;
  return true;
}

function finish(stream, message) {
  if (message.request_id !== stream.requestId) return false;
  if (!stream.text && message.fallback_text) {
    stream.text = message.fallback_text;
    stream.pieces = [{ seq: -1, text: message.fallback_text }];
    stream.fromSummary = true; // the curators' summary, shown because generation failed
  }
  stream.end = message;
  return true;
}

/**
 * One line for visitors on the text shown, and whether it needs attention (an unfinished stream).
 * The server streams only sentences the claim checker released, so this never mentions withheld ones:
 * `fact_check.withheld` is for curators and logs, not for the page.
 */
export function describeFactCheck(end, fromSummary = false) {
  if (!end) return { text: "", flagged: false };
  const check = end.fact_check;
  if (!fromSummary && (!check || !check.released)) {
    // Nothing was released to show (or an old server sent no check): say only how the stream ended.
    return { text: end.finish_reason === "stop" ? "" : `(${end.finish_reason})`, flagged: end.finish_reason !== "stop" };
  }
  if (fromSummary || check.fallback) return { text: "From the museum's record.", flagged: false };
  return { text: "Checked against the museum's record.", flagged: false };
}
