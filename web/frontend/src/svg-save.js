// "Save SVG" for the charts drawn as SVG: the chart serialised with XMLSerializer, each element's computed colours
// and fonts written onto it (the page's stylesheet and theme variables do not travel with the file), on the page's
// background, downloaded under a name made from the chart's title.
import { el } from "./dom.js";
import { chartColour } from "./chart-colours.js";
import { SVG_NS } from "./svg.js";

/** The properties a chart's look depends on; everything else keeps the SVG's own defaults. */
const INLINED = [
  "fill", "fill-opacity", "stroke", "stroke-opacity", "stroke-width", "stroke-dasharray", "stroke-linecap", "opacity",
  "font-family", "font-size", "font-weight", "text-anchor", "dominant-baseline", "visibility", "display",
];

/** A file name from a title: "Loss curve: tiny-stories" -> "loss-curve-tiny-stories.svg". */
export function svgFileName(title) {
  const stem = String(title || "chart").toLowerCase().replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
  return `${stem || "chart"}.svg`;
}

/**
 * The chart as a standalone SVG document: computed styles inlined per element, classes dropped (they mean nothing
 * outside the page), a background rectangle first.
 */
export function standaloneSvg(chart) {
  const copy = chart.cloneNode(true);
  const originals = [chart, ...chart.querySelectorAll("*")];
  const copies = [copy, ...copy.querySelectorAll("*")];
  originals.forEach((original, i) => {
    const style = getComputedStyle(original);
    const target = copies[i];
    const declarations = INLINED.map((name) => [name, style.getPropertyValue(name)])
      .filter(([, value]) => value && value !== "normal" && value !== "auto")
      .map(([name, value]) => `${name}:${value}`);
    target.setAttribute("style", declarations.join(";"));
    target.removeAttribute("class");
  });
  copy.setAttribute("xmlns", SVG_NS);
  const box = chart.viewBox?.baseVal;
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("x", box && box.width ? box.x : 0);
  background.setAttribute("y", box && box.width ? box.y : 0);
  background.setAttribute("width", box && box.width ? box.width : chart.getAttribute("width") || "100%");
  background.setAttribute("height", box && box.width ? box.height : chart.getAttribute("height") || "100%");
  background.setAttribute("fill", chartColour("--surface", "#ffffff"));
  copy.insertBefore(background, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

/**
 * A small "Save SVG" button. {@code target} is the chart's svg element, or an element holding it (charts that are
 * drawn again as they grow, such as a loss curve during training, are looked up when the button is pressed).
 */
export function saveSvgButton(target, title) {
  const button = el("button", "btn btn-small svg-save", "Save SVG");
  button.type = "button";
  button.title = "Download this chart as an SVG image";
  button.addEventListener("click", () => {
    const chart = target instanceof SVGSVGElement ? target : target.querySelector("svg");
    if (!chart) return;
    const blob = new Blob([standaloneSvg(chart)], { type: "image/svg+xml" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = svgFileName(typeof title === "function" ? title() : title);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  });
  return button;
}

/** The button in its own row under a chart. */
export function chartActions(target, title) {
  const row = el("div", "chart-actions");
  row.append(saveSvgButton(target, title));
  return row;
}
