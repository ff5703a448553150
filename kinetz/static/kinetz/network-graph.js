// Draws the network graph with Cytoscape from the JSON endpoint named in data-src.
// Colours come from the legend's swatches (kinetz.css), so page and graph cannot disagree.
// The lists under the graph give the same relations; this drawing is an addition to them.
document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("network-graph");
  if (!element || typeof cytoscape === "undefined") return;
  const status = document.getElementById("graph-status");
  const controls = document.getElementById("graph-controls");
  const texts = element.dataset;

  const colours = {};
  document.querySelectorAll("[data-swatch]").forEach((swatch) => {
    const style = getComputedStyle(swatch);
    const colour = style.backgroundColor;
    colours[swatch.dataset.swatch] =
      colour && colour !== "rgba(0, 0, 0, 0)" ? colour : style.borderBlockStartColor;
  });

  const announce = (message) => {
    if (status) status.textContent = message;
  };

  const showMessage = (message) => {
    element.dataset.state = "message";
    const note = document.createElement("p");
    note.className = "network-graph__message";
    note.textContent = message;
    element.replaceChildren(note);
  };

  // Break labels into short lines ourselves and isolate each line's direction (FSI … PDI):
  // the canvas would otherwise lay out German names right-to-left on an Arabic page.
  const wrapLabel = (label) => {
    const lines = [];
    for (const word of label.split(/\s+/)) {
      const last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= 22) lines[last] += " " + word;
      else lines.push(word);
    }
    return lines.map((line) => `\u2068${line}\u2069`).join("\n");
  };

  const elementsFrom = (data) => [
    ...data.nodes.map((node) => ({
      group: "nodes",
      data: {
        ...node,
        display: wrapLabel(node.label),
        colour: colours[node.kind === "working_group" ? "working_group" : node.actor_type] || "#667085",
        typeLabel: node.kind === "working_group" ? texts.textWorkingGroup : node.actor_type_label,
      },
      classes: node.kind,
    })),
    ...data.edges.map((edge) => ({ group: "edges", data: edge, classes: edge.kind })),
  ];

  const draw = (data) => {
    if (!data.nodes.length) {
      showMessage(texts.textEmpty);
      return;
    }
    const cy = cytoscape({
      container: element,
      elements: elementsFrom(data),
      userZoomingEnabled: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
      minZoom: 0.2,
      maxZoom: 3,
      style: [
        {
          selector: "node",
          style: {
            label: "data(display)",
            "background-color": "data(colour)",
            "font-family": "Fira Sans, sans-serif",
            "font-size": 14,
            color: "#1d2939",
            "text-wrap": "wrap",
            "text-max-width": 400,
            "text-valign": "bottom",
            "text-margin-y": 4,
            "text-background-color": "#fcfcfd",
            "text-background-opacity": 0.85,
            "text-background-padding": 2,
            width: 26,
            height: 26,
            "border-width": 1,
            "border-color": "#ffffff",
          },
        },
        {
          selector: "node.working_group",
          style: {
            shape: "round-rectangle",
            width: 42,
            height: 42,
            "font-weight": "bold",
            "font-size": 16,
          },
        },
        {
          selector: "edge",
          style: { width: 2, "curve-style": "bezier", "line-color": colours.membership || "#98a2b3" },
        },
        {
          selector: "edge.cooperation",
          style: { "line-style": "dashed", "line-color": colours.cooperation || "#b54708", width: 3 },
        },
        {
          selector: "node.current",
          style: {
            "border-width": 5,
            "border-color": "#0b57d0",
            "underlay-color": "#0b57d0",
            "underlay-opacity": 0.25,
            "underlay-padding": 8,
            "z-index": 10,
          },
        },
      ],
      layout: {
        name: "cose",
        animate: false,
        randomize: false,
        nodeDimensionsIncludeLabels: true,
        // Spread the nodes over the container's own shape, so labels stay readable.
        boundingBox: { x1: 0, y1: 0, w: element.clientWidth, h: element.clientHeight },
        idealEdgeLength: () => 90,
        nodeRepulsion: () => 12000,
        gravity: 0.4,
        componentSpacing: 60,
        padding: 16,
      },
    });
    element.dataset.state = "drawn";
    if (controls) controls.hidden = false;

    const open = (node) => {
      const url = node.data("url");
      if (url) window.location.assign(url);
    };
    cy.on("tap", "node", (event) => open(event.target));
    cy.on("mouseover", "node", () => element.classList.add("network-graph--pointer"));
    cy.on("mouseout", "node", () => element.classList.remove("network-graph--pointer"));

    // Keyboard: arrow keys walk the nodes in alphabetical order, Enter opens the current one.
    const nodes = cy.nodes().sort((a, b) => a.data("label").localeCompare(b.data("label")));
    let index = -1;
    const select = (next) => {
      if (index >= 0) nodes[index].removeClass("current");
      index = (next + nodes.length) % nodes.length;
      const node = nodes[index];
      node.addClass("current");
      cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1) }, { duration: 150 });
      announce(
        texts.textSelected
          .replace("{label}", node.data("label"))
          .replace("{type}", node.data("typeLabel") || "")
          .replace("{count}", String(node.degree(false))),
      );
    };
    element.addEventListener("keydown", (event) => {
      const keys = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
      if (event.key in keys) {
        event.preventDefault();
        select(index < 0 && keys[event.key] < 0 ? -1 : index + keys[event.key]);
      } else if (event.key === "Home" || event.key === "End") {
        event.preventDefault();
        select(event.key === "Home" ? 0 : nodes.length - 1);
      } else if (event.key === "Enter" && index >= 0) {
        event.preventDefault();
        open(nodes[index]);
      }
    });

    if (controls) {
      controls.addEventListener("click", (event) => {
        const button = event.target.closest("[data-graph-action]");
        if (!button) return;
        const action = button.dataset.graphAction;
        const centre = { x: element.clientWidth / 2, y: element.clientHeight / 2 };
        if (action === "fit") cy.fit(undefined, 24);
        else cy.zoom({ level: cy.zoom() * (action === "zoom-in" ? 1.25 : 0.8), renderedPosition: centre });
      });
    }
  };

  fetch(texts.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then(draw)
    .catch(() => showMessage(texts.textError));
});
