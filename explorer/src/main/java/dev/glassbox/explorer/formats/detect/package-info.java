/** Opening a model file of any format: the format told apart by name and first bytes, then its reader; no reader imports it. */
package dev.glassbox.explorer.formats.detect;
