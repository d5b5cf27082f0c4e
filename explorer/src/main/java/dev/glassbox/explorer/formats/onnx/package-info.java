/** Reading ONNX models with a small protobuf wire-format reader: graph, initializers, and names for anonymous weights. */
package dev.glassbox.explorer.formats.onnx;
