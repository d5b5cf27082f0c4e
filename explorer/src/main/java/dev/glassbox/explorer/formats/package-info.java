/** Opened model files ({@link dev.glassbox.explorer.formats.ModelFile}), the one exception for bad files, and what all readers share. */
package dev.glassbox.explorer.formats;
