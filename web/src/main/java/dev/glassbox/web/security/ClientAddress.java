package dev.glassbox.web.security;

import io.javalin.http.Context;

import java.util.Set;

/**
 * The address a request comes from, for per-address limits. Behind a reverse proxy every request comes from
 * the proxy, so one student's wrong guesses would lock out the whole room; a proxy named as trusted is
 * believed about the client it saw ({@code X-Forwarded-For}), nobody else is (a client can send any header).
 */
public final class ClientAddress {
    private final Set<String> trustedProxies;

    /** {@code trustedProxies}: addresses of reverse proxies, as the server sees them (e.g. "127.0.0.1"); empty: none. */
    public ClientAddress(Set<String> trustedProxies) {
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    public String of(Context ctx) {
        String peer = ctx.ip();
        if (!trustedProxies.contains(peer)) return peer;
        String forwarded = ctx.header("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) return peer;
        // The rightmost hop that is not one of our proxies is the client our proxy saw; hops left of it are the client's word.
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !trustedProxies.contains(hop)) return hop.length() > 100 ? hop.substring(0, 100) : hop;
        }
        return peer;
    }
}
