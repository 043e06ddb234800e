/*
 * A small slippy map for the service directory, without outside libraries.
 *
 * Progressive enhancement: the page lists every place; this script draws the
 * same places on tiles from the server in MAP_TILE_URL ("…/{z}/{x}/{y}.png",
 * Web Mercator, 256 px tiles). Markers are links with the place's name, so
 * they are reachable by keyboard and announced by screen readers. The map
 * moves by dragging, by the arrow keys when it has focus, and zooms with its
 * buttons (or + and -).
 */
(function () {
  "use strict";

  var TILE_SIZE = 256;
  var MIN_ZOOM = 3;
  var MAX_ZOOM = 18;
  var SINGLE_POINT_ZOOM = 15;
  var FIT_PADDING = 40;
  var KEY_STEP = 80;

  // Web Mercator: longitude/latitude to world pixels at zoom z.
  function project(lat, lng, zoom) {
    var scale = TILE_SIZE * Math.pow(2, zoom);
    var sin = Math.sin((Math.max(Math.min(lat, 85.0511), -85.0511) * Math.PI) / 180);
    return {
      x: ((lng + 180) / 360) * scale,
      y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale,
    };
  }

  function unproject(x, y, zoom) {
    var scale = TILE_SIZE * Math.pow(2, zoom);
    var lng = (x / scale) * 360 - 180;
    var n = Math.PI - (2 * Math.PI * y) / scale;
    var lat = (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
    return { lat: lat, lng: lng };
  }

  // The largest zoom at which every point fits in the frame.
  function fittingZoom(points, width, height) {
    if (points.length === 1) {
      return SINGLE_POINT_ZOOM;
    }
    for (var zoom = MAX_ZOOM; zoom > MIN_ZOOM; zoom--) {
      var xs = [];
      var ys = [];
      points.forEach(function (point) {
        var p = project(point.lat, point.lng, zoom);
        xs.push(p.x);
        ys.push(p.y);
      });
      var spanX = Math.max.apply(null, xs) - Math.min.apply(null, xs);
      var spanY = Math.max.apply(null, ys) - Math.min.apply(null, ys);
      if (spanX <= width - 2 * FIT_PADDING && spanY <= height - 2 * FIT_PADDING) {
        return Math.min(zoom, SINGLE_POINT_ZOOM + 2);
      }
    }
    return MIN_ZOOM;
  }

  function centreOf(points) {
    var lats = points.map(function (p) { return p.lat; });
    var lngs = points.map(function (p) { return p.lng; });
    return {
      lat: (Math.max.apply(null, lats) + Math.min.apply(null, lats)) / 2,
      lng: (Math.max.apply(null, lngs) + Math.min.apply(null, lngs)) / 2,
    };
  }

  function tileUrl(template, zoom, x, y) {
    return template
      .replace("{z}", zoom)
      .replace("{x}", x)
      .replace("{y}", y)
      .replace("{s}", "abc".charAt(Math.abs(x + y) % 3));
  }

  function button(label, text) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "site-map__zoom";
    element.setAttribute("aria-label", label);
    element.textContent = text;
    return element;
  }

  function SiteMap(frame, points) {
    this.frame = frame;
    this.points = points;
    this.template = frame.getAttribute("data-tile-url");
    this.tiles = {};

    frame.textContent = "";
    frame.classList.add("is-ready");

    this.viewport = document.createElement("div");
    this.viewport.className = "site-map__viewport";
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute("role", "group");
    this.viewport.setAttribute("aria-label", frame.getAttribute("data-label-viewport") || "");
    this.tileLayer = document.createElement("div");
    this.tileLayer.className = "site-map__tiles";
    this.markerLayer = document.createElement("div");
    this.markerLayer.className = "site-map__markers";
    this.viewport.appendChild(this.tileLayer);
    this.viewport.appendChild(this.markerLayer);

    var controls = document.createElement("div");
    controls.className = "site-map__controls";
    var zoomIn = button(frame.getAttribute("data-label-zoom-in") || "+", "+");
    var zoomOut = button(frame.getAttribute("data-label-zoom-out") || "-", "\u2212");
    controls.appendChild(zoomIn);
    controls.appendChild(zoomOut);

    frame.appendChild(this.viewport);
    frame.appendChild(controls);

    this.markers = points.map(this.makeMarker, this);
    this.width = this.viewport.clientWidth;
    this.height = this.viewport.clientHeight;
    this.zoom = fittingZoom(points, this.width, this.height);
    this.centre = centreOf(points);

    var self = this;
    zoomIn.addEventListener("click", function () { self.setZoom(self.zoom + 1); });
    zoomOut.addEventListener("click", function () { self.setZoom(self.zoom - 1); });
    this.viewport.addEventListener("keydown", function (event) { self.onKey(event); });
    this.enableDragging();
    window.addEventListener("resize", function () {
      self.width = self.viewport.clientWidth;
      self.height = self.viewport.clientHeight;
      self.render();
    });
    this.render();
  }

  SiteMap.prototype.makeMarker = function (point) {
    var link = document.createElement("a");
    link.className = "site-map__marker";
    link.href = point.url;
    var label = point.name + " \u2013 " + point.provider;
    if (point.services && point.services.length) {
      label += ". " + (this.frame.getAttribute("data-label-services") || "") + ": " +
        point.services.join(", ");
    }
    link.setAttribute("aria-label", label);
    link.title = label;
    this.markerLayer.appendChild(link);
    return link;
  };

  SiteMap.prototype.setZoom = function (zoom) {
    this.zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom));
    this.render();
  };

  SiteMap.prototype.panBy = function (dx, dy) {
    var centre = project(this.centre.lat, this.centre.lng, this.zoom);
    this.centre = unproject(centre.x + dx, centre.y + dy, this.zoom);
    this.render();
  };

  SiteMap.prototype.onKey = function (event) {
    if (event.target !== this.viewport) {
      return;
    }
    var moves = {
      ArrowLeft: [-KEY_STEP, 0],
      ArrowRight: [KEY_STEP, 0],
      ArrowUp: [0, -KEY_STEP],
      ArrowDown: [0, KEY_STEP],
    };
    if (moves[event.key]) {
      this.panBy(moves[event.key][0], moves[event.key][1]);
    } else if (event.key === "+" || event.key === "=") {
      this.setZoom(this.zoom + 1);
    } else if (event.key === "-") {
      this.setZoom(this.zoom - 1);
    } else {
      return;
    }
    event.preventDefault();
  };

  SiteMap.prototype.enableDragging = function () {
    var self = this;
    var last = null;
    this.viewport.addEventListener("pointerdown", function (event) {
      if (event.target.closest(".site-map__marker")) {
        return;
      }
      last = { x: event.clientX, y: event.clientY };
      self.viewport.setPointerCapture(event.pointerId);
      self.viewport.classList.add("is-dragging");
    });
    this.viewport.addEventListener("pointermove", function (event) {
      if (!last) {
        return;
      }
      var dx = last.x - event.clientX;
      var dy = last.y - event.clientY;
      last = { x: event.clientX, y: event.clientY };
      self.panBy(dx, dy);
    });
    function stop() {
      last = null;
      self.viewport.classList.remove("is-dragging");
    }
    this.viewport.addEventListener("pointerup", stop);
    this.viewport.addEventListener("pointercancel", stop);
  };

  SiteMap.prototype.render = function () {
    var zoom = this.zoom;
    var centre = project(this.centre.lat, this.centre.lng, zoom);
    var left = centre.x - this.width / 2;
    var top = centre.y - this.height / 2;
    var count = Math.pow(2, zoom);
    var wanted = {};

    var firstX = Math.floor(left / TILE_SIZE);
    var lastX = Math.floor((left + this.width) / TILE_SIZE);
    var firstY = Math.max(0, Math.floor(top / TILE_SIZE));
    var lastY = Math.min(count - 1, Math.floor((top + this.height) / TILE_SIZE));
    for (var x = firstX; x <= lastX; x++) {
      for (var y = firstY; y <= lastY; y++) {
        var wrappedX = ((x % count) + count) % count;
        var key = zoom + "/" + x + "/" + y;
        var tile = this.tiles[key];
        if (!tile) {
          tile = document.createElement("img");
          tile.className = "site-map__tile";
          tile.alt = "";
          tile.draggable = false;
          tile.width = TILE_SIZE;
          tile.height = TILE_SIZE;
          tile.src = tileUrl(this.template, zoom, wrappedX, y);
          this.tileLayer.appendChild(tile);
          this.tiles[key] = tile;
        }
        tile.style.transform =
          "translate(" + Math.round(x * TILE_SIZE - left) + "px," + Math.round(y * TILE_SIZE - top) + "px)";
        wanted[key] = true;
      }
    }
    for (var existing in this.tiles) {
      if (!wanted[existing]) {
        this.tileLayer.removeChild(this.tiles[existing]);
        delete this.tiles[existing];
      }
    }

    for (var i = 0; i < this.points.length; i++) {
      var p = project(this.points[i].lat, this.points[i].lng, zoom);
      var mx = p.x - left;
      var my = p.y - top;
      var marker = this.markers[i];
      // Markers outside the frame leave the tab order until they come back.
      marker.hidden = mx < 0 || my < 0 || mx > this.width || my > this.height;
      marker.style.transform = "translate(" + Math.round(mx) + "px," + Math.round(my) + "px)";
    }
  };

  function start() {
    var frames = document.querySelectorAll("[data-map]");
    Array.prototype.forEach.call(frames, function (frame) {
      var data = document.getElementById(frame.getAttribute("data-map-points"));
      var template = frame.getAttribute("data-tile-url");
      if (!data || !template) {
        return;
      }
      var points = JSON.parse(data.textContent).filter(function (point) {
        return isFinite(point.lat) && isFinite(point.lng);
      });
      if (points.length) {
        new SiteMap(frame, points);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
