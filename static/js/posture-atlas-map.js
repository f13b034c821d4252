/*
 * posture-atlas-map.js: Posture Atlas's own Leaflet layers (not vendored), loaded by
 * geo/assets.py OfflineMap right after Leaflet; the HTML export inlines it.
 *
 * Python (geo/mapview.py) only passes data to these classes through |tojson; no
 * JavaScript is assembled from strings there.
 *
 *   new PostureAtlas.LabelLayer(items, avoid, {leaderColour})
 *       permanent labels placed beside their markers, clear of each other, of the
 *       markers, of the country names and of the map's controls; a label set further
 *       out gets a leader line, one with no free spot becomes a numbered callout whose
 *       words go to a key box. Reruns on zoom, pan, resize, fonts and Leaflet's CSS
 *       arriving. When it has laid the
 *       labels out it sets data-pa-labels="<n placed>" and data-pa-label-overlaps="<n>"
 *       on the map container (browser tests wait for the first and read the second).
 *   new PostureAtlas.MapNotes(boxes)
 *       boxes pinned to the map frame (title/date, source line, marking) that come and
 *       go with the layer holding them.
 *   PostureAtlas.reportView(map)
 *       writes the map's centre and zoom to data-pa-view on the container (tests).
 *   PostureAtlas.drawShapes(group, shapes) / PostureAtlas.drawLabels(group, items, cls, pane)
 *       every circleMarker/polyline/polygon of one layer (with tooltip and popup), and
 *       the country names, from one JSON list each (geo.mapview.Shapes, Labels).
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

  var LabelLayer = L.Layer.extend({
    initialize: function (items, avoid, options) {
      this._itemsData = items;
      this._avoid = avoid;
      this._leader = (options && options.leaderColour) || "#444444";
      this._items = [];
    },

    onAdd: function (map) {
      var leader = this._leader;
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
        holder.appendChild(div);
        var icon = L.divIcon({className: "pa-label-icon", iconSize: [0, 0], html: holder});
        var mk = L.marker(it.latlng, {icon: icon, interactive: false, keyboard: false}).addTo(map);
        return {latlng: L.latLng(it.latlng), priority: it.priority, optional: !!it.quiet, marker: mk};
      });
      map.on("zoomend moveend resize", this._schedule, this);
      // the frame is sized by the page's CSS after the map opens, and web fonts change
      // label widths when they arrive: lay out again on either
      var self = this;
      if (window.ResizeObserver && !this._observer) {
        // only a real change of the frame's size: an observer reports the size it starts
        // with too, which cost a whole extra layout on every date change
        var box = map.getContainer();
        var seen = [box.clientWidth, box.clientHeight];
        this._observer = new ResizeObserver(function () {
          if (box.clientWidth === seen[0] && box.clientHeight === seen[1]) { return; }
          seen = [box.clientWidth, box.clientHeight];
          map.invalidateSize({pan: false});
          self._schedule();
        });
        this._observer.observe(box);
      }
      if (document.fonts && document.fonts.ready) { document.fonts.ready.then(function () { self._schedule(); }); }
      // Leaflet's stylesheet may still be loading (streamlit-folium adds it after the
      // page has loaded): until the controls sit in their corners, wait and look again
      var corner = map.getContainer().querySelector(".leaflet-top");
      var tries = 0;
      (function waitForCss() {
        if (!self._map) { return; }
        if (corner && getComputedStyle(corner).position === "absolute") { self._schedule(); return; }
        if (++tries < 200) { window.setTimeout(waitForCss, 50); }
      }());
      this._schedule();
    },

    onRemove: function (map) {
      map.off("zoomend moveend resize", this._schedule, this);
      if (this._observer) { this._observer.disconnect(); this._observer = null; }
      this._items.forEach(function (it) { map.removeLayer(it.marker); });
      this._items = [];
      if (this._keyCtl) { map.removeControl(this._keyCtl); this._keyCtl = null; }
      this._keyText = "";
    },

    _schedule: function () {
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
      var corner = map.getContainer().querySelector(".leaflet-top");
      if (corner && getComputedStyle(corner).position !== "absolute") { return; }   // CSS not in yet
      var size = map.getSize();
      var container = map.getContainer();
      var frame = container.getBoundingClientRect();
      var blocks = [];
      var ctls = container.querySelectorAll(".leaflet-control, .pa-country");
      for (var c = 0; c < ctls.length; c++) {
        var r = rectIn(ctls[c], frame, ctls[c].classList.contains("pa-country") ? 1 : 4);
        if (r) { blocks.push(r); }
      }
      var circles = this._avoid.map(function (a) {
        var p = map.latLngToContainerPoint(a.latlng);
        return [p.x - a.radius, p.y - a.radius, p.x + a.radius, p.y + a.radius, a.radius, p.x, p.y, !!a.line];
      });
      var placed = [];
      var overlaps = 0, shown = 0, callouts = [];
      var order = this._items.slice().sort(function (a, b) { return b.priority - a.priority; });
      order.forEach(function (it) {
        var el = it.marker.getElement();
        if (!el) { return; }
        var div = el.querySelector(".pa-label");
        var line = el.querySelector("line");
        div.style.display = "";
        if (div.hasAttribute("data-pa-text")) {   // a callout last time: its words back first
          div.innerHTML = div.getAttribute("data-pa-text");
          div.removeAttribute("data-pa-text");
        }
        var w = div.offsetWidth, h = div.offsetHeight;
        var p = map.latLngToContainerPoint(it.latlng);
        var own = 0;
        circles.forEach(function (q) {
          if (Math.abs(q[5] - p.x) < 0.5 && Math.abs(q[6] - p.y) < 0.5) { own = Math.max(own, q[4]); }
        });
        var best = null;
        var steps = it.optional ? [0, 10] : [0, 14, 30, 52, 80];
        for (var s = 0; s < steps.length; s++) {
          var rr = own + 3 + steps[s], d = rr * 0.72;
          var cands = [[rr, -h / 2, "left"], [-rr - w, -h / 2, "right"], [d, -d - h, "left"], [d, d, "left"],
                       [-d - w, -d - h, "right"], [-d - w, d, "right"], [-w / 2, -rr - h, "center"], [-w / 2, rr, "center"]];
          for (var k = 0; k < cands.length; k++) {
            var dx = cands[k][0], dy = cands[k][1];
            var rect = [p.x + dx, p.y + dy, p.x + dx + w, p.y + dy + h];
            var hard = 0, score = 0;
            placed.forEach(function (q) { hard += overlap(rect, q); });
            blocks.forEach(function (q) { hard += overlap(rect, q); });
            circles.forEach(function (q) {
              if (Math.abs(q[5] - p.x) >= 0.5 || Math.abs(q[6] - p.y) >= 0.5) {
                if (q[7]) { score += overlap(rect, q); } else { hard += overlap(rect, q); }
              }
            });
            var inside = overlap(rect, [0, 0, size.x, size.y]);
            hard += (w * h - inside);
            score += 3 * hard + steps[s] * 2 + k * 0.1;
            if (best === null || score < best[0]) { best = [score, dx, dy, cands[k][2], steps[s], hard]; }
          }
          if (best[5] === 0 && best[0] <= steps[s] * 2 + 1) { break; }
        }
        if (it.optional && best[5] > 0) {   // a quiet name never crowds: left out where it would
          div.style.display = "none";
          line.style.display = "none";
          return;
        }
        if (best[5] > 0) {
          // no free spot: a numbered callout beside the marker, its words in the key
          var n = callouts.length + 1;
          callouts.push({n: n, html: div.innerHTML});
          div.setAttribute("data-pa-text", div.innerHTML);
          div.innerHTML = '<span class="pa-callout">' + n + "</span>";
          w = div.offsetWidth; h = div.offsetHeight;
          var spot = null;
          for (var s2 = 0; s2 < 5 && spot === null; s2++) {
            var r2 = own + 3 + s2 * 8;
            var c2 = [[r2, -h / 2], [-r2 - w, -h / 2], [-w / 2, -r2 - h], [-w / 2, r2],
                      [r2 * 0.72, -r2 * 0.72 - h], [r2 * 0.72, r2 * 0.72], [-r2 * 0.72 - w, -r2 * 0.72 - h], [-r2 * 0.72 - w, r2 * 0.72]];
            for (var k2 = 0; k2 < c2.length; k2++) {
              var rc = [p.x + c2[k2][0], p.y + c2[k2][1], p.x + c2[k2][0] + w, p.y + c2[k2][1] + h];
              var bad = 0;
              placed.forEach(function (q) { bad += overlap(rc, q); });
              blocks.forEach(function (q) { bad += overlap(rc, q); });
              circles.forEach(function (q) {
                if (!q[7] && (Math.abs(q[5] - p.x) >= 0.5 || Math.abs(q[6] - p.y) >= 0.5)) { bad += overlap(rc, q); }
              });
              bad += w * h - overlap(rc, [0, 0, size.x, size.y]);
              if (bad === 0) { spot = [c2[k2][0], c2[k2][1], s2 * 8]; break; }
            }
          }
          if (spot === null) { overlaps += 1; spot = [best[1], best[2], best[4]]; }
          best = [0, spot[0], spot[1], "left", spot[2], 0];
        }
        shown += 1;
        div.style.left = best[1] + "px";
        div.style.top = best[2] + "px";
        div.style.textAlign = best[3];
        if (best[4] > 0) {
          var tx = Math.min(Math.max(0, best[1]), best[1] + w);
          var ty = Math.min(Math.max(0, best[2]), best[2] + h);
          var len = Math.sqrt(tx * tx + ty * ty) || 1;
          line.setAttribute("x1", tx / len * own); line.setAttribute("y1", ty / len * own);
          line.setAttribute("x2", tx); line.setAttribute("y2", ty);
          line.style.display = "";
        } else {
          line.style.display = "none";
        }
        placed.push([p.x + best[1], p.y + best[2], p.x + best[1] + w, p.y + best[2] + h]);
      });
      container.setAttribute("data-pa-labels", String(shown));
      container.setAttribute("data-pa-label-overlaps", String(overlaps));
      container.setAttribute("data-pa-callouts", String(callouts.length));
      this._count = (this._count || 0) + 1;
      container.setAttribute("data-pa-layouts", String(this._count));
      this._key(map, callouts);
    },

    _key: function (map, callouts) {
      // the callouts' words, in a box under the title box (top left)
      var text = callouts.map(function (c) { return c.n + "|" + c.html; }).join("\n");
      if (text === this._keyText) { return; }
      this._keyText = text;
      if (this._keyCtl) { map.removeControl(this._keyCtl); this._keyCtl = null; }
      if (!callouts.length) { return; }
      var ctl = L.control({position: "topleft"});
      ctl.onAdd = function () {
        var div = L.DomUtil.create("div", "pa-box pa-callout-key");
        div.innerHTML = callouts.map(function (c) {
          return '<div class="pa-callout-row"><span class="pa-callout">' + c.n + "</span> " +
                 c.html.replace(/<br>/g, " · ") + "</div>";
        }).join("");   // the labels' own escaped HTML
        return div;
      };
      ctl.addTo(map);
      this._keyCtl = ctl;
      this._schedule();   // once more, clear of the key
    }
  });

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
    },

    onRemove: function (map) {
      this._ctls.forEach(function (c) { map.removeControl(c); });
      this._divs.forEach(function (d) { L.DomUtil.remove(d); });
      this._ctls = [];
      this._divs = [];
    }
  });

  var SHAPE_KINDS = {circleMarker: true, polyline: true, polygon: true};
  var TOOLTIP_OPTIONS = {sticky: true, direction: "top", opacity: 0.95};
  var POPUP_OPTIONS = {maxWidth: 380};

  function drawShapes(group, shapes) {
    // geo.mapview.Shapes: L.<kind>(latlngs, options) in list order (later on top), the
    // tooltip and popup (HTML escaped in Python, geo.popup) bound as they were one by one
    for (var i = 0; i < shapes.length; i++) {
      var s = shapes[i];
      if (!SHAPE_KINDS[s.kind]) { throw new Error("PostureAtlas.drawShapes: unknown kind " + s.kind); }
      var layer = L[s.kind](s.latlngs, s.options);
      group.addLayer(layer);
      if (s.tooltip) { layer.bindTooltip(s.tooltip, s.tooltip_options || TOOLTIP_OPTIONS); }
      if (s.popup) { layer.bindPopup(s.popup, POPUP_OPTIONS); }
    }
  }

  function drawLabels(group, items, className, pane) {
    // geo.mapview.Labels: non-interactive divIcons (clicks pass through)
    for (var i = 0; i < items.length; i++) {
      var opts = {icon: L.divIcon({html: items[i].html, className: className, iconSize: [0, 0]}),
                  interactive: false, keyboard: false};
      if (pane) { opts.pane = pane; }
      group.addLayer(L.marker(items[i].latlng, opts));
    }
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
