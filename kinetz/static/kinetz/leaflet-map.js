// One way to open a Leaflet map in kinetz: no scroll-wheel zoom (the page scrolls), attribution
// shown, and a tile layer only when the element names a tile server (data-tile-url, "-" = none).
window.kinetzMap = (element, options = {}) => {
  const map = L.map(element, { scrollWheelZoom: false, attributionControl: true, ...options });
  const tileUrl = element.dataset.tileUrl;
  if (tileUrl && tileUrl !== "-") {
    L.tileLayer(tileUrl, { attribution: element.dataset.tileAttribution || "" }).addTo(map);
  }
  return map;
};
