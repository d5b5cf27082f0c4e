/** llama.cpp, prebuilt inside the npm package node-llama-cpp, as the outside oracle and speed reference for Glassbox's GGUF exports. */
package dev.glassbox.tinymodels.llamacpp;
