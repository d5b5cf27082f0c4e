/** Sessions, CSRF tokens, rate limits and the checks every request passes before it reaches a handler. */
package dev.glassbox.web.security;
