// Draws the municipal boundaries from a GeoJSON URL with Leaflet; a tile layer only if configured.
document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("boundary-map");
  if (!element || typeof L === "undefined") return;
  const map = window.kinetzMap(element, { zoomSnap: 0.1 });
  fetch(element.dataset.geojson, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((data) => {
      const layer = L.geoJSON(data, {
        style: { color: "#0b2a63", weight: 2, fillColor: "#4f83cc", fillOpacity: 0.25 },
        onEachFeature: (feature, shape) => {
          shape.bindTooltip(feature.properties.name, { direction: "center", className: "map-label" });
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    });
});
