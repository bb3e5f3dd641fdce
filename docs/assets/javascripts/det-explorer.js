/* The interactive figure of the lecture "The Jacobian determinant and change of
   variables" (loaded by that page only).

   A point p that the reader drags over the plane, taps to, or moves with the
   arrow keys, and at p the image of a small square under the Jacobian of the
   lab's map f(x, y) = (x + 0.3 sin 2y, y + 0.3 x²): the parallelogram spanned
   by J e₁ and J e₂, blue where det J > 0 and red, turned over, where det J < 0
   (the shaded regions, where f folds the plane). p, J and det J are shown as
   text in a live region.

   Without this script (before it runs, in the PDF, in the notebook) the page
   shows the same picture at the starting point: the figure
   figures/jacobian-determinant/det-explorer.py, which this script enhances.
   tests/browser/test_interactive_figure.py drags the point and compares the
   numbers shown with the page's own Python. */
(() => {
  "use strict";

  const STATIC_IMAGE = 'img[src$="figures/jacobian-determinant/det-explorer.svg"]';
  const SVG = "http://www.w3.org/2000/svg";
  const PLANE = { xmin: -4.5, xmax: 4.5, ymin: -3, ymax: 3 }; // as in the static figure
  const UNIT = 40; // SVG units per unit of the plane
  const SIDE = 1; // the side of the square centred at p, in units of the plane
  const START = [0.7, -0.4]; // the page's point: det J = 0.82442991 there
  const STEP = 0.1;
  const BIG_STEP = 0.5;

  // The map's Jacobian as the page writes it, J = [[1, 0.6 cos 2y], [0.6 x, 1]].
  const jacobian = (x, y) => [
    [1, 0.6 * Math.cos(2 * y)],
    [0.6 * x, 1],
  ];
  const determinant = (J) => J[0][0] * J[1][1] - J[0][1] * J[1][0];
  const detAt = (x, y) => determinant(jacobian(x, y));

  // Plane to SVG coordinates (y upwards in the plane, downwards in SVG).
  const sx = (x) => (x - PLANE.xmin) * UNIT;
  const sy = (y) => (PLANE.ymax - y) * UNIT;
  const WIDTH = sx(PLANE.xmax);
  const HEIGHT = sy(PLANE.ymin);
  const round2 = (v) => Math.round(v * 100) / 100; // the point moves on a grid of 0.01
  const clamp = (v, low, high) => Math.min(high, Math.max(low, v));
  const minus = (text) => text.replace(/-/g, "\u2212");
  // Ten significant digits (what the page's Python is compared with), exact values short.
  const number = (v) => minus(String(Number(v.toPrecision(10))));
  const coordinate = (v) => minus(v.toFixed(2));
  const pairs = (points) => points.map(([x, y]) => `${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join(" ");

  function element(name, attributes = {}, parent = null) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (parent) parent.append(node);
    return node;
  }

  function html(name, className, parent, text = "") {
    const node = document.createElement(name);
    if (className) node.className = className;
    if (text) node.textContent = text;
    if (parent) parent.append(node);
    return node;
  }

  /* The regions where det J < 0, as polygons: along rows of the plane, the
     intervals where the determinant is negative (ends found by bisection), and
     the intervals of neighbouring rows that overlap joined into strips. */
  function negativeRegions(rows = 100, columns = 180) {
    const strips = [];
    let open = [];
    const xs = Array.from({ length: columns + 1 }, (_, i) => PLANE.xmin + ((PLANE.xmax - PLANE.xmin) * i) / columns);
    const crossing = (a, b, y) => {
      for (let k = 0; k < 40; k++) {
        const m = (a + b) / 2;
        if (Math.sign(detAt(m, y)) === Math.sign(detAt(a, y))) a = m;
        else b = m;
      }
      return (a + b) / 2;
    };
    for (let r = 0; r <= rows; r++) {
      const y = PLANE.ymin + ((PLANE.ymax - PLANE.ymin) * r) / rows;
      const intervals = [];
      let start = detAt(xs[0], y) < 0 ? xs[0] : null;
      for (let i = 1; i <= columns; i++) {
        const was = detAt(xs[i - 1], y) < 0;
        const is = detAt(xs[i], y) < 0;
        if (!was && is) start = crossing(xs[i - 1], xs[i], y);
        if (was && !is) intervals.push([start, crossing(xs[i - 1], xs[i], y)]);
      }
      if (start !== null && detAt(xs[columns], y) < 0) intervals.push([start, xs[columns]]);
      const next = [];
      for (const [a, b] of intervals) {
        let strip = open.find((s) => s.left.at(-1)[0] <= b && a <= s.right.at(-1)[0]);
        if (!strip) strips.push((strip = { left: [], right: [] }));
        open = open.filter((s) => s !== strip);
        strip.left.push([a, y]);
        strip.right.push([b, y]);
        next.push(strip);
      }
      open = next;
    }
    return strips.map((s) => ({
      outline: [...s.left, ...s.right.reverse()],
      // The fold itself: the ends of the intervals that are not the edge of the plane.
      folds: [s.left, s.right].map((side) =>
        side.filter(([x]) => x > PLANE.xmin + 1e-9 && x < PLANE.xmax - 1e-9)),
    }));
  }

  function build(figure) {
    const root = html("div", "det-explorer");
    const svg = element("svg", {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      class: "det-explorer__plane",
      role: "group",
      "aria-label": "The plane: the image of a small square at p under the Jacobian of f",
    });
    root.append(svg);

    // Grid, axes and a few numbers on them.
    const grid = element("g", { class: "det-explorer__grid" }, svg);
    for (let x = Math.ceil(PLANE.xmin); x <= PLANE.xmax; x++) {
      element("line", { x1: sx(x), x2: sx(x), y1: 0, y2: HEIGHT, class: x === 0 ? "axis" : "" }, grid);
    }
    for (let y = Math.ceil(PLANE.ymin); y <= PLANE.ymax; y++) {
      element("line", { x1: 0, x2: WIDTH, y1: sy(y), y2: sy(y), class: y === 0 ? "axis" : "" }, grid);
    }
    const labels = element("g", { class: "det-explorer__labels", "aria-hidden": "true" }, svg);
    for (const x of [-4, -2, 2, 4]) {
      element("text", { x: sx(x), y: sy(0) + 15, "text-anchor": "middle" }, labels).textContent = minus(String(x));
    }
    for (const y of [-2, 2]) {
      element("text", { x: sx(0) - 6, y: sy(y) + 5, "text-anchor": "end" }, labels).textContent = minus(String(y));
    }

    // Where the map folds the plane over.
    const folded = element("g", { class: "det-explorer__negative", "aria-hidden": "true" }, svg);
    for (const region of negativeRegions()) {
      element("polygon", { points: pairs(region.outline) }, folded);
      for (const fold of region.folds) {
        if (fold.length > 1) element("polyline", { points: pairs(fold), class: "fold" }, folded);
      }
    }
    element("text", { x: sx(-2.55), y: sy(1.55) + 5, class: "det-explorer__negative-label" }, folded)
      .textContent = "det J < 0";

    // The square at p, its image under J, the images of its sides e₁ and e₂, and p.
    const square = element("polygon", { class: "det-explorer__square" }, svg);
    const image = element("polygon", { class: "det-explorer__image" }, svg);
    const arrows = [0, 1].map((j) => {
      const group = element("g", { class: "det-explorer__arrow" }, svg);
      return {
        line: element("line", {}, group),
        head: element("polygon", {}, group),
        label: element("text", { "text-anchor": "middle", "dominant-baseline": "central" }, group),
        name: j === 0 ? "Je\u2081" : "Je\u2082",
      };
    });
    const handle = element("g", {
      class: "det-explorer__handle",
      tabindex: "0",
      role: "slider",
      "aria-label": "Point p",
      "aria-roledescription": "draggable point",
      "aria-valuemin": String(PLANE.xmin),
      "aria-valuemax": String(PLANE.xmax),
    }, svg);
    element("circle", { r: 22, class: "det-explorer__target" }, handle); // a finger-sized target
    element("circle", { r: 11, class: "det-explorer__ring" }, handle); // shown when focused
    element("circle", { r: 4.5, class: "det-explorer__dot" }, handle);

    // The numbers, as text.
    const readout = html("div", "det-explorer__readout", root);
    readout.setAttribute("aria-live", "polite");
    readout.setAttribute("aria-atomic", "true");
    const line1 = html("div", "", readout, "p = (");
    const shown = {};
    shown.x = html("span", "", line1);
    line1.append(", ");
    shown.y = html("span", "", line1);
    line1.append(")");
    const line2 = html("div", "", readout, "J = ");
    const matrix = html("span", "det-explorer__matrix", line2);
    for (const name of ["J11", "J12", "J21", "J22"]) shown[name] = html("span", "", matrix);
    const line3 = html("div", "", readout, "det J = ");
    shown.det = html("span", "", line3);
    line3.append(", ");
    shown.orientation = html("span", "", line3);
    for (const [name, node] of Object.entries(shown)) node.dataset.quantity = name;
    html("p", "det-explorer__help", root,
      "Drag p or tap the plane; or focus p (Tab) and use the arrow keys (with Shift: larger steps; " +
      "Home: back to the start). The parallelogram's area is |det J| times the dashed square's.");

    let p = START.slice();

    function draw() {
      const [x, y] = p;
      const J = jacobian(x, y);
      const det = determinant(J);
      const sign = det > 0 ? "positive" : det < 0 ? "negative" : "zero";
      const h = SIDE / 2;
      const corners = [[-h, -h], [h, -h], [h, h], [-h, h]]; // counterclockwise
      const mapped = corners.map(([u, v]) => [x + J[0][0] * u + J[0][1] * v, y + J[1][0] * u + J[1][1] * v]);
      square.setAttribute("points", pairs(corners.map(([u, v]) => [x + u, y + v])));
      image.setAttribute("points", pairs(mapped));
      root.dataset.sign = sign;
      // J e₁ and J e₂ (times the side) from the image of the first corner: two sides of the parallelogram.
      arrows.forEach((arrow, j) => {
        const [tx, ty] = mapped[j === 0 ? 1 : 3];
        const [x0, y0, x1, y1] = [sx(mapped[0][0]), sy(mapped[0][1]), sx(tx), sy(ty)];
        const length = Math.hypot(x1 - x0, y1 - y0) || 1;
        const [dx, dy] = [(x1 - x0) / length, (y1 - y0) / length];
        const headLength = Math.min(9, length / 2);
        const back = [x1 - dx * headLength, y1 - dy * headLength];
        arrow.line.setAttribute("x1", x0.toFixed(2));
        arrow.line.setAttribute("y1", y0.toFixed(2));
        arrow.line.setAttribute("x2", back[0].toFixed(2));
        arrow.line.setAttribute("y2", back[1].toFixed(2));
        arrow.head.setAttribute("points", [
          [x1, y1],
          [back[0] - dy * 4, back[1] + dx * 4],
          [back[0] + dy * 4, back[1] - dx * 4],
        ].map(([a, b]) => `${a.toFixed(2)},${b.toFixed(2)}`).join(" "));
        arrow.label.setAttribute("x", (x1 + dx * 16).toFixed(2));
        arrow.label.setAttribute("y", (y1 + dy * 16).toFixed(2));
        arrow.label.textContent = arrow.name;
      });
      handle.setAttribute("transform", `translate(${sx(x).toFixed(2)} ${sy(y).toFixed(2)})`);
      shown.x.textContent = coordinate(x);
      shown.y.textContent = coordinate(y);
      shown.J11.textContent = number(J[0][0]);
      shown.J12.textContent = number(J[0][1]);
      shown.J21.textContent = number(J[1][0]);
      shown.J22.textContent = number(J[1][1]);
      shown.det.textContent = number(det);
      const orientation = { positive: "orientation kept", negative: "turned over", zero: "squashed flat" }[sign];
      shown.orientation.textContent = orientation;
      handle.setAttribute("aria-valuenow", String(x));
      handle.setAttribute("aria-valuetext",
        `p = (${coordinate(x)}, ${coordinate(y)}), det J = ${minus(det.toFixed(3))}, ${orientation}`);
    }

    function moveTo(x, y) {
      p = [clamp(round2(x), PLANE.xmin, PLANE.xmax), clamp(round2(y), PLANE.ymin, PLANE.ymax)];
      draw();
    }

    // The point of the plane under a pointer.
    function planePoint(event) {
      const at = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
      return [PLANE.xmin + at.x / UNIT, PLANE.ymax - at.y / UNIT];
    }

    let dragging = null; // the pointer that drags p
    let tap = null; // a touch on the plane: p goes there if it ends without scrolling
    svg.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      const onHandle = handle.contains(event.target);
      if (event.pointerType === "touch" && !onHandle) {
        tap = event.pointerId;
        return;
      }
      event.preventDefault();
      root.dataset.pointer = "";
      handle.focus({ preventScroll: true });
      dragging = event.pointerId;
      svg.setPointerCapture(event.pointerId);
      if (!onHandle) moveTo(...planePoint(event));
    });
    svg.addEventListener("pointermove", (event) => {
      if (event.pointerId === dragging) moveTo(...planePoint(event));
    });
    svg.addEventListener("pointerup", (event) => {
      if (event.pointerId === tap) moveTo(...planePoint(event));
      if (event.pointerId === dragging || event.pointerId === tap) dragging = tap = null;
    });
    svg.addEventListener("pointercancel", () => {
      dragging = tap = null;
    });
    // A finger on p drags it instead of scrolling the page (touch-action does not reach
    // inside an SVG); a finger elsewhere on the plane still scrolls, and a tap moves p.
    svg.addEventListener("touchstart", (event) => {
      if (handle.contains(event.target)) event.preventDefault();
    }, { passive: false });

    handle.addEventListener("keydown", (event) => {
      delete root.dataset.pointer; // the focus ring shows again
      const step = event.shiftKey ? BIG_STEP : STEP;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (event.key === "Home") moveTo(...START);
      else if (moves[event.key]) moveTo(p[0] + moves[event.key][0], p[1] + moves[event.key][1]);
      else return;
      event.preventDefault();
    });

    draw();
    figure.classList.add("det-explorer-live");
    figure.insertBefore(root, figure.querySelector("figcaption"));
  }

  function start() {
    const image = document.querySelector(STATIC_IMAGE);
    const figure = image && image.closest("figure");
    if (figure && !figure.classList.contains("det-explorer-live")) build(figure);
  }

  // The widget's styles load with it, on this page only (not in the site's stylesheet, which every
  // page loads); it is built once they have arrived, so that it never shows unstyled.
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = new URL("../stylesheets/det-explorer.css", document.currentScript.src).href;
  const ready = new Promise((resolve) => {
    styles.addEventListener("load", resolve);
    styles.addEventListener("error", resolve);
  });
  document.head.append(styles);
  const domReady = document.readyState === "loading"
    ? new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve))
    : Promise.resolve();
  Promise.all([ready, domReady]).then(start);
})();
