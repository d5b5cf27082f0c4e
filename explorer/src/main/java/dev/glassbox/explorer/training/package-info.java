/** Training Llama-style decoders in Java: reverse-mode gradients on the training kernels, AdamW, schedules, checkpoints and a training loop. */
package dev.glassbox.explorer.training;
