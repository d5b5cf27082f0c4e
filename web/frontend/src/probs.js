// Probabilities (or similarities) as a list of labelled bars, in the DOM: a token, a bar, a number.
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { short, visible } from "./tokens.js";

/** One labelled bar: `text` (a token) and `value`, drawn against `max` (1 for probabilities). */
export function probRow(text, value, { chosen = false, max = 1 } = {}) {
  const row = el("div", chosen ? "prob-row prob-row-chosen" : "prob-row");
  const bar = el("span", "prob-bar");
  const fill = el("span", "prob-fill");
  fill.style.width = `${Math.max(0, Math.min(1, value / (max || 1))) * 100}%`;
  bar.append(fill);
  row.append(el("span", "prob-token", short(text, 18)), bar, el("span", "prob-value", formatNumber(value)));
  row.title = `“${visible(text)}”: ${formatNumber(value)}${chosen ? " (chosen)" : ""}`;
  return row;
}

/** A titled list of bars. */
export function probList(title, items, options = {}) {
  const box = el("div", "prob-list");
  if (title) box.append(el("h3", "prob-title", title));
  for (const item of items) box.append(probRow(item.text, item.value, { ...options, chosen: item.chosen }));
  return box;
}
