// @ts-check
/**
 * isosurfaceView: a rotatable 3-D isosurface of a map at a density threshold, in WebGL (three.js).
 *
 *   const view = isosurfaceView({ data, nx, ny, nz, voxelSize, threshold, width = 420, height = 360, colors })
 *                                → HTMLElement
 *   view.setThreshold(t)   recomputes the surface and redraws at the next animation frame; calls within one frame
 *                          are coalesced (the last threshold wins); returns a Promise of the triangle count
 *   view.views(angles)     the current surface seen at fixed angles, as PNG data URLs (see `fixedView`); the
 *                          interactive view is drawn again afterwards, unchanged
 *   view.dispose()         frees the WebGL context, the buffers and the listeners (call it from invalidation)
 *
 * - data: Float32Array of nx × ny × nz, x fastest (lib/io/volume.ts's Volume.data); voxelSize: [x, y, z] Å, or null
 *   for 1 Å. Anisotropic voxels give the true shape: the surface and the box outline are drawn in Å.
 * - colors: optional Float32Array of nx × ny × nz RGB triplets (0..1), the colour of the surface at each voxel
 *   (interpolated along the cube edges like the surface itself); without it the surface is one colour.
 * - The surface encloses the voxels whose density is ≥ threshold. It is closed at the faces of the box, so density
 *   cut by the box shows as a flat face rather than a hole; that face lies between the last voxel centres and the
 *   box outline (half a voxel further).
 * - Mouse: drag to rotate, wheel to zoom, right-drag to pan (three's OrbitControls).
 * - Without WebGL the element is a message saying so; setThreshold then resolves to null.
 *
 * Marching cubes is three's `MarchingCubes` (examples/jsm/objects), which polygonizes a cube of resolution³
 * samples: the map is copied into a cube of side max(nx, ny, nz) + 4, padded with a density below every voxel.
 * Its memory is 28 bytes per cube sample (field, normal and colour caches), about 125 MB for a 160³ map, plus
 * 72 bytes per triangle of buffer (at least 15 % of the voxel count). One recompute in headless Chromium on this
 * project's 2-core machine (busy with other builds): 30–120 ms at 100³, 60–170 ms at 128³, 110–310 ms at 160³
 * (data-compute-ms gives the last one); coalescing keeps a slider responsive, but at 160³ the surface follows it
 * at a few frames per second.
 *
 * Test hooks: data-testid="isosurface-view" with data-threshold, data-triangles, data-compute-ms and data-bounds
 * (JSON [[xmin, ymin, zmin], [xmax, ymax, zmax]] of the surface in Å, from voxel (0, 0, 0)'s centre); the WebGL
 * canvas is "isosurface-canvas" (drawn with preserveDrawingBuffer, so it can be read back and printed); without
 * WebGL, data-webgl="unavailable" and the message is "isosurface-message".
 */
import {
  AmbientLight,
  Box3,
  Box3Helper,
  Color,
  DirectionalLight,
  DoubleSide,
  Matrix4,
  MeshStandardMaterial,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer
} from "three";
import {OrbitControls} from "three/examples/jsm/controls/OrbitControls.js";
import {MarchingCubes} from "three/examples/jsm/objects/MarchingCubes.js";
import {finiteExtent} from "../lib/report/colormap.js";

// MarchingCubes polygonizes only the cells between samples 1 and resolution − 2, and its normals read one sample
// further: two samples of padding on each side let the surface close over the map's own faces.
const PADDING = 2;
// EMD-1997 at its contour level gives 13 triangles per 100 voxels, a synthetic 160³ map 6: 15 % of the voxels leaves
// room, so that regrowing the buffers (a second polygonization and a warning from three) stays rare.
const initialTriangles = (/** @type {number} */ voxels) => Math.max(200_000, Math.ceil(0.15 * voxels));

/**
 * @typedef {HTMLDivElement & {
 *   setThreshold(threshold: number): Promise<number | null>,
 *   views(angles: number[][]): string[] | null,
 *   dispose(): void,
 * }} IsosurfaceView
 */

/** @typedef {MarchingCubes & {maxTriangles: number}} Surface A MarchingCubes mesh with the triangles its buffers hold. */

/**
 * @param {{data: Float32Array, nx: number, ny: number, nz: number, voxelSize: number[] | null, threshold: number,
 *   width?: number, height?: number, colors?: Float32Array}} options
 * @returns {IsosurfaceView}
 */
export function isosurfaceView({data, nx, ny, nz, voxelSize, threshold, width = 420, height = 360, colors}) {
  const element = /** @type {IsosurfaceView} */ (document.createElement("div"));
  element.className = "mapval-isosurface-view";
  element.dataset.testid = "isosurface-view";
  element.style.cssText = `position: relative; width: ${width}px; height: ${height}px; border: 1px solid #bbb; ` +
    "background: #fff; max-width: 100%; break-inside: avoid;";

  const canvas = document.createElement("canvas");
  canvas.dataset.testid = "isosurface-canvas";
  // preserveDrawingBuffer keeps the last frame for printing and for reading pixels back.
  const contextAttributes = {antialias: true, preserveDrawingBuffer: true, alpha: false};
  const gl = /** @type {WebGL2RenderingContext | null} */ (canvas.getContext("webgl2", contextAttributes));
  if (!gl) return unavailable(element);

  const renderer = new WebGLRenderer({canvas, context: gl, ...contextAttributes});
  renderer.setPixelRatio(window.devicePixelRatio);
  renderer.setSize(width, height);
  renderer.setClearColor(0xffffff);
  element.appendChild(canvas);

  const spacing = voxelSize ?? [1, 1, 1];
  const extent = [nx, ny, nz].map((n, axis) => (n - 1) * spacing[axis]);
  const centre = new Vector3(...extent).multiplyScalar(0.5);

  const scene = new Scene();
  scene.add(new AmbientLight(0xffffff, 0.4));
  const camera = new PerspectiveCamera(35, width / height, 0.1, 1e5);
  const headlight = new DirectionalLight(0xffffff, 2.2);
  headlight.position.set(0.4, 0.6, 1);
  camera.add(headlight);
  scene.add(camera);

  // The map's box: from the first to the last voxel centre, half a voxel beyond on each side.
  const halfVoxel = new Vector3(...spacing).multiplyScalar(0.5);
  const box = new Box3(halfVoxel.clone().negate(), new Vector3(...extent).add(halfVoxel));
  scene.add(new Box3Helper(box, new Color(0x888888)));

  const material = new MeshStandardMaterial({
    color: colors ? 0xffffff : 0x7fa6d6, vertexColors: Boolean(colors), roughness: 0.55, metalness: 0.05, side: DoubleSide
  });
  const resolution = Math.max(nx, ny, nz) + 2 * PADDING;
  let surface = marchingCubes(resolution, material, initialTriangles(nx * ny * nz), Boolean(colors));
  fillField(surface.field, resolution, data, nx, ny, nz);
  if (colors) fillPalette(surface.palette, resolution, colors, nx, ny, nz);
  placeInAngstroms(surface, resolution, spacing);
  scene.add(surface);

  // 85 % of the distance at which the box's bounding sphere fills the narrower field of view: seen obliquely, the box
  // is smaller than that sphere and then nearly fills the view.
  const radius = box.getSize(new Vector3()).length() / 2;
  const halfFovY = (camera.fov * Math.PI) / 360;
  const halfNarrowerFov = Math.min(halfFovY, Math.atan(Math.tan(halfFovY) * camera.aspect));
  const distance = (0.85 * radius) / Math.sin(halfNarrowerFov);
  camera.position.copy(centre).add(new Vector3(0.55, -0.75, 0.6).normalize().multiplyScalar(distance));
  camera.up.set(0, 0, 1);
  const controls = new OrbitControls(camera, canvas);
  controls.target.copy(centre);
  controls.update();
  const render = () => renderer.render(scene, camera);
  controls.addEventListener("change", render);

  /** @param {number} value */
  function recompute(value) {
    const started = performance.now();
    surface.isolation = value;
    surface.update();
    let triangles = surface.count / 3;
    if (triangles > surface.maxTriangles) {
      // The buffers were too small (three warned and dropped the excess): regrow them with room to spare, once.
      const {field, palette} = surface;
      scene.remove(surface);
      surface.geometry.dispose();
      surface = marchingCubes(resolution, material, Math.ceil(triangles * 1.5), Boolean(colors));
      surface.field.set(field);
      if (colors) surface.palette.set(palette);
      placeInAngstroms(surface, resolution, spacing);
      scene.add(surface);
      surface.isolation = value;
      surface.update();
      triangles = surface.count / 3;
    }
    element.dataset.threshold = String(value);
    element.dataset.triangles = String(triangles);
    element.dataset.computeMs = (performance.now() - started).toFixed(1);
    element.dataset.bounds = JSON.stringify(surfaceBounds(surface, triangles));
    render();
    return triangles;
  }

  // A slider sends thresholds faster than a large map polygonizes: calls are coalesced to one recompute per frame,
  // with the latest threshold, and every caller's promise gets that result.
  /** @type {{value: number, result: Promise<number | null>} | null} */
  let pending = null;
  /** @param {number} value */
  function setThreshold(value) {
    if (pending) {
      pending.value = value;
      return pending.result;
    }
    /** @type {(triangles: number | null) => void} */
    let settle = () => {};
    const next = {value, result: new Promise((resolve) => (settle = resolve))};
    pending = next;
    requestAnimationFrame(() => {
      pending = null;
      settle(disposed ? null : recompute(next.value));
    });
    return next.result;
  }

  /**
   * The surface as ChimeraX shows it after "turn x a; turn y b; turn z c" from its default view (x right, y up,
   * looking down −z): turns about the screen axes, in that order, so the model is turned by R = Rz·Ry·Rx. Seen from
   * +z, the turned model is the model seen from R⁻¹·(+z) with R⁻¹·(+y) up; the main camera is moved there for one
   * frame and put back.
   */
  /** @param {number[]} angles */
  function fixedView([ax, ay, az]) {
    const degrees = Math.PI / 180;
    const inverse = new Matrix4().makeRotationZ(az * degrees)
      .multiply(new Matrix4().makeRotationY(ay * degrees))
      .multiply(new Matrix4().makeRotationX(ax * degrees))
      .invert();
    // Closer than the interactive view: straight on, the box hides less of the frame than seen obliquely.
    camera.position.copy(centre).add(new Vector3(0, 0, 0.7 * distance).applyMatrix4(inverse));
    camera.up.copy(new Vector3(0, 1, 0).applyMatrix4(inverse));
    camera.lookAt(centre);
    renderer.render(scene, camera);
    return canvas.toDataURL("image/png");
  }
  /** @param {number[][]} angles */
  function views(angles) {
    const saved = {position: camera.position.clone(), up: camera.up.clone(), quaternion: camera.quaternion.clone()};
    const urls = angles.map(fixedView);
    camera.position.copy(saved.position);
    camera.up.copy(saved.up);
    camera.quaternion.copy(saved.quaternion);
    render();
    return urls;
  }

  let disposed = false;
  recompute(threshold);
  element.setThreshold = setThreshold;
  element.views = views;
  element.dispose = () => {
    disposed = true;
    controls.dispose();
    surface.geometry.dispose();
    material.dispose();
    renderer.dispose();
    renderer.forceContextLoss();
  };
  return element;
}

/** @param {IsosurfaceView} element */
function unavailable(element) {
  element.dataset.webgl = "unavailable";
  const message = element.appendChild(document.createElement("p"));
  message.dataset.testid = "isosurface-message";
  message.style.cssText = "margin: 1em; color: #a33;";
  message.textContent = "The 3-D view needs WebGL 2, which this browser does not provide (or has turned off).";
  element.setThreshold = async () => null;
  element.views = () => null;
  element.dispose = () => {};
  return element;
}

/**
 * @param {number} resolution
 * @param {MeshStandardMaterial} material
 * @param {number} maxTriangles
 * @param {boolean} enableColors
 * @returns {Surface}
 */
function marchingCubes(resolution, material, maxTriangles, enableColors) {
  const surface = /** @type {Surface} */ (new MarchingCubes(resolution, material, false, enableColors, maxTriangles));
  surface.maxTriangles = maxTriangles;
  // three's bounding sphere is that of the whole cube; the renderer must not cull the scaled mesh by it.
  surface.frustumCulled = false;
  return surface;
}

/** The map into the middle of the cube; the padding and any NaN or ±Infinity below the map, so the surface closes. */
/**
 * @param {Float32Array} field
 * @param {number} resolution
 * @param {Float32Array} data
 * @param {number} nx
 * @param {number} ny
 * @param {number} nz
 */
function fillField(field, resolution, data, nx, ny, nz) {
  const [min, max] = finiteExtent(data) ?? [0, 0];
  // One full range below the minimum: a face then cuts an edge to the padding at most half-way, inside the box outline,
  // and the gradients at the box faces stay of the map's own scale, so the lighting there stays right.
  const outside = min - (max > min ? max - min : 1);
  field.fill(outside);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const start = PADDING + resolution * (PADDING + y + resolution * (PADDING + z));
      for (let x = 0; x < nx; x++, i++) field[start + x] = Number.isFinite(data[i]) ? data[i] : outside;
    }
}

/** The voxels' colours into the same samples as `fillField` puts their densities (the padding stays black). */
/**
 * @param {Float32Array} palette
 * @param {number} resolution
 * @param {Float32Array} colors
 * @param {number} nx
 * @param {number} ny
 * @param {number} nz
 */
function fillPalette(palette, resolution, colors, nx, ny, nz) {
  palette.fill(0);
  for (let z = 0, i = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const start = PADDING + resolution * (PADDING + y + resolution * (PADDING + z));
      palette.set(colors.subarray(3 * i, 3 * (i + nx)), 3 * start);
      i += nx;
    }
}

/**
 * MarchingCubes puts cube sample i at (i − resolution/2)/(resolution/2); scaled and moved so that map voxel
 * (x, y, z) lands at (x, y, z) × voxel size in Å.
 */
/**
 * @param {Surface} surface
 * @param {number} resolution
 * @param {number[]} spacing
 */
function placeInAngstroms(surface, resolution, spacing) {
  const half = resolution / 2;
  surface.scale.set(spacing[0] * half, spacing[1] * half, spacing[2] * half);
  surface.position.set(spacing[0] * (half - PADDING), spacing[1] * (half - PADDING), spacing[2] * (half - PADDING));
}

/** Bounds in Å of the triangles drawn now (the buffers hold stale vertices past them). */
/**
 * @param {Surface} surface
 * @param {number} triangles
 */
function surfaceBounds(surface, triangles) {
  if (triangles === 0) return null;
  const positions = surface.positionArray;
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < triangles * 9; i += 3)
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[i + axis];
      if (value < min[axis]) min[axis] = value;
      if (value > max[axis]) max[axis] = value;
    }
  const scale = surface.scale.toArray(), offset = surface.position.toArray();
  const toAngstroms = (/** @type {number[]} */ corner) => corner.map((value, axis) => value * scale[axis] + offset[axis]);
  return [toAngstroms(min), toAngstroms(max)];
}
