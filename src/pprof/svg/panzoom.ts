// The script pprof's -svg embeds so a large call graph can be explored in a browser
// (pprof uses the third-party SVGPan library; this is our own, smaller version):
// the wheel zooms around the pointer, dragging pans. It edits one transform, on the
// <g id="viewport"> that wraps the graph. Plain ES5 in a string: it runs inside the
// SVG document, where no bundler or module loader exists.

export const PAN_ZOOM_JS = `(function () {
 function init() {
  var svg = document.documentElement;
  var vp = document.getElementById("viewport");
  if (!vp || !svg.createSVGPoint) return;
  var s = 0.5, tx = 0, ty = 0, drag = null;
  function apply() { vp.setAttribute("transform", "translate(" + tx + "," + ty + ") scale(" + s + ")"); }
  function point(ev) {
    var p = svg.createSVGPoint();
    p.x = ev.clientX; p.y = ev.clientY;
    var m = svg.getScreenCTM();
    return m ? p.matrixTransform(m.inverse()) : p;
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = point(ev);
    var f = Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.002));
    var ns = Math.min(Math.max(s * f, 0.02), 50);
    f = ns / s;
    tx = p.x - (p.x - tx) * f;
    ty = p.y - (p.y - ty) * f;
    s = ns;
    apply();
  }, { passive: false });
  svg.addEventListener("mousedown", function (ev) {
    if (ev.button !== 0) return;
    var p = point(ev);
    drag = { x: p.x - tx, y: p.y - ty };
    ev.preventDefault();
  });
  svg.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var p = point(ev);
    tx = p.x - drag.x;
    ty = p.y - drag.y;
    apply();
  });
  svg.addEventListener("mouseup", function () { drag = null; });
  svg.addEventListener("mouseleave", function () { drag = null; });
  apply();
 }
 // the script comes before the viewport it moves: wait until the document is parsed
 if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
 else init();
})();`;
