/*
 * posture-atlas-map.js: Posture Atlas's own Leaflet layers (not vendored), loaded by
 * geo/assets.py OfflineMap right after Leaflet; the HTML export inlines it.
 *
 * Python (geo/mapview.py) only passes data to these classes through |tojson; no
 * JavaScript is assembled from strings there.
 *
 *   new PostureAtlas.LabelLayer(items, avoid, {leaderColour})   (avoid: {marks, dots, dotRadius})
 *       permanent labels placed beside their markers by the placement rules below
 *       (nearest its own marker or a leader to it; a leader whenever a label stands
 *       off; leaders that cross nothing; groups by their members; no overlaps), one
 *       with no spot keeping them becomes a numbered callout whose words go to a key
 *       box (as many as fit above the bottom-left boxes; the rest are left out). Each
 *       label names its markers in data-pa-for (their css keys, as in the markers'
 *       pa-key-* class). Reruns on zoom, pan, resize, fonts and Leaflet's CSS
 *       arriving. When it has laid the
 *       labels out it sets data-pa-labels="<n placed>" and data-pa-label-overlaps="<n>"
 *       on the map container (browser tests wait for the first and read the second).
 *   new PostureAtlas.MapNotes(boxes)
 *       boxes pinned to the map frame (title/date, source line, marking) that come and
 *       go with the layer holding them.
 *   PostureAtlas.reportView(map)
 *       writes the map's centre and zoom to data-pa-view on the container (tests).
 *   PostureAtlas.drawShapes(group, common, shapes) / PostureAtlas.drawLabels(group, items, cls, pane)
 *       every circleMarker/polyline/polygon of one layer (with tooltip and popup), and
 *       the country names, from one JSON list each (geo.mapview.Shapes, Labels). A
 *       country name that a box on the frame covers, or the frame's edge cuts, is hidden
 *       (data-pa-names-hidden on the container counts them).
 *       drawShapes keeps data-pa-markers on the map container: the place markers on
 *       the map (SVG or canvas alike), and data-pa-canvas ("1": drawn on a canvas).
 */
(function () {
  "use strict";

  function overlap(a, b) {
    var w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
    var h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
    return (w > 0 && h > 0) ? w * h : 0;
  }

  function rectIn(el, frame, pad) {
    var r = el.getBoundingClientRect();
    if (r.width <= 0) { return null; }
    return [r.left - frame.left - pad, r.top - frame.top - pad, r.right - frame.left + pad, r.bottom - frame.top + pad];
  }

  // ------------------------------------------------------------ label placement
  //
  // Placement rules (issue 10). A label is a box of text that belongs to one or more
  // markers (``own``: a place's own marker; a group figure's members; a movement
  // figure's point on its arrow). Labels are placed greedily, highest priority first;
  // each tries the 8 directions around each of its markers at growing distances and
  // keeps the cheapest candidate that breaks no rule:
  //
  //  1. Nearest is its own. A label must be nearer (box to marker centre) one of its own
  //     markers than any other marker, or else carry a leader line to its marker: two
  //     labels that each sit nearer the other's marker read swapped. Markers on the very
  //     same spot (Baghdad and its JOC) are one spot: a leader could not tell them apart.
  //  2. Displaced means a leader. A label whose box is more than LEADER_FREE_PX from its
  //     marker's edge gets a leader from that edge to the box's nearest point.
  //  3. Leaders are clean. A leader crosses no other leader, no other label and no
  //     other marker; a label covers no leader. A candidate that needs a leader costs
  //     LEADER_COST (plus its length), so a clean spot a little farther out wins over an
  //     ambiguous one close by. If no candidate keeps every rule, the label becomes a
  //     numbered callout beside its marker (placed by the same rules) and its words go
  //     to the key box; one with no spot even for its number is counted in
  //     data-pa-label-overlaps. Past MAX_CALLOUTS callouts, a label with no clean spot
  //     is left out instead, counted in the key and in data-pa-labels-left; so are the
  //     callouts whose rows in the key would reach the boxes below it (_fitKey).
  //  4. Groups and plans stay with what they describe. A group figure's label is tried
  //     around each of its members (never at a midpoint where nobody is) and must be
  //     nearest a member; a plan's tag is a line of its place's label, which keeps clear
  //     of the plan ghost (the marker's outer radius includes the ghost ring), so the tag
  //     sits right next to the ghost.
  //  5. Nothing covers anything: no label on another label, a marker (its drawn
  //     circle, exactly), a country name or a map control, nor outside the frame.
  //     Arrows and group joins are soft: a label prefers not to sit across them.
  var LEADER_FREE_PX = 8;
  var LEADER_COST = 40;
  //: directions tried (degrees, screen y down), in order of preference: right, left,
  //: the diagonals, above, below; farther out the eight between them as well
  var ANGLES_NEAR = [0, 180, -45, 45, -135, 135, -90, 90];
  var ANGLES_FAR = ANGLES_NEAR.concat([-22.5, 22.5, -157.5, 157.5, -67.5, 67.5, -112.5, 112.5]);
  var BROKEN = 400;    // one broken rule weighs like a 20x20 px overlap (and fails the spot)
  var MARK_STROKE_PX = 1.5;   // a circle's stroke reaches past its radius
  //: A key of more numbered callouts than this is no longer read; past it a label with
  //: no clean spot is left out (and counted in the key) instead. At 1,000 places, 148 of
  //: 150 labels became callouts, and their searches took most of a slider step.
  var MAX_CALLOUTS = 8;

  function boxNearest(r, x, y) {
    var nx = Math.min(Math.max(x, r[0]), r[2]), ny = Math.min(Math.max(y, r[1]), r[3]);
    return [Math.sqrt((nx - x) * (nx - x) + (ny - y) * (ny - y)), nx, ny];
  }

  function segDist(s, x, y) {
    var dx = s[2] - s[0], dy = s[3] - s[1], l2 = dx * dx + dy * dy;
    var t = l2 ? Math.max(0, Math.min(1, ((x - s[0]) * dx + (y - s[1]) * dy) / l2)) : 0;
    var px = s[0] + t * dx - x, py = s[1] + t * dy - y;
    return Math.sqrt(px * px + py * py);
  }

  function segCross(a, b) {   // a proper crossing, not a touch at an end
    function o(ax, ay, bx, by, cx, cy) { return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax); }
    var d1 = o(b[0], b[1], b[2], b[3], a[0], a[1]), d2 = o(b[0], b[1], b[2], b[3], a[2], a[3]);
    var d3 = o(a[0], a[1], a[2], a[3], b[0], b[1]), d4 = o(a[0], a[1], a[2], a[3], b[2], b[3]);
    return d1 * d2 < -1e-6 && d3 * d4 < -1e-6;
  }

  function segHitsBox(s, r) {
    var b = [r[0] + 1, r[1] + 1, r[2] - 1, r[3] - 1];
    if (b[0] >= b[2] || b[1] >= b[3]) { return false; }
    function inside(x, y) { return x > b[0] && x < b[2] && y > b[1] && y < b[3]; }
    if (inside(s[0], s[1]) || inside(s[2], s[3])) { return true; }
    return segCross(s, [b[0], b[1], b[2], b[1]]) || segCross(s, [b[2], b[1], b[2], b[3]]) ||
           segCross(s, [b[2], b[3], b[0], b[3]]) || segCross(s, [b[0], b[3], b[0], b[1]]);
  }

  function sameSpot(m, anchors) {
    for (var i = 0; i < anchors.length; i++) {
      if (Math.abs(m.x - anchors[i].x) < 0.5 && Math.abs(m.y - anchors[i].y) < 0.5) { return true; }
    }
    return false;
  }

  // A uniform grid over the frame, so that a candidate box is judged against the
  // markers and arrow points near it, not all of them (at 1,000 places every box was
  // compared with some 2,600 circles: seconds a layout). ``items`` carry a ``box``.
  var GRID_PX = 64;
  // Cells are a flat array over the frame (``size``: its width and height in px); a box
  // past an edge is kept in the edge cells and a lookup past an edge reads them, so
  // clamping loses nothing (the exact test is on the boxes). Numbered cells and plain
  // loops, not "x,y" string keys and closures: at 1,000 places a layout makes some
  // 20,000 lookups, and building the keys was most of their cost.
  function gridOf(items, size) {
    var cols = Math.max(1, Math.ceil(size.x / GRID_PX)), rows = Math.max(1, Math.ceil(size.y / GRID_PX));
    var cells = new Array(cols * rows);
    for (var i = 0; i < items.length; i++) {
      var m = items[i];
      m.i = i;
      var x0 = cellOf(m.box[0], cols), x1 = cellOf(m.box[2], cols);
      var y0 = cellOf(m.box[1], rows), y1 = cellOf(m.box[3], rows);
      for (var gy = y0; gy <= y1; gy++) {
        for (var gx = x0; gx <= x1; gx++) {
          var k = gy * cols + gx;
          (cells[k] || (cells[k] = [])).push(m);
        }
      }
    }
    return {cells: cells, cols: cols, rows: rows, stamp: new Int32Array(items.length), pass: 0};
  }
  function cellOf(px, n) {
    var c = Math.floor(px / GRID_PX);
    return c < 0 ? 0 : c >= n ? n - 1 : (c === c ? c : 0);   // (NaN: the first cell)
  }
  // the items whose box meets ``b`` (each once), in their original order
  function nearby(grid, b) {
    var pass = ++grid.pass, stamp = grid.stamp, cells = grid.cells, cols = grid.cols;
    var out = [];
    var x0 = cellOf(b[0], cols), x1 = cellOf(b[2], cols);
    var y0 = cellOf(b[1], grid.rows), y1 = cellOf(b[3], grid.rows);
    for (var gy = y0; gy <= y1; gy++) {
      for (var gx = x0; gx <= x1; gx++) {
        var cell = cells[gy * cols + gx];
        if (cell === undefined) { continue; }
        for (var j = 0; j < cell.length; j++) {
          var m = cell[j], mb = m.box;
          if (stamp[m.i] !== pass && mb[0] <= b[2] && mb[2] >= b[0] && mb[1] <= b[3] && mb[3] >= b[1]) {
            stamp[m.i] = pass;
            out.push(m);
          }
        }
      }
    }
    if (out.length > 1) { out.sort(function (a, c) { return a.i - c.i; }); }
    return out;
  }

  // How a box at ``rect`` fares against the rules: {hard (0: every rule kept), soft,
  // leader (segment or null), anchor (the marker it is read against)}. With
  // ``cleanOnly`` only a spot keeping every rule is of use, and a broken one is given up
  // (hard > 0, the rest not worked out) at the first rule it breaks.
  function judge(rect, it, anchors, ctx, cleanOnly) {
    var hard = 0, soft = 0, i;
    var pad = [rect[0] - 1, rect[1] - 1, rect[2] + 1, rect[3] + 1];   // a pixel apart, whatever the rounding
    for (i = 0; i < ctx.placed.length; i++) { hard += overlap(pad, ctx.placed[i]); }
    for (i = 0; i < ctx.blocks.length; i++) { hard += overlap(rect, ctx.blocks[i]); }
    for (i = 0; i < ctx.leaders.length; i++) { if (segHitsBox(ctx.leaders[i], rect)) { hard += BROKEN; } }
    var w = rect[2] - rect[0], h = rect[3] - rect[1];
    hard += w * h - overlap(rect, [0, 0, ctx.size.x, ctx.size.y]);
    if (cleanOnly && hard > 0) { return GIVEN_UP; }
    // the arrow and join points only make a spot dearer (soft): looked up once the spot
    // is still in the running (at 1,000 places most candidates of a label shown only
    // where clean are given up above, and this lookup was the layout's largest cost)
    var dots = nearby(ctx.dotGrid, rect);
    for (i = 0; i < dots.length; i++) { soft += overlap(rect, dots[i].box); }
    var near = null;
    anchors.forEach(function (a) {
      var d = boxNearest(rect, a.x, a.y);
      var gap = d[0] - a.r;
      if (near === null || gap < near.gap - 0.01) { near = {a: a, d: d[0], gap: gap, nx: d[1], ny: d[2]}; }
    });
    var dOwn = Math.min.apply(null, anchors.map(function (a) { return boxNearest(rect, a.x, a.y)[0]; }));
    var rival = false;
    // The markers are kept in the grid by their circle's bounding box, so a circle that
    // the box covers has its bounding box meet the box itself, and a rival's centre lies
    // within dOwn + 1 of it. A rival (a marker nearer the box than its own) only matters
    // while the box is close enough to need no leader: farther off it has a leader
    // anyway. Looked up this tightly, a candidate meets the few markers that can count:
    // grown by the largest radius and by its distance, lookups took most of a layout at
    // 1,000 places (issue 11).
    var needsLeader = near.gap > LEADER_FREE_PX;
    var reach = needsLeader ? 0 : dOwn + 1;
    var close = nearby(ctx.markGrid, [rect[0] - reach, rect[1] - reach, rect[2] + reach, rect[3] + reach]);
    for (i = 0; i < close.length; i++) {
      var m = close[i];
      var d = boxNearest(rect, m.x, m.y)[0];
      if (d < m.r - 0.5) {   // covers a drawn circle (its own included)
        if (cleanOnly) { return GIVEN_UP; }
        hard += (m.r - d) * 40;
      }
      if (!needsLeader && !rival && d < dOwn + 1 && it.keys.indexOf(m.key) === -1 && !sameSpot(m, anchors)) {
        rival = true;
      }
    }
    var leader = null;
    if (rival || needsLeader) {
      var a = near.a, k = near.d > 0 ? a.r / near.d : 0;
      leader = [a.x + (near.nx - a.x) * k, a.y + (near.ny - a.y) * k, near.nx, near.ny];
      for (i = 0; i < ctx.leaders.length; i++) { if (segCross(leader, ctx.leaders[i])) { hard += BROKEN; } }
      for (i = 0; i < ctx.placed.length; i++) { if (segHitsBox(leader, ctx.placed[i])) { hard += BROKEN; } }
      // a circle the leader passes through has its bounding box meet the leader's
      var lb = [Math.min(leader[0], leader[2]), Math.min(leader[1], leader[3]),
                Math.max(leader[0], leader[2]), Math.max(leader[1], leader[3])];
      nearby(ctx.markGrid, lb).forEach(function (m) {
        // a marker that overlaps the one the leader starts from is the same cluster: the
        // leader starts inside it whatever way it leaves
        var apart = Math.sqrt((m.x - a.x) * (m.x - a.x) + (m.y - a.y) * (m.y - a.y));
        if (apart >= m.r + a.r && segDist(leader, m.x, m.y) < m.r - 0.5) { hard += BROKEN; }
      });
    }
    return {hard: hard, soft: soft, leader: leader, anchor: near.a};
  }
  var GIVEN_UP = {hard: Infinity, soft: 0, leader: null, anchor: null};

  // The cheapest spot for a w x h box around the label's markers, over ``steps`` (px
  // beyond each marker's edge) and 8 directions; stops at the first distance that has a
  // spot needing neither a leader nor any compromise. ``cleanOnly``: the cheapest spot
  // that keeps every rule (null if none), for a label that is left out otherwise: at
  // 1,000 places most labels have none at a low zoom, and working out how badly each
  // of their ~200 candidates broke the rules was most of a layout.
  function search(it, anchors, w, h, steps, ctx, cleanOnly) {
    var best = null;
    for (var s = 0; s < steps.length; s++) {
      for (var ai = 0; ai < anchors.length; ai++) {
        var an = anchors[ai];
        var rr = an.r + 3 + steps[s];
        var angles = steps[s] >= 30 ? ANGLES_FAR : ANGLES_NEAR;
        for (var k = 0; k < angles.length; k++) {
          // the box hangs by the side (or corner) that faces the marker
          var cs = Math.cos(angles[k] * Math.PI / 180), sn = Math.sin(angles[k] * Math.PI / 180);
          var x = an.x + rr * cs, y = an.y + rr * sn;
          var left = cs > 0.3 ? x : cs < -0.3 ? x - w : x - w / 2;
          var top = sn > 0.3 ? y : sn < -0.3 ? y - h : y - h / 2;
          var rect = [left, top, left + w, top + h];
          var j = judge(rect, it, anchors, ctx, cleanOnly);
          if (cleanOnly && j.hard > 0) { continue; }
          var len = j.leader ? Math.sqrt(Math.pow(j.leader[2] - j.leader[0], 2) + Math.pow(j.leader[3] - j.leader[1], 2)) : 0;
          var score = 3 * j.hard + j.soft + steps[s] * 2 + k * 0.1 + ai * 0.05 +
                      (j.leader ? LEADER_COST + 0.2 * len : 0);
          if (best === null || score < best.score) {
            best = {score: score, rect: rect, hard: j.hard, leader: j.leader, anchor: j.anchor};
          }
        }
      }
      if (best !== null && best.hard === 0 && !best.leader && best.score <= steps[s] * 2 + 1) { break; }
    }
    return best;
  }

  var LabelLayer = L.Layer.extend({
    initialize: function (items, avoid, options) {
      this._itemsData = items;
      this._avoid = avoid;
      this._leader = (options && options.leaderColour) || "#444444";
      this._items = [];
    },

    onAdd: function (map) {
      var leader = this._leader;
      // Every label is built here but becomes a Leaflet marker only once it is placed
      // (_layout): at 1,000 places ~140 of 150 are left out at the first zoom, and a
      // marker each (an icon element, a 3D transform, a composited layer) was most of
      // this layer's cost on every date. Until then a label waits, and is measured, in
      // one box of the marker pane with the same classes as a label's icon, so its size
      // there is its size on the map.
      var measure = L.DomUtil.create("div", "leaflet-marker-icon pa-label-icon pa-label-wait", map.getPane("markerPane"));
      measure.style.display = "none";
      this._wait = measure;
      this._items = this._itemsData.map(function (it) {
        var line = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        line.setAttribute("class", "pa-leader");
        line.setAttribute("width", "1");
        line.setAttribute("height", "1");
        var l = document.createElementNS("http://www.w3.org/2000/svg", "line");
        l.setAttribute("stroke", leader);
        l.setAttribute("stroke-width", "1");
        line.appendChild(l);
        var holder = document.createElement("div");
        holder.appendChild(line);
        var div = document.createElement("div");
        div.className = "pa-label" + (it.quiet ? " pa-label-quiet" : "") + (it.area ? " pa-label-area" : "");
        div.innerHTML = it.html;   // escaped in Python (geo.popup.esc)
        div.setAttribute("data-pa-for", (it.keys || []).join(" "));   // the markers it belongs to
        holder.appendChild(div);
        measure.appendChild(holder);
        return {latlng: L.latLng(it.latlng), priority: it.priority, optional: !!it.quiet, marker: null,
                holder: holder, div: div, line: l, sizeKey: div.className + "|" + it.html,
                own: it.own || [[it.latlng[0], it.latlng[1], it.radius || 0]], keys: it.keys || []};
      });
      map.on("zoomend moveend resize", this._schedule, this);
      // the frame is sized by the page's CSS after the map opens, and web fonts change
      // label widths when they arrive: lay out again on either
      var self = this;
      if (!this._observer) {
        this._observer = onFrameResize(map, function () {
          map._paLabelSizes = null;   // a browser zoom resizes the frame: text may measure anew
          map.invalidateSize({pan: false});
          self._schedule();
        });
      }
      if (document.fonts && document.fonts.ready) {
        // sizes read while a font was still coming are forgotten when it is in
        var loading = document.fonts.status !== "loaded";
        document.fonts.ready.then(function () { if (loading) { map._paLabelSizes = null; } self._schedule(); });
        if (!map._paFontsWatched) {   // and so are they when a font arrives later (a glyph first used)
          map._paFontsWatched = true;
          document.fonts.addEventListener("loadingdone", function () {
            map._paLabelSizes = null;
            map.eachLayer(function (layer) { if (layer instanceof LabelLayer) { layer._schedule(); } });
          });
        }
      }
      whenCssIn(map, function () { if (self._map) { self._schedule(); } });
      this._schedule();
    },

    onRemove: function (map) {
      map.off("zoomend moveend resize", this._schedule, this);
      if (this._observer) { this._observer.disconnect(); this._observer = null; }
      this._items.forEach(function (it) { if (it.marker) { map.removeLayer(it.marker); } });
      this._items = [];
      if (this._wait) { L.DomUtil.remove(this._wait); this._wait = null; }
      if (this._keyCtl) {
        // where the key was: the next date's labels keep clear of it on their first
        // layout, since its key will most likely stand there again (see _layout)
        map._paLastKey = rectIn(this._keyCtl.getContainer(), map.getContainer().getBoundingClientRect(), 4);
        map.removeControl(this._keyCtl);
        this._keyCtl = null;
        tidyFrame(map);
      } else {
        map._paLastKey = null;
      }
      this._keyText = "";
    },

    _schedule: function () {
      this._keyPasses = 0;   // a new view: the key may move the labels again
      this._relayout();
    },

    _relayout: function () {
      // after the other layers and the title box of this update are on the map
      // One layout for every request made before it runs: the layer asks on add, on the
      // CSS arriving, on the fonts, on the frame's first resize and on the key box; each
      // used to lay every label out again (at 150 labels over 1,000 places, seconds each).
      var self = this;
      if (this._pending) { return; }
      this._pending = true;
      window.setTimeout(function () {
        self._pending = false;
        if (self._map) { self._layout(self._map); }
      }, 0);
    },

    _layout: function (map) {
      // The rules are written out at the top of this file (placement rules 1-5).
      if (!cssIn(map)) { return; }   // whenCssIn lays out again once it is
      fitLegend(map);   // the legend as it will stand in this frame (labels keep clear of it)
      var size = map.getSize();
      var container = map.getContainer();
      var frame = container.getBoundingClientRect();
      var blocks = [];
      var ctls = container.querySelectorAll(".leaflet-control, .pa-country");
      for (var c = 0; c < ctls.length; c++) {
        var r = rectIn(ctls[c], frame, ctls[c].classList.contains("pa-country") ? 1 : 4);
        if (r) { blocks.push(r); }
      }
      // No key of its own yet, but the layer this one replaced (the previous date) had
      // one: keep clear of where it stood. Otherwise the key, added after this layout,
      // covers labels placed under it and the whole layout runs again (at 1,000 places,
      // 0.5 s a pass). If no key is needed after all, _key lays out once more without it.
      this._reserved = !this._keyCtl && map._paLastKey ? map._paLastKey : null;
      if (this._reserved) { blocks.push(this._reserved); }
      var marks = [], dots = [];
      var av = this._avoid, dr = av.dotRadius;
      av.marks.forEach(function (a) {   // [lat, lon, outer radius px, css key]
        var p = map.latLngToContainerPoint([a[0], a[1]]);
        marks.push({x: p.x, y: p.y, r: a[2] + MARK_STROKE_PX, key: a[3] || ""});
      });
      av.dots.forEach(function (a) {   // [lat, lon]
        var p = map.latLngToContainerPoint([a[0], a[1]]);
        dots.push([p.x - dr, p.y - dr, p.x + dr, p.y + dr]);
      });
      marks.forEach(function (m) { m.box = [m.x - m.r, m.y - m.r, m.x + m.r, m.y + m.r]; });
      var ctx = {placed: [], leaders: [], blocks: blocks, marks: marks, size: size,
                 markGrid: gridOf(marks, size), dotGrid: gridOf(dots.map(function (d) { return {box: d}; }), size)};
      var overlaps = 0, shown = 0, left = 0, callouts = [];
      var order = this._items.slice().sort(function (a, b) { return b.priority - a.priority; });
      // Every label back to its words and shown first, then every size read: one style
      // and layout pass for all of them. Read one by one after each label's writes, each
      // read laid the whole frame out again (150 labels over 1,000 markers, 3 layouts a
      // step: most of the browser's own time in a step at scale).
      var els = order.map(function (it) {
        var el = it.marker ? it.marker.getElement() : null;
        var div = it.div;
        if (el) { el.style.display = ""; }
        div.style.display = "";
        if (div.hasAttribute("data-pa-text")) {   // a callout last time: its words back first
          div.innerHTML = div.getAttribute("data-pa-text");
          div.removeAttribute("data-pa-text");
        }
        return {it: it, el: el, div: div, line: it.line};
      });
      // A label's size is kept by its class and words for the map's life (the fonts or
      // the frame changing forget them): the next date's layer brings the same labels,
      // mostly, and reading their sizes forced a layout of the whole frame, a fifth of
      // the map script's time in a step at 1,000 places. Only new words are measured.
      var sizes = map._paLabelSizes || (map._paLabelSizes = {});
      var unmeasured = els.filter(function (e) {
        var known = sizes[e.it.sizeKey];
        if (known) { e.w = known[0]; e.h = known[1]; }
        return !known;
      });
      if (unmeasured.length) {
        this._wait.style.display = "";   // the labels not yet placed are measured in it
        unmeasured.forEach(function (e) {
          e.w = e.div.offsetWidth; e.h = e.div.offsetHeight;
          sizes[e.it.sizeKey] = [e.w, e.h];
        });
      }
      // A label left out is hidden with its marker element, not only its words: Leaflet
      // places each icon with a 3D transform, so every icon element shown, even empty,
      // is a composited layer of its own. At 1,000 places ~140 hidden labels kept 190
      // layers, and updating and committing them was the browser's largest cost in a step.
      function hide(e) {
        e.div.style.display = "none";
        e.line.style.display = "none";
        if (e.el) { e.el.style.display = "none"; }
      }
      order.forEach(function (it, n) {
        var e = els[n];
        if (!e) { return; }
        var div = e.div, line = e.line;
        var w = e.w, h = e.h;   // positions move a label, never resize it
        // Leaflet sets the label's icon at a whole pixel: measure from where it will be
        var p = map.latLngToContainerPoint(it.latlng).round();
        var anchors = it.own.map(function (o) {
          var q = map.latLngToContainerPoint([o[0], o[1]]);
          return {x: q.x, y: q.y, r: o[2]};
        });
        // once the key is full, a label is shown only where it keeps every rule
        var full = callouts.length >= MAX_CALLOUTS;
        var best = search(it, anchors, w, h, it.optional ? [0, 10] : [0, 14, 30, 52, 80], ctx, full);
        it.shown = false;
        if (it.optional && (best === null || best.hard > 0)) {   // a quiet name never crowds: left out where it would
          hide(e);
          return;
        }
        if (best === null) {
          // the key is full: the label is left out here (counted in the key; the marker,
          // its tooltip and its popup stay). Zooming in makes room for it.
          hide(e);
          left += 1;
          return;
        }
        if (best.hard > 0) {
          // no spot keeps every rule: a numbered callout beside the marker, its words in the key
          var n = callouts.length + 1;
          callouts.push({n: n, html: div.innerHTML, e: e});
          div.setAttribute("data-pa-text", div.innerHTML);
          div.innerHTML = '<span class="pa-callout">' + n + "</span>";
          w = div.offsetWidth; h = div.offsetHeight;
          best = search(it, anchors, w, h, [0, 8, 16, 30, 44, 60, 80, 110, 150, 200], ctx);
          if (best.hard > 0) { overlaps += 1; }   // nowhere even for a number: counted, never hidden
        }
        shown += 1;
        var rect = best.rect;
        div.style.left = (rect[0] - p.x) + "px";
        div.style.top = (rect[1] - p.y) + "px";
        var at = best.anchor;
        div.style.textAlign = rect[0] >= at.x ? "left" : rect[2] <= at.x ? "right" : "center";
        if (best.leader) {
          var s = best.leader;
          line.setAttribute("x1", s[0] - p.x); line.setAttribute("y1", s[1] - p.y);
          line.setAttribute("x2", s[2] - p.x); line.setAttribute("y2", s[3] - p.y);
          line.style.display = "";
          ctx.leaders.push(s);
        } else {
          line.style.display = "none";
        }
        ctx.placed.push(rect);
        it.shown = true;
      });
      // the labels placed for the first time become markers: the label moves out of the
      // waiting box into its own icon (Leaflet's divIcon takes an element as its html),
      // in the data's order, as when every label was a marker from the start
      this._items.forEach(function (it) {
        if (!it.shown || it.marker) { return; }
        var icon = L.divIcon({className: "pa-label-icon", iconSize: [0, 0], html: it.holder});
        it.marker = L.marker(it.latlng, {icon: icon, interactive: false, keyboard: false}).addTo(map);
      });
      this._wait.style.display = "none";
      // and after every placed label in the pane, so a query for the first label finds one on the map
      this._wait.parentNode.appendChild(this._wait);
      container.setAttribute("data-pa-labels", String(shown));
      container.setAttribute("data-pa-label-overlaps", String(overlaps));
      container.setAttribute("data-pa-callouts", String(callouts.length));
      container.setAttribute("data-pa-labels-left", String(left));
      container.setAttribute("data-pa-labels-measured", String(unmeasured.length));   // the rest: sizes known
      this._shown = shown;
      this._count = (this._count || 0) + 1;
      container.setAttribute("data-pa-layouts", String(this._count));
      this._key(map, callouts, left, ctx);
    },

    _key: function (map, callouts, left, ctx) {
      tidyFrame(map);   // after this call: the key, added, moved or gone, covers other names
      // the callouts' words, in a box under the title box (top left); the frame's height
      // decides how many of them fit (_fitKey)
      var text = callouts.map(function (c) { return c.n + "|" + c.html; }).join("\n") + "\n" + left +
                 "\n" + map.getSize().y;
      if (!callouts.length && !left && this._reserved) {
        // kept clear of a key that this date does not have: lay out once more, freely
        map._paLastKey = null;
        this._reserved = null;
        this._relayout();
        return;
      }
      if (text === this._keyText) { this._fitKey(map, callouts, left); return; }
      this._keyText = text;
      this._keyKept = callouts.length;
      if (this._keyCtl) { map.removeControl(this._keyCtl); this._keyCtl = null; }
      if (!callouts.length && !left) { return; }
      var ctl = L.control({position: "topleft"});
      ctl.onAdd = function () { return L.DomUtil.create("div", "pa-box pa-callout-key"); };
      ctl.addTo(map);
      fillKey(ctl.getContainer(), callouts, left);
      this._keyCtl = ctl;
      this._fitKey(map, callouts, left);
      // Once more, clear of the key, if the key covers a label or a leader just placed
      // (rule 5: nothing covers anything); a few times at most, since a key of another
      // size can turn other labels into callouts and back (it would never settle). A key
      // that covers nothing leaves the layout as it is: at scale each pass took ~0.6 s,
      // and every date change asked for two.
      var container = map.getContainer();
      var box = rectIn(ctl.getContainer(), container.getBoundingClientRect(), 4);
      var covers = box && (ctx.placed.some(function (r) { return overlap(box, r) > 0; }) ||
                           ctx.leaders.some(function (sg) { return segHitsBox(sg, box); }));
      this._keyPasses = (this._keyPasses || 0) + 1;
      if (covers && this._keyPasses <= 3) { this._relayout(); }
    },

    _fitKey: function (map, callouts, left) {
      // The key grows down from under the title box. In a short frame (1366x768) it
      // reached under the sources line and the scale bar, and the words of the last
      // callouts could not be read: the callouts that do not fit are left out instead,
      // as past MAX_CALLOUTS (their number taken off the map, counted in the key's
      // "+ N labels left out"); the markers keep their tooltips.
      var div = this._keyCtl && this._keyCtl.getContainer();
      if (!div) { return; }
      var kept = Math.min(this._keyKept, callouts.length);
      if (kept < callouts.length) { fillKey(div, callouts.slice(0, kept), left + callouts.length - kept); }
      while (kept > 0 && keyOverflows(map, div)) {
        kept -= 1;
        fillKey(div, callouts.slice(0, kept), left + callouts.length - kept);
      }
      this._keyKept = kept;
      for (var i = kept; i < callouts.length; i++) {
        var e = callouts[i].e;
        e.div.style.display = "none";
        e.line.style.display = "none";
        var el = e.it.marker ? e.it.marker.getElement() : null;
        if (el) { el.style.display = "none"; }
      }
      var c = map.getContainer();
      var cut = callouts.length - kept;
      c.setAttribute("data-pa-callouts", String(kept));
      c.setAttribute("data-pa-labels-left", String(left + cut));
      c.setAttribute("data-pa-labels", String(this._shown - cut));
    }
  });

  //: the gap (px) the key keeps above the boxes in the bottom-left corner
  var KEY_GAP_PX = 4;

  function bottomCornerTop(container, frame, side) {
    // where the boxes of a bottom corner ("left", "right") begin, from the frame's top
    var limit = frame.height;
    var below = container.querySelectorAll(".leaflet-bottom.leaflet-" + side + " .leaflet-control");
    for (var i = 0; i < below.length; i++) {
      var r = rectIn(below[i], frame, 0);
      if (r) { limit = Math.min(limit, r[1]); }
    }
    return limit;
  }

  function keyOverflows(map, div) {
    var container = map.getContainer();
    var frame = container.getBoundingClientRect();
    var kb = rectIn(div, frame, 0);
    return !!kb && kb[3] + KEY_GAP_PX > bottomCornerTop(container, frame, "left");
  }

  function fillKey(div, callouts, left) {
    div.innerHTML = callouts.map(function (c) {
      return '<div class="pa-callout-row"><span class="pa-callout">' + c.n + "</span> " +
             c.html.replace(/<br>/g, " · ") + "</div>";
    }).join("");   // the labels' own escaped HTML
    if (left) {   // a number and fixed words: nothing from the data
      var more = L.DomUtil.create("div", "pa-callout-row pa-labels-left", div);
      more.textContent = "+ " + left + (left === 1 ? " label" : " labels") +
        " left out at this zoom (no room): zoom in; every marker keeps its tooltip";
    }
  }

  var MapNotes = L.Layer.extend({
    initialize: function (boxes) {
      this._boxes = boxes;
      this._ctls = [];
      this._divs = [];
    },

    onAdd: function (map) {
      var boxes = this._boxes;
      for (var i = 0; i < boxes.length; i++) {
        var b = boxes[i];
        var div = L.DomUtil.create("div", b.cls);
        div.innerHTML = b.html;   // escaped in Python (geo.popup.esc)
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        if (b.position === "frame") {
          map.getContainer().appendChild(div);
          this._divs.push(div);
        } else {
          var ctl = L.control({position: b.position});
          ctl.onAdd = (function (d) { return function () { return d; }; })(div);
          ctl.addTo(map);
          if (b.first) {  // above the legend that the base map put there
            var box = ctl.getContainer();
            box.parentNode.insertBefore(box, box.parentNode.firstChild);
          }
          this._ctls.push(ctl);
        }
      }
      tidyFrame(map);   // this date's boxes may cover other names
    },

    onRemove: function (map) {
      this._ctls.forEach(function (c) { map.removeControl(c); });
      this._divs.forEach(function (d) { L.DomUtil.remove(d); });
      this._ctls = [];
      this._divs = [];
      tidyFrame(map);
    }
  });

  var SHAPE_KINDS = {circleMarker: true, polyline: true, polygon: true};
  var TOOLTIP_OPTIONS = {sticky: true, direction: "top", opacity: 0.95};
  var POPUP_OPTIONS = {maxWidth: 380};

  function drawShapes(group, common, shapes) {
    // geo.mapview.Shapes: L.<kind>(latlngs, options) in list order (later on top), the
    // tooltip and popup (HTML escaped in Python, geo.popup) bound as they were one by one.
    // ``common`` (geo.mapview.shared_part): the kind and the options most shapes share;
    // a shape gives its own kind if it differs, and the options it adds or changes.
    var markers = 0;
    var shared = common.options || {};
    for (var i = 0; i < shapes.length; i++) {
      var s = shapes[i];
      var kind = s.kind || common.kind;
      if (!SHAPE_KINDS[kind]) { throw new Error("PostureAtlas.drawShapes: unknown kind " + kind); }
      var options = L.extend({}, shared, s.options);
      var layer = L[kind](s.latlngs, options);
      group.addLayer(layer);
      var tip = s.tooltip || (s.tip ? tooltipFrom(s.tip) : "");
      if (tip) { layer.bindTooltip(tip, s.tooltip_options || TOOLTIP_OPTIONS); }
      if (s.popup) { layer.bindPopup(s.popup, POPUP_OPTIONS); }
      if (options.className && MARKER_CLASS.test(options.className)) { markers += 1; }
    }
    // data-pa-markers on the map container: the place markers on the map now, whether
    // drawn as SVG paths (path.pa-marker) or on a canvas (geo.mapview.CANVAS_OVER_PLACES),
    // where no element stands for a marker. Benchmarks and tests wait for it.
    if (markers) {
      if (group._map) { countMarkers(group._map, markers); }
      group.on("add", function () { countMarkers(group._map, markers); });
      group.on("remove", function () { countMarkers(group._map, -markers); });
    }
  }
  // A place tooltip sent as its parts ([name, line, ..., place id], each escaped in
  // Python): the same string as geo.popup.place_tooltip, which geo.mapview.tooltip_parts
  // checked before sending it so. Its markup stays out of the JSON sent on every date.
  function tooltipFrom(parts) {
    var out = "<b>" + parts[0] + "</b>";
    for (var i = 1; i < parts.length - 1; i++) { out += "<br>" + parts[i]; }
    return out + '<span style="display:none">\u2063place:' + parts[parts.length - 1] + "\u2063</span>";
  }
  var MARKER_CLASS = /(^| )pa-marker( |$)/;
  function countMarkers(map, n) {
    if (!map) { return; }
    var c = map.getContainer();
    c.setAttribute("data-pa-markers", String((parseInt(c.getAttribute("data-pa-markers"), 10) || 0) + n));
    c.setAttribute("data-pa-canvas", map.options.preferCanvas ? "1" : "0");
  }

  function drawLabels(group, items, className, pane) {
    // geo.mapview.Labels: non-interactive divIcons (clicks pass through)
    for (var i = 0; i < items.length; i++) {
      var opts = {icon: L.divIcon({html: items[i].html, className: className, iconSize: [0, 0]}),
                  interactive: false, keyboard: false};
      if (pane) { opts.pane = pane; }
      group.addLayer(L.marker(items[i].latlng, opts));
    }
    if (group._map) { watchNames(group._map); }
    group.on("add", function () { watchNames(group._map); });
  }

  // ------------------------------------------------------------ country names
  // A country name that a box on the frame covers even in part, or that runs past the
  // frame's edge, is hidden, not shown cut: beside the legend or the callout key,
  // "EBANON" reads as a mistake on a slide.
  // The boxes are the map's controls (title and date, callout key, legend, sources,
  // zoom, layers, scale) and the marking and projection lines. A name is shown again as
  // soon as nothing covers it. The check runs after every change of the view or of the
  // boxes (a new date's title box, the key after a label layout); the map container's
  // data-pa-names-hidden counts the names hidden.
  var COVERING = ".leaflet-control, .pa-marking, .pa-projection";

  function watchNames(map) {
    if (!map || map._paNamesWatched) { return; }
    map._paNamesWatched = true;
    map.on("zoomend moveend resize", function () { tidyFrame(map); });
    // The page sizes the frame after the map opens, and Leaflet's stylesheet may still
    // be coming (the corners are not placed until it is): with labels off no label
    // layout asks again, so this watches both itself. Run too early, every name lay
    // outside a frame of no height and was hidden, and the legend shrank to nothing.
    onFrameResize(map, function () { tidyFrame(map); });
    whenCssIn(map, function () { tidyFrame(map); });
  }

  function cssIn(map) {
    // Leaflet's stylesheet is in once its corners are placed absolutely
    var corner = map.getContainer().querySelector(".leaflet-top");
    return !corner || getComputedStyle(corner).position === "absolute";
  }

  function whenCssIn(map, fn) {
    // Leaflet's stylesheet may still be loading (streamlit-folium adds it after the
    // page has loaded): until the controls sit in their corners, look again (10 s at most)
    var tries = 0;
    (function look() {
      if (cssIn(map)) { fn(); return; }
      if (++tries < 200) { window.setTimeout(look, 50); }
    }());
  }

  function onFrameResize(map, fn) {
    // fn on a real change of the map frame's size only: an observer reports the size it
    // starts with too, which cost a whole extra label layout on every date change
    if (!window.ResizeObserver) { return null; }
    var box = map.getContainer();
    var seen = [box.clientWidth, box.clientHeight];
    var observer = new ResizeObserver(function () {
      if (box.clientWidth === seen[0] && box.clientHeight === seen[1]) { return; }
      seen = [box.clientWidth, box.clientHeight];
      fn();
    });
    observer.observe(box);
    return observer;
  }

  function tidyFrame(map) {
    // The legend fitted to the frame (fitLegend), then the names under a box hidden
    // (hideCoveredNames): once for every request made before it runs, after the boxes
    // of this update are in.
    if (!map || map._paTidyPending) { return; }
    map._paTidyPending = true;
    window.setTimeout(function () {
      map._paTidyPending = false;
      if (!map._container || !cssIn(map) || !map.getContainer().clientHeight) { return; }   // asked again then
      if (fitLegend(map)) {
        // the legend's new height changes what labels must keep clear of
        map.eachLayer(function (layer) { if (layer instanceof LabelLayer) { layer._schedule(); } });
      }
      hideCoveredNames(map);
    }, 0);
  }

  function fitLegend(map) {
    // The legend hangs from the top right corner, above the zoom buttons and the
    // attribution in the bottom right one. In a short frame (1366x768: 506 px) it ran
    // down under both and out of the frame: it now stops above them and scrolls.
    var container = map.getContainer();
    var legend = container.querySelector(".pa-legend");
    if (!legend) { return false; }
    var frame = container.getBoundingClientRect();
    var top = legend.getBoundingClientRect().top - frame.top;
    var limit = bottomCornerTop(container, frame, "right");
    var cs = getComputedStyle(legend);   // max-height is the content's: less padding and border
    var extra = ["paddingTop", "paddingBottom", "borderTopWidth", "borderBottomWidth"].reduce(function (a, k) {
      return a + (parseFloat(cs[k]) || 0); }, 0);
    var room = Math.max(80, Math.floor(limit - KEY_GAP_PX - top - extra));
    if (legend.style.maxHeight === room + "px") { return false; }
    var before = legend.offsetHeight;
    legend.style.maxHeight = room + "px";
    legend.style.overflowY = "auto";
    return legend.offsetHeight !== before;
  }

  function hideCoveredNames(map) {
    var container = map.getContainer();
    var names = container.querySelectorAll(".pa-country");
    if (!names.length) { return; }
    var frame = container.getBoundingClientRect();
    var boxes = [];
    var els = container.querySelectorAll(COVERING);
    for (var i = 0; i < els.length; i++) {
      var b = rectIn(els[i], frame, 1);
      if (b) { boxes.push(b); }
    }
    var hidden = 0;
    for (var j = 0; j < names.length; j++) {
      var r = rectIn(names[j], frame, 0);   // laid out while hidden too (visibility)
      var covered = !!r && (r[0] < 0 || r[1] < 0 || r[2] > frame.width || r[3] > frame.height ||
                            boxes.some(function (bx) { return overlap(bx, r) > 0; }));
      var want = covered ? "hidden" : "";
      if (names[j].style.visibility !== want) { names[j].style.visibility = want; }
      if (covered) { hidden += 1; }
    }
    container.setAttribute("data-pa-names-hidden", String(hidden));
  }

  function reportView(map) {
    function report() {
      var c = map.getCenter();
      map.getContainer().setAttribute("data-pa-view",
        JSON.stringify({lat: +c.lat.toFixed(4), lon: +c.lng.toFixed(4), zoom: map.getZoom()}));
    }
    map.on("moveend zoomend", report);
    report();
  }

  window.PostureAtlas = {LabelLayer: LabelLayer, MapNotes: MapNotes, reportView: reportView,
                         drawShapes: drawShapes, drawLabels: drawLabels};
}());
