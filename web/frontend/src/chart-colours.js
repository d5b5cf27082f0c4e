// Canvas drawings cannot use CSS variables: they read the theme's value when they draw.

/** The value of CSS custom property `name` on the page now, or `fallback`. */
export function chartColour(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}
