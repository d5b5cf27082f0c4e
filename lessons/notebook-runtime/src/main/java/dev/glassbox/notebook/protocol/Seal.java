package dev.glassbox.notebook.protocol;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A kernel's signature on the reply that ends a cell: HMAC-SHA256, under a key the server gives the kernel before
 * any cell runs ({@link HostMessage.Key}), over the request id, the status, the execution count, whether it was a
 * check, and the code the kernel ran. A cell's own thread can write lines to the server and even read or replace
 * the requests coming in (its process holds both pipes), but without the key it cannot make a reply the server
 * accepts, and a reply for other code than the server sent (a swapped-in request) does not verify.
 */
public final class Seal {
    private static final String ALGORITHM = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private Seal(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** A fresh seal for one kernel JVM. */
    public static Seal random() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new Seal(key);
    }

    /** The seal whose key the server sent ({@link HostMessage.Key#key}). */
    public static Seal of(HostMessage.Key message) {
        byte[] key = Base64.getDecoder().decode(message.key());
        if (key.length < 32) throw new IllegalArgumentException("a seal's key has 32 bytes, got " + key.length);
        return new Seal(key);
    }

    /** The message that hands this seal's key to a new kernel, on the first line of its standard input. */
    public HostMessage.Key handOver() {
        return new HostMessage.Key(Base64.getEncoder().encodeToString(key.getEncoded()));
    }

    /** The signature of a reply that ends request {@code id}, which ran {@code code}. */
    public String sign(long id, KernelMessage.Reply.Status status, int executionCount, String code, boolean check) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return Base64.getEncoder().encodeToString(mac.doFinal(signed(id, status, executionCount, code, check)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
        }
    }

    /**
     * What a seal signs for the reply that ends request {@code id}: SHA-256 of the code that ran, then
     * "id|status|count|check" in UTF-8. The kernel's runtime signs these same bytes with its own HMAC.
     */
    public static byte[] signed(long id, KernelMessage.Reply.Status status, int executionCount, String code, boolean check) {
        try {
            byte[] codeHash = MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8));
            byte[] fields = (id + "|" + status.wire() + "|" + executionCount + "|" + check).getBytes(StandardCharsets.UTF_8);
            byte[] message = java.util.Arrays.copyOf(codeHash, codeHash.length + fields.length);
            System.arraycopy(fields, 0, message, codeHash.length, fields.length);
            return message;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Whether {@code reply} was signed with this seal's key for the request that ran {@code code}. */
    public boolean verifies(KernelMessage.Reply reply, String code, boolean check) {
        if (reply.seal() == null || reply.status() == null) return false;
        byte[] expected = sign(reply.id(), reply.status(), reply.executionCount(), code, check).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, reply.seal().getBytes(StandardCharsets.US_ASCII));
    }
}
