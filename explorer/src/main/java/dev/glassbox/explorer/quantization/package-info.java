/** The quantization lab: a model's weights as Q8_0 or Q4_0, what that does to each tensor, and what it costs the model in quality, size and speed. */
package dev.glassbox.explorer.quantization;
