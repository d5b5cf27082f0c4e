/** Tensors: shapes, storage types, memory-mapped data decoded to float on read, quantized blocks, statistics. */
package dev.glassbox.explorer.tensor;
