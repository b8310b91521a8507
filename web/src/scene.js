// The 3D museum: floor plan rooms, exhibit markers, the robot's twin, and an in-VR text panel.
//
// Frames: the museum map is ROS's (right-handed, z up, x forward, yaw CCW from +x).
// three.js is right-handed with y up, so a map point (x, y) is (x, 0, -y) here and a map
// yaw is a rotation of +yaw about three's y axis.
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { VRButton } from "three/addons/webxr/VRButton.js";
import { LabelLayout, makeLabel } from "./labels.js";

const ROOM_COLOURS = [0x8c7b63, 0x6f8a78, 0x7a7196, 0x98775d, 0x5f7f93];

/** A map-frame point as a three.js position. */
export function mapToScene(x, y, height = 0) {
  return new THREE.Vector3(x, height, -y);
}

/** A plane whose texture is a canvas we draw the exhibit text on; shown while in VR. */
class VrPanel {
  constructor() {
    this.canvas = document.createElement("canvas");
    this.canvas.width = 1024;
    this.canvas.height = 768;
    this.texture = new THREE.CanvasTexture(this.canvas);
    this.mesh = new THREE.Mesh(new THREE.PlaneGeometry(1.6, 1.2), new THREE.MeshBasicMaterial({ map: this.texture, side: THREE.DoubleSide }));
    this.mesh.visible = false;
  }

  draw(title, body, footer) {
    const ctx = this.canvas.getContext("2d");
    ctx.fillStyle = "rgba(245,240,228,0.96)";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.fillStyle = "#222";
    ctx.font = "bold 44px system-ui, sans-serif";
    ctx.fillText(title || "", 32, 64);
    ctx.font = "30px system-ui, sans-serif";
    let y = 120;
    for (const paragraph of (body || "").split("\n")) {
      let line = "";
      for (const word of paragraph.split(" ")) {
        const trial = line ? `${line} ${word}` : word;
        if (ctx.measureText(trial).width > this.canvas.width - 64 && line) {
          ctx.fillText(line, 32, y);
          y += 38;
          line = word;
        } else line = trial;
      }
      ctx.fillText(line, 32, y);
      y += 38;
      if (y > this.canvas.height - 60) break;
    }
    ctx.fillStyle = "#8a5a00";
    ctx.fillText(footer || "", 32, this.canvas.height - 28);
    this.texture.needsUpdate = true;
  }
}

/** Owns the renderer, the floor plan and the robot twin. */
export class MuseumScene {
  /** `overlays`: page elements drawn over the 3D view, kept clear of labels (outside VR). */
  constructor(container, overlays = []) {
    this.container = container;
    this.overlays = overlays;
    this.markers = new Map();
    this.labels = new LabelLayout();
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.setSize(container.clientWidth, container.clientHeight);
    this.renderer.xr.enabled = true;
    container.appendChild(this.renderer.domElement);
    document.body.appendChild(VRButton.createButton(this.renderer));

    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(0x1d2228);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 2.2));
    const sun = new THREE.DirectionalLight(0xffffff, 1.5);
    sun.position.set(5, 20, 10);
    this.scene.add(sun);

    this.camera = new THREE.PerspectiveCamera(55, container.clientWidth / container.clientHeight, 0.05, 200);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.robot = this.buildRobot();
    this.robot.visible = false;
    this.scene.add(this.robot);
    this.robotTarget = null;
    this.vrPanel = new VrPanel();
    this.scene.add(this.vrPanel.mesh);

    window.addEventListener("resize", () => this.resize());
    this.renderer.setAnimationLoop(() => this.frame());
  }

  buildRobot() {
    const group = new THREE.Group();
    const base = new THREE.Mesh(new THREE.CylinderGeometry(0.18, 0.18, 0.12, 32), new THREE.MeshStandardMaterial({ color: 0x333333 }));
    base.position.y = 0.08;
    const body = new THREE.Mesh(new THREE.CylinderGeometry(0.16, 0.16, 0.35, 32), new THREE.MeshStandardMaterial({ color: 0xdddddd }));
    body.position.y = 0.32;
    const nose = new THREE.Mesh(new THREE.ConeGeometry(0.08, 0.22, 16), new THREE.MeshStandardMaterial({ color: 0xff5533 }));
    nose.rotation.z = -Math.PI / 2; // the cone points along +x: the robot's forward
    nose.position.set(0.22, 0.2, 0);
    group.add(base, body, nose);
    group.scale.setScalar(2.2); // visible from across a 24 m floor
    return group;
  }

  /** Draw rooms and exhibit markers from the floor plan (GET /api/museum) and titles. */
  showFloorPlan(plan, titles) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    plan.rooms.forEach((room, i) => {
      const w = room.x_max - room.x_min;
      const d = room.y_max - room.y_min;
      const floor = new THREE.Mesh(new THREE.BoxGeometry(w - 0.1, 0.05, d - 0.1), new THREE.MeshStandardMaterial({ color: ROOM_COLOURS[i % ROOM_COLOURS.length] }));
      floor.position.copy(mapToScene(room.x_min + w / 2, room.y_min + d / 2, -0.03));
      this.scene.add(floor);
      const name = makeLabel(room.name, { colour: "#f4e9c8" });
      name.position.copy(mapToScene(room.x_min + w / 2, room.y_max - 0.6, 0.3));
      this.scene.add(name);
      this.labels.add(room.name, "room", name);
      minX = Math.min(minX, room.x_min); minY = Math.min(minY, room.y_min);
      maxX = Math.max(maxX, room.x_max); maxY = Math.max(maxY, room.y_max);
    });
    for (const placement of plan.exhibits) {
      const marker = new THREE.Mesh(new THREE.CylinderGeometry(0.25, 0.3, 1.0, 24), new THREE.MeshStandardMaterial({ color: 0xc9b27c }));
      marker.position.copy(mapToScene(placement.x, placement.y, 0.5));
      const ring = new THREE.Mesh(new THREE.RingGeometry(placement.trigger_radius - 0.04, placement.trigger_radius, 48), new THREE.MeshBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.35, side: THREE.DoubleSide }));
      ring.rotation.x = -Math.PI / 2;
      ring.position.copy(mapToScene(placement.x, placement.y, 0.01));
      const title = makeLabel(titles.get(placement.id) || placement.id);
      title.position.copy(mapToScene(placement.x, placement.y, 1.1));
      this.scene.add(marker, ring, title);
      this.labels.add(placement.id, "exhibit", title);
      this.markers.set(placement.id, marker);
    }
    const centre = mapToScene((minX + maxX) / 2, (minY + maxY) / 2, 0);
    const span = Math.max(maxX - minX, maxY - minY);
    this.camera.position.copy(centre).add(new THREE.Vector3(0, span * 0.9, span * 0.75));
    this.controls.target.copy(centre);
    this.controls.update();
  }

  /** Move the robot twin to a `pose` message. */
  setRobotPose(pose) {
    this.robotTarget = { position: mapToScene(pose.x, pose.y, 0), yaw: pose.yaw };
    if (!this.robot.visible) {
      this.robot.position.copy(this.robotTarget.position);
      this.robot.rotation.y = pose.yaw;
      this.robot.visible = true;
    }
  }

  /** Highlight the current exhibit and put the VR panel beside it. */
  setCurrentExhibit(exhibitId) {
    this.labels.currentId = exhibitId;
    for (const [id, marker] of this.markers) marker.material.color.setHex(id === exhibitId ? 0xffd34d : 0xc9b27c);
    const marker = this.markers.get(exhibitId);
    if (marker) {
      this.vrPanel.mesh.position.copy(marker.position).add(new THREE.Vector3(0, 1.4, 0.6));
    }
  }

  /** Redraw the in-VR panel text. */
  drawPanel(title, body, footer) {
    this.vrPanel.draw(title, body, footer);
  }

  /** Screen rectangles of the visible overlays, in the 3D view's pixels. */
  overlayRects() {
    const origin = this.container.getBoundingClientRect();
    return this.overlays.filter((el) => !el.hidden).map((el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height };
    });
  }

  resize() {
    const { clientWidth: w, clientHeight: h } = this.container;
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.renderer.setSize(w, h);
  }

  frame() {
    if (this.robotTarget) {
      this.robot.position.lerp(this.robotTarget.position, 0.2);
      let dyaw = this.robotTarget.yaw - this.robot.rotation.y;
      dyaw = Math.atan2(Math.sin(dyaw), Math.cos(dyaw));
      this.robot.rotation.y += dyaw * 0.2;
    }
    const presenting = this.renderer.xr.isPresenting;
    this.vrPanel.mesh.visible = presenting;
    if (presenting) this.vrPanel.mesh.lookAt(this.renderer.xr.getCamera().position);
    const eye = presenting ? this.renderer.xr.getCamera() : this.camera;
    this.camera.updateMatrixWorld();
    this.labels.update(eye, this.container.clientWidth, this.container.clientHeight, presenting ? [] : this.overlayRects());
    this.renderer.render(this.scene, this.camera);
  }
}
