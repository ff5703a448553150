// Small maps of an offer's places on its public page: one marker per map, tiles as configured.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof L === "undefined") return;
  document.querySelectorAll(".offer-map").forEach((element) => {
    const point = [Number(element.dataset.latitude), Number(element.dataset.longitude)];
    if (point.some(Number.isNaN)) return;
    const map = window.kinetzMap(element).setView(point, 15);
    L.circleMarker(point, { radius: 9, color: "#0b2a63", fillColor: "#4f83cc", fillOpacity: 0.9, interactive: false }).addTo(map);
  });
});
