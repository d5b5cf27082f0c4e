/** The JSON API the pages use and scripts can call: sessions, lessons, kernels, health. */
package dev.glassbox.web.api;
