package org.retinasynth.testsupport;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.retinasynth.dataset.PhantomGenerator;

/** Builds the files tests upload: phantom images in any format, and ZIPs of named entries. */
public final class TestFiles {

    private TestFiles() {
    }

    public static byte[] phantom(int grade, int size, long seed, String format) {
        BufferedImage framed = PhantomGenerator.withBlackBorder(new PhantomGenerator(seed).render(grade, size),
                size * 3 / 2, size);
        return encode(framed, format);
    }

    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalArgumentException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Entries are written in the map's iteration order; use a LinkedHashMap to control it. */
    public static byte[] zip(Map<String, byte[]> entries) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey()));
                    zip.write(e.getValue());
                    zip.closeEntry();
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One array of a .npz: numpy dtype descr (e.g. "|u1"), shape and raw little-endian data. */
    public record Npy(String descr, int[] shape, byte[] data) {
    }

    /** Builds a .npz (NPY format 1.0 entries) as numpy.savez would, for MedMNIST-layout tests. */
    public static byte[] npz(Map<String, Npy> arrays) {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        arrays.forEach((name, a) -> entries.put(name + ".npy", npy(a)));
        return zip(entries);
    }

    public static byte[] npy(Npy a) {
        StringBuilder shape = new StringBuilder("(");
        for (int d : a.shape()) {
            shape.append(d).append(", ");
        }
        if (a.shape().length > 1) {
            shape.setLength(shape.length() - 2);
        } else if (a.shape().length == 1) {
            shape.setLength(shape.length() - 1);
        }
        shape.append(')');
        String header = "{'descr': '" + a.descr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >> 8);
        out.writeBytes(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(a.data());
        return out.toByteArray();
    }
}
