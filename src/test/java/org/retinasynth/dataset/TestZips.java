package org.retinasynth.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds well-formed and deliberately hostile ZIP files in memory for the reader tests. */
final class TestZips {

    static final int CEN_SIG = 0x02014b50;
    static final int END_SIG = 0x06054b50;

    private TestZips() {
    }

    /** Entries in order; method is ZipEntry.STORED or ZipEntry.DEFLATED. Names ending in '/' are directories. */
    static byte[] zip(Map<String, byte[]> entries, int method) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                byte[] data = e.getValue() == null ? new byte[0] : e.getValue();
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    entry.setSize(data.length);
                    entry.setCompressedSize(data.length);
                    entry.setCrc(crc.getValue());
                }
                out.putNextEntry(entry);
                out.write(data);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] zip(String name, byte[] data) {
        return zip(Map.of(name, data), ZipEntry.DEFLATED);
    }

    static Map<String, byte[]> entries(Object... nameThenBytes) {
        Map<String, byte[]> map = new LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) {
            map.put((String) nameThenBytes[i], (byte[]) nameThenBytes[i + 1]);
        }
        return map;
    }

    /** A zip whose single DEFLATED entry is {@code megabytes} MiB of zeros, written in chunks. */
    static byte[] zerosBomb(String name, int megabytes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            out.setLevel(9);
            out.putNextEntry(new ZipEntry(name));
            byte[] mib = new byte[1 << 20];
            for (int i = 0; i < megabytes; i++) {
                out.write(mib);
            }
            out.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Path write(Path dir, String fileName, byte[] bytes) {
        try {
            return Files.write(dir.resolve(fileName), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Offset of the n-th (0-based) central directory record. */
    static int cenOffset(byte[] zip, int n) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int found = 0;
        for (int i = 0; i <= zip.length - 4; i++) {
            if (b.getInt(i) == CEN_SIG && found++ == n) {
                return i;
            }
        }
        throw new IllegalArgumentException("no central directory record " + n);
    }

    /** Overwrites a little-endian 32-bit field of the n-th central directory record. */
    static void patchCen(byte[] zip, int n, int fieldOffset, int value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(cenOffset(zip, n) + fieldOffset, value);
    }

    /** Replaces every occurrence of {@code from} with {@code to} (same length), e.g. to forge duplicate names. */
    static byte[] replaceAll(byte[] zip, byte[] from, byte[] to) {
        byte[] out = zip.clone();
        outer:
        for (int i = 0; i <= out.length - from.length; i++) {
            for (int j = 0; j < from.length; j++) {
                if (out[i + j] != from[j]) {
                    continue outer;
                }
            }
            System.arraycopy(to, 0, out, i, to.length);
        }
        return out;
    }

    /**
     * Takes a zip with a single entry named {@code x0.bin}-like (name length 6) and returns one
     * whose central directory lists {@code copies} entries ({@code a0.bin}, {@code a1.bin}, ...)
     * that all point at that same compressed data: overlapping entries, as in Fifield's "better
     * zip bomb". Every entry alone looks harmless; only the archive as a whole expands too much.
     */
    static byte[] overlapping(byte[] singleEntryZip, int copies) {
        int cen = cenOffset(singleEntryZip, 0);
        ByteBuffer b = ByteBuffer.wrap(singleEntryZip).order(ByteOrder.LITTLE_ENDIAN);
        int nameLen = b.getShort(cen + 28) & 0xFFFF;
        int extraLen = b.getShort(cen + 30) & 0xFFFF;
        int commentLen = b.getShort(cen + 32) & 0xFFFF;
        byte[] record = Arrays.copyOfRange(singleEntryZip, cen, cen + 46 + nameLen + extraLen + commentLen);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(singleEntryZip, 0, cen);
        for (int i = 0; i < copies; i++) {
            byte[] r = record.clone();
            byte[] name = String.format("a%d.bin", i).getBytes();
            if (name.length != nameLen) {
                throw new IllegalArgumentException("name length must stay " + nameLen);
            }
            System.arraycopy(name, 0, r, 46, nameLen);
            out.writeBytes(r);
        }
        int cenSize = out.size() - cen;
        ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(END_SIG).putShort((short) 0).putShort((short) 0)
                .putShort((short) copies).putShort((short) copies)
                .putInt(cenSize).putInt(cen).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }
}
