/** The training data of the models Glassbox trains itself: seeded generators of sorting lists, repeated sequences and little stories. */
package dev.glassbox.tinymodels.data;
