/** Reading and writing GGUF v3 files: typed metadata, tensor infos, aligned (possibly quantized) tensor data. */
package dev.glassbox.explorer.formats.gguf;
