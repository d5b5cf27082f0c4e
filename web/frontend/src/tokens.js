// Tokens as text on screen. A token is an untrusted string from the model's vocabulary: it is only ever
// set as textContent (or drawn on a canvas), with invisible characters made visible.

/**
 * Spaces, newlines and tabs shown as · ↵ →, other invisible characters as \xNN or \uNNNN, so a token that
 * is only whitespace or an invisible byte still shows. With `spaces: false` (running text) spaces, newlines
 * and tabs stay as they are.
 */
export function visible(token, { spaces = true } = {}) {
  let text = String(token ?? "");
  if (text === "") return "∅";
  if (spaces) text = text.replace(/ /g, "·").replace(/\n/g, "↵").replace(/\r/g, "␍").replace(/\t/g, "→");
  return text.replace(spaces ? INVISIBLE : INVISIBLE_BUT_SPACES, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]/g;
const INVISIBLE_BUT_SPACES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]/g;

/** A label at most `max` characters long, with an ellipsis when cut. */
export function short(token, max = 14) {
  const text = visible(token);
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

/** Soft background hues for token chips; neighbours always differ. */
export const CHIP_HUES = [214, 28, 142, 276, 350, 190, 52, 320];
