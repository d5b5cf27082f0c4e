package dev.glassbox.explorer.formats.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes protobuf wire format, for building small ONNX files in tests (Glassbox only reads ONNX). */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void raw(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void tag(int field, int wire) { raw((long) field << 3 | wire); }

    ProtoWriter varint(int field, long v) { tag(field, 0); raw(v); return this; }

    ProtoWriter fixed32(int field, int v) {
        tag(field, 5);
        for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
        return this;
    }

    ProtoWriter bytes(int field, byte[] b) { tag(field, 2); raw(b.length); out.write(b, 0, b.length); return this; }

    ProtoWriter string(int field, String s) { return bytes(field, s.getBytes(StandardCharsets.UTF_8)); }

    ProtoWriter message(int field, ProtoWriter m) { return bytes(field, m.toByteArray()); }

    ProtoWriter packedVarints(int field, long... values) {
        ProtoWriter p = new ProtoWriter();
        for (long v : values) p.raw(v);
        return bytes(field, p.toByteArray());
    }

    ProtoWriter packedFloats(int field, float... values) {
        ProtoWriter p = new ProtoWriter();
        for (float v : values) {
            int bits = Float.floatToRawIntBits(v);
            for (int i = 0; i < 4; i++) p.out.write(bits >>> (8 * i));
        }
        return bytes(field, p.toByteArray());
    }

    byte[] toByteArray() { return out.toByteArray(); }
}
