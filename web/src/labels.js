// Labels a visitor can read: each is a camera-facing sprite of constant on-screen size with a dark
// backing, and each frame only the nearest few are shown, never two overlapping on screen nor under
// the page's own panels. The current exhibit's label comes first (always shown), then room names,
// then exhibits by distance to the eye.
import * as THREE from "three";

/** A one-line label's height in three's unattenuated sprite units: about 23 px on an 800 px high view
 * with a 55 degree field of view, at any distance. */
const LABEL_SCREEN_HEIGHT = 0.03;
/** Exhibit labels shown at once, nearest the eye first. */
export const MAX_EXHIBIT_LABELS = 8;
/** Pixels kept free around each shown label. */
const MARGIN_PX = 4;
const LINE_CHARS = 22;

/** `text` in at most two lines of about LINE_CHARS characters (the second ends in "..." when cut). */
export function wrapLabel(text) {
  const words = text.split(/\s+/).filter(Boolean);
  const lines = [""];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last && `${last} ${word}`.length > LINE_CHARS) {
      if (lines.length === 2) {
        lines[1] = `${last}...`;
        return lines;
      }
      lines.push(word);
    } else lines[lines.length - 1] = last ? `${last} ${word}` : word;
  }
  return lines;
}

/** A sprite showing `text` on a dark rounded backing, drawn over the scene. */
export function makeLabel(text, { colour = "#ffffff" } = {}) {
  const lines = wrapLabel(text);
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d");
  const font = "600 40px system-ui, sans-serif";
  ctx.font = font;
  const lineHeight = 48;
  canvas.width = Math.min(1024, Math.ceil(Math.max(...lines.map((l) => ctx.measureText(l).width))) + 28);
  canvas.height = lineHeight * lines.length + 16;
  ctx.fillStyle = "rgba(12,14,18,0.78)";
  ctx.beginPath();
  ctx.roundRect(0, 0, canvas.width, canvas.height, 14);
  ctx.fill();
  ctx.font = font;
  ctx.fillStyle = colour;
  ctx.textBaseline = "middle";
  lines.forEach((line, i) => ctx.fillText(line, 14, 8 + lineHeight * (i + 0.5)));
  const material = new THREE.SpriteMaterial({
    map: new THREE.CanvasTexture(canvas), sizeAttenuation: false, depthTest: false, depthWrite: false,
  });
  const sprite = new THREE.Sprite(material);
  sprite.renderOrder = 10; // over markers and floors
  const height = (LABEL_SCREEN_HEIGHT * canvas.height) / 64; // one line: LABEL_SCREEN_HEIGHT
  sprite.scale.set((height * canvas.width) / canvas.height, height, 1);
  sprite.center.set(0.5, 0); // anchored at its bottom edge, above the thing it names
  return sprite;
}

/** Chooses, each frame, which labels are shown. */
export class LabelLayout {
  constructor() {
    this.labels = []; // {id, kind: "room"|"exhibit", sprite, rect}
    this.currentId = null;
    this.shown = [];
  }

  add(id, kind, sprite) {
    this.labels.push({ id, kind, sprite, rect: null });
  }

  clear() {
    this.labels = [];
    this.shown = [];
  }

  /**
   * Show the current exhibit, room names and the nearest exhibits whose labels do not overlap each
   * other or the `blocked` screen rectangles ({x, y, w, h}: the page's panels over the 3D view).
   */
  update(camera, width, height, blocked = []) {
    const eye = new THREE.Vector3().setFromMatrixPosition(camera.matrixWorld);
    const pxPerUnit = (camera.projectionMatrix.elements[5] * height) / 2;
    const ranked = this.labels.map((label) => ({
      label,
      rank: label.id === this.currentId ? -1 : label.kind === "room" ? 0 : 1,
      distance: label.sprite.position.distanceTo(eye),
    }));
    ranked.sort((a, b) => a.rank - b.rank || a.distance - b.distance);
    const taken = [];
    let exhibits = 0;
    for (const { label, rank } of ranked) {
      label.sprite.visible = false;
      label.rect = null;
      if (rank === 1 && exhibits >= MAX_EXHIBIT_LABELS) continue;
      const ndc = label.sprite.position.clone().project(camera);
      if (ndc.z < -1 || ndc.z > 1 || Math.abs(ndc.x) > 1.1 || Math.abs(ndc.y) > 1.1) continue; // behind or off screen
      const w = label.sprite.scale.x * pxPerUnit;
      const h = label.sprite.scale.y * pxPerUnit;
      const x = ((ndc.x + 1) / 2) * width - w / 2;
      const y = ((1 - ndc.y) / 2) * height - h; // anchored at the bottom edge
      const rect = { x, y, w, h };
      if (rank >= 0 && [...taken, ...blocked].some((r) => overlaps(r, rect))) continue;
      taken.push(rect);
      label.rect = rect;
      label.sprite.visible = true;
      label.sprite.material.color.setHex(rank === -1 ? 0xffd34d : 0xffffff); // the current exhibit in gold
      if (rank === 1) exhibits += 1;
    }
    this.shown = this.labels.filter((l) => l.sprite.visible);
  }

  /** What is shown and where (screen pixels), for the browser test and operators' consoles. */
  report() {
    return {
      total: this.labels.length,
      shown: this.shown.map((l) => ({ id: l.id, kind: l.kind, rect: l.rect })),
    };
  }
}

function overlaps(a, b) {
  return a.x - MARGIN_PX < b.x + b.w && b.x - MARGIN_PX < a.x + a.w && a.y - MARGIN_PX < b.y + b.h && b.y - MARGIN_PX < a.y + a.h;
}
