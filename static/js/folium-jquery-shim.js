/*
 * folium-jquery-shim.js: Posture Atlas's own code (not vendored), loaded by
 * geo/assets.py OfflineMap right after Leaflet.
 *
 * Why: we do not ship jQuery, but folium 0.20's templates still call `$` in
 * two places:
 *   - every folium.Popup:     var html_x = $(`<div ...>...</div>`)[0];
 *   - Map.keep_in_front():    $(document).ready(objects_in_front);
 * Without a `$` those lines throw a ReferenceError and the rest of the map
 * script (every layer after the first popup) silently never runs.
 * This shim implements exactly those two calls and nothing else. If real
 * jQuery is present it does nothing.
 */
(function () {
  "use strict";
  if (typeof window.$ !== "undefined" || typeof window.jQuery !== "undefined") {
    return;
  }

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      setTimeout(fn, 0); // jQuery also calls ready handlers asynchronously
    }
  }

  function shim(arg) {
    if (typeof arg === "string") {
      // $(htmlString) -> array of the top-level elements, so `[0]` works.
      var tpl = document.createElement("template");
      tpl.innerHTML = arg.trim();
      return Array.prototype.slice.call(tpl.content.children);
    }
    if (typeof arg === "function") {
      onReady(arg); // $(fn)
      return undefined;
    }
    // $(document) -> only .ready(fn) is supported
    return {
      ready: function (fn) {
        onReady(fn);
      },
    };
  }

  shim.ajax = function (url) {
    throw new Error(
      "folium-jquery-shim: $.ajax(" + url + ") is not available offline; " +
        "use folium.GeoJson(data) with embed=True (the default)."
    );
  };

  window.$ = shim;
})();
