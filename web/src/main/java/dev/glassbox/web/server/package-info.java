/** What every part of the server shares: its one JSON mapper and its limits; it imports no other web package. */
package dev.glassbox.web.server;
