// The colour theme (auto follows the system; light; dark) and the projector's large text, chosen in the site
// header and kept in localStorage. Canvas drawings listen for "glassbox:theme" to redraw in the new colours.
import "./styles/theme.css";

const THEME_KEY = "glassbox.theme";
const TEXT_KEY = "glassbox.text";
const THEMES = ["auto", "light", "dark"];
const THEME_NAMES = { auto: "auto (as the system)", light: "light", dark: "dark" };

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: the defaults, for this page only
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // storage disabled
  }
}

/** "light" or "dark": what the page shows now. */
export function currentTheme() {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "light" || chosen === "dark") return chosen;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function applyTheme(theme) {
  if (theme === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  const button = document.getElementById("theme-toggle");
  const label = document.getElementById("theme-label");
  if (label) label.textContent = `Theme: ${theme}`;
  button?.setAttribute("title", `Colour theme: ${THEME_NAMES[theme]}. Click for the next one.`);
  document.dispatchEvent(new CustomEvent("glassbox:theme"));
}

function applyText(large) {
  if (large) document.documentElement.dataset.text = "large";
  else delete document.documentElement.dataset.text;
  document.getElementById("text-toggle")?.setAttribute("aria-pressed", String(large));
}

export function startSettings() {
  let theme = THEMES.includes(stored(THEME_KEY)) ? stored(THEME_KEY) : "auto";
  applyTheme(theme);
  applyText(stored(TEXT_KEY) === "large");
  document.getElementById("theme-toggle")?.addEventListener("click", () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
    store(THEME_KEY, theme);
    applyTheme(theme);
  });
  document.getElementById("text-toggle")?.addEventListener("click", () => {
    const large = document.documentElement.dataset.text !== "large";
    store(TEXT_KEY, large ? "large" : "normal");
    applyText(large);
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    if (theme === "auto") document.dispatchEvent(new CustomEvent("glassbox:theme"));
  });
  // The skip link needs a target on pages that do not name their <main>.
  const main = document.querySelector("main");
  if (main && !document.getElementById("main")) {
    main.id = "main";
    main.tabIndex = -1;
  }
}
