/**
 * The model families (BERT encoder, Llama-style decoder, GPT-2), each with one readable forward pass,
 * and what lets a learner look inside it: hook points with TransformerLens names, the activation cache,
 * interventions, the logit lens and sampling.
 */
package dev.glassbox.explorer.models;
