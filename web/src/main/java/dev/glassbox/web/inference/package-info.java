/** Running the catalog's models for the pages: loaded models, the inference API and the attention, layer, generate and tokenizer pages. */
package dev.glassbox.web.inference;
