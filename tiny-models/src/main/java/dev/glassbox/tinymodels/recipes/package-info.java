/** The recipes Glassbox trains its own fully open models from: sizes, data batches, the training run and its record. */
package dev.glassbox.tinymodels.recipes;
