/** Tokenizers from tokenizer.json and GGUF files (WordPiece, byte-level BPE, SentencePiece BPE, characters), with offsets into the original text. */
package dev.glassbox.explorer.tokenizers;
