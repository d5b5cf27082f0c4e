// SVG elements built the same way as dom.js builds HTML ones: attributes and text, never markup strings.
export const SVG_NS = "http://www.w3.org/2000/svg";

/** Creates an SVG element with attributes and optional text content. */
export function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}
