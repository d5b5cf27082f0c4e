/** Reading the Hugging Face JSON files that travel with a model: config.json and tokenizer.json. */
package dev.glassbox.explorer.formats.hf;
