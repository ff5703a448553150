// Choropleth of the gap score per municipality. The colours come from the legend swatches
// (coverage-map.css), so map, legend and table use one palette; the table beside the map
// gives the same figures for readers without the map.
document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("coverage-map");
  if (!element || typeof L === "undefined") return;
  const colour = (index) => {
    const swatch = document.querySelector(`.coverage-legend .gap-${index}`);
    return swatch ? getComputedStyle(swatch).backgroundColor : "#999999";
  };
  const map = window.kinetzMap(element, { zoomSnap: 0.1 });
  fetch(element.dataset.geojson, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((data) => {
      const layer = L.geoJSON(data, {
        style: (feature) => ({
          color: "#1d2939",
          weight: 1.5,
          fillColor: colour(feature.properties.gap_class),
          fillOpacity: 0.85,
        }),
        onEachFeature: (feature, shape) => {
          const p = feature.properties;
          const label = document.createElement("span");
          label.textContent = `${p.name}: ${p.offers} (${p.gap_score.toFixed(2)})`;
          shape.bindTooltip(label, { sticky: true });
          shape.on("click", () => { window.location.href = p.url; });
        },
      }).addTo(map);
      if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    });
});
