// Canvas drawings cannot use CSS variables: they read the theme's value when they draw.

/**
 * The colour CSS custom property `name` stands for on the page now, as rgb(...), or `fallback`. The variables hold
 * light-dark(light, dark), which only an element's computed colour resolves, so a hidden probe element asks.
 */
export function chartColour(name, fallback) {
  const probe = document.createElement("span");
  probe.hidden = true;
  probe.style.color = `var(${name}, ${fallback})`;
  document.body.append(probe);
  const value = getComputedStyle(probe).color;
  probe.remove();
  return value || fallback;
}
