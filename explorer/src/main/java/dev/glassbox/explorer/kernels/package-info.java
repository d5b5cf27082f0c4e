/** Vector API kernels and their scalar twins; the only package that imports jdk.incubator.vector. */
package dev.glassbox.explorer.kernels;
