// The one way renderers here build DOM: elements and text nodes, never HTML strings.

/** Creates an element with a class and optional text content. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}
