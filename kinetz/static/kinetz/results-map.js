// The map of the search results: municipal boundaries (the chosen municipality highlighted) and
// one numbered pin per place of the results on the page, numbered as in the list. The map is an
// enhancement: without JavaScript its figure stays hidden and the list is the page. It is drawn
// again whenever htmx swaps in new results; the boundaries are fetched once per page.
(() => {
  let boundaries = null;
  let current = null;

  const boundaryStyle = { color: "#0b2a63", weight: 1, opacity: 0.7, fillColor: "#4f83cc", fillOpacity: 0.08 };
  const selectedStyle = { color: "#0b2a63", weight: 3, opacity: 1, fillColor: "#4f83cc", fillOpacity: 0.25 };

  function loadStylesheet(href) {
    if (!href) return;
    const present = Array.from(document.querySelectorAll("link[rel=stylesheet]")).some((link) => link.getAttribute("href") === href);
    if (present) return;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function fetchBoundaries(url) {
    if (!boundaries) {
      boundaries = fetch(url, { credentials: "same-origin" }).then((response) => {
        if (!response.ok) throw new Error(`boundaries: HTTP ${response.status}`);
        return response.json();
      });
    }
    return boundaries;
  }

  function popupContent(place) {
    const pageLanguage = document.documentElement.lang;
    const box = document.createElement("div");
    box.className = "finder-map__popup";
    if (place.place) {
      const name = document.createElement("p");
      name.className = "finder-map__place";
      name.lang = "de";
      name.textContent = place.place;
      box.append(name);
    }
    const list = document.createElement("ul");
    list.className = "finder-map__offers";
    place.offers.forEach((offer) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.className = "kern-link";
      link.href = offer.url;
      link.textContent = `${offer.number}. ${offer.name}`;
      if (offer.lang !== pageLanguage) {
        link.lang = offer.lang;
        link.dir = "ltr";
      }
      item.append(link);
      list.append(item);
    });
    box.append(list);
    return box;
  }

  function pin(place) {
    const numbers = place.offers.map((offer) => offer.number);
    const label = document.createElement("span");
    label.className = "finder-map__pin";
    label.textContent = numbers.length > 1 ? `${numbers[0]}+` : String(numbers[0]);
    const names = place.offers.map((offer) => `${offer.number}. ${offer.name}`).join("; ");
    const marker = L.marker([place.lat, place.lon], {
      icon: L.divIcon({ className: "finder-map__marker", html: label, iconSize: [30, 30] }),
      title: names,
      riseOnHover: true,
    });
    marker.on("add", () => marker.getElement().setAttribute("aria-label", names));
    marker.bindPopup(popupContent(place));
    return marker;
  }

  function draw() {
    if (current) {
      current.remove();
      current = null;
    }
    const element = document.getElementById("results-map");
    if (!element || typeof L === "undefined") return;
    const source = document.getElementById(element.dataset.markers);
    const places = source ? JSON.parse(source.textContent) : [];
    loadStylesheet(element.dataset.leafletCss);
    element.closest(".finder-map").hidden = false;

    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    const map = window.kinetzMap(element, {
      zoomSnap: 0.25,
      fadeAnimation: !still,
      zoomAnimation: !still,
      markerZoomAnimation: !still,
    });
    current = map;
    const pins = L.featureGroup(places.map(pin));
    if (places.length) {
      map.fitBounds(pins.getBounds(), { padding: [32, 32], maxZoom: 13 });
      pins.addTo(map);
    }

    const selected = element.dataset.selected;
    fetchBoundaries(element.dataset.boundaries)
      .then((data) => {
        if (current !== map) return; // newer results have been drawn meanwhile
        const layer = L.geoJSON(data, {
          interactive: false,
          style: (feature) => (feature.properties.slug === selected ? selectedStyle : boundaryStyle),
        });
        if (!places.length) {
          const chosen = L.geoJSON(data, { filter: (feature) => feature.properties.slug === selected });
          const bounds = chosen.getLayers().length ? chosen.getBounds() : layer.getBounds();
          if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
          else map.setView([51.5, 6.5], 9);
        }
        layer.addTo(map);
        layer.bringToBack();
      })
      .catch(() => {
        if (current === map && !places.length) element.closest(".finder-map").hidden = true;
      });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.target && event.target.id === "search-results") draw();
  });
})();
