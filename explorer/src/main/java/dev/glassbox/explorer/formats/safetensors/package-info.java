/** Reading and writing Hugging Face safetensors files, single or sharded with an index. */
package dev.glassbox.explorer.formats.safetensors;
