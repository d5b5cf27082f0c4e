// Colour scales for heatmaps, as 256-entry lookup tables of [r, g, b].
// Diverging (blue, white, red) when the data straddles zero; sequential (dark violet to yellow,
// perceptually even, in the spirit of viridis) otherwise.

const SEQUENTIAL_STOPS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
const DIVERGING_STOPS = ["#1d4f91", "#3b7bbf", "#8fbbe0", "#d6e6f4", "#f7f7f7", "#fadbc9", "#ef9c7a", "#d2553d", "#9e1b25"];

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function lookupTable(stops) {
  const colours = stops.map(rgb);
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const position = (i / 255) * (colours.length - 1);
    const lower = Math.min(Math.floor(position), colours.length - 2);
    const t = position - lower;
    for (let c = 0; c < 3; c++) {
      table[i * 3 + c] = Math.round(colours[lower][c] * (1 - t) + colours[lower + 1][c] * t);
    }
  }
  return table;
}

const SEQUENTIAL = lookupTable(SEQUENTIAL_STOPS);
const DIVERGING = lookupTable(DIVERGING_STOPS);
const MISSING = [200, 200, 200]; // NaN and null cells

/**
 * A scale for values in [min, max]. Diverging scales are symmetric around zero (both ends at the
 * larger magnitude) so that equal colours mean equal magnitudes on either side.
 */
export function colourScale(min, max) {
  const diverging = min < 0 && max > 0;
  const low = diverging ? -Math.max(-min, max) : min;
  const high = diverging ? -low : max;
  const span = high - low || 1;
  const table = diverging ? DIVERGING : SEQUENTIAL;
  return {
    diverging,
    low,
    high,
    /** Writes the colour of `value` into `out` at `offset` (r, g, b; alpha is left alone). */
    paint(value, out, offset) {
      if (value === null || Number.isNaN(value)) {
        out[offset] = MISSING[0];
        out[offset + 1] = MISSING[1];
        out[offset + 2] = MISSING[2];
        return;
      }
      const index = Math.max(0, Math.min(255, Math.round(((value - low) / span) * 255))) * 3;
      out[offset] = table[index];
      out[offset + 1] = table[index + 1];
      out[offset + 2] = table[index + 2];
    },
    /** CSS colour at fraction t of the scale, 0 = low end. */
    css(t) {
      const index = Math.max(0, Math.min(255, Math.round(t * 255))) * 3;
      return `rgb(${table[index]}, ${table[index + 1]}, ${table[index + 2]})`;
    },
  };
}
