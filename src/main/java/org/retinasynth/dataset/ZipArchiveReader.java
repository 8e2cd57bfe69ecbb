package org.retinasynth.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.retinasynth.dataset.InputRejectedException.Kind;

/**
 * Reads an uploaded ZIP (spooled to a temp file) into memory, all or nothing.
 *
 * <p>Uploads are hostile until proven otherwise, so the whole archive is rejected when any entry
 * is: entry names are checked for traversal and other tricks before a single byte is inflated,
 * nested archives are refused because we never recurse (and a nested zip is the classic bomb), and
 * inflated bytes are <em>counted as they are produced</em> rather than taken from the headers,
 * which the uploader controls. Buffers grow with the data actually inflated, never with a declared
 * size. Entries are never written to disk, so symlink entries and file modes are irrelevant.
 */
public final class ZipArchiveReader {

    /** One file of the archive; {@code name} is the full path inside the archive, '/'-separated. */
    public record ArchiveEntry(String name, byte[] bytes) {
        @Override
        public String toString() {
            return "ArchiveEntry[" + name + ", " + bytes.length + " bytes]";
        }
    }

    /**
     * Compression ratios are only enforced past this many inflated bytes: a few KiB of a
     * well-compressing file say nothing about a bomb and cannot hurt us.
     */
    static final long RATIO_GRACE_BYTES = 1L << 20;

    private static final int CHUNK = 64 * 1024;
    /** Largest byte[] the JVM reliably allocates. */
    private static final long MAX_ENTRY_IN_MEMORY = Integer.MAX_VALUE - 16;

    private static final Set<String> ARCHIVE_EXTENSIONS = Set.of(
            "zip", "npz", "jar", "gz", "tgz", "tar", "7z", "rar", "bz2", "tbz2", "xz", "txz", "zst", "lz", "lzma",
            "z", "cab", "iso");
    private static final Set<String> JUNK_FILES = Set.of("thumbs.db", "desktop.ini");

    private ZipArchiveReader() {
    }

    /** Same as {@link #read(Path, String, UploadLimits)}, naming the archive by its file name. */
    public static List<ArchiveEntry> read(Path zip, UploadLimits limits) {
        return read(zip, String.valueOf(zip.getFileName()), limits);
    }

    /**
     * Reads every regular file of the archive. Directories, {@code __MACOSX/} resource forks,
     * dot-files ({@code .DS_Store}, {@code ._x.png}) and Windows {@code Thumbs.db}/{@code
     * desktop.ini} are skipped silently; their names are still checked for safety.
     *
     * <p>The compression-ratio limit applies per entry (inflated / compressed bytes) and to the
     * whole archive (inflated bytes / file size), once more than {@value #RATIO_GRACE_BYTES} bytes
     * have been inflated.
     *
     * @param displayName the name the user uploaded it as (the temp file's name means nothing to
     *                    them); used in messages
     * @throws InputRejectedException MALFORMED (not a zip, truncated, corrupt), TOO_LARGE (entries,
     *                                bytes, compression ratio) or UNSAFE (names, nested archives)
     */
    public static List<ArchiveEntry> read(Path zip, String displayName, UploadLimits limits) {
        Objects.requireNonNull(zip, "zip");
        Objects.requireNonNull(limits, "limits");
        String archive = "'" + displayName + "'";
        long fileSize;
        try {
            fileSize = Files.size(zip);
        } catch (IOException e) {
            throw new InputRejectedException(Kind.MALFORMED, "Archive " + archive + " cannot be read", e);
        }
        // ZipFile, not ZipInputStream: it reads the central directory first, so we see every name
        // and the entry count before inflating anything, and local headers cannot smuggle extra
        // entries past the directory.
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            List<ZipEntry> toRead = checkDirectory(zf, archive, limits);
            return inflate(zf, toRead, archive, fileSize, limits);
        } catch (InputRejectedException e) {
            throw e;
        } catch (ZipException e) {
            throw new InputRejectedException(Kind.MALFORMED, "Archive " + archive
                    + " is not a valid ZIP file or is truncated (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            // JDK zip code reports some corruption (e.g. undecodable names) as unchecked exceptions.
            throw new InputRejectedException(Kind.MALFORMED, "Archive " + archive + " is corrupt ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
        }
    }

    /** All name-level checks, done on the central directory before any data is touched. */
    private static List<ZipEntry> checkDirectory(ZipFile zf, String archive, UploadLimits limits) {
        if (zf.size() > limits.maxArchiveEntries()) {
            throw tooManyEntries(archive, zf.size(), limits);
        }
        List<ZipEntry> toRead = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int count = 0;
        Enumeration<? extends ZipEntry> entries = zf.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            if (++count > limits.maxArchiveEntries()) {
                throw tooManyEntries(archive, count, limits);
            }
            String name = e.getName();
            checkName(name, archive);
            // ZipFile looks entries up by name, so with duplicates we could not even tell which one
            // we read; and which one "wins" differs between tools.
            if (!seen.add(name)) {
                throw new InputRejectedException(Kind.UNSAFE, "Archive " + archive + " contains the entry '"
                        + printable(name) + "' more than once");
            }
            if (e.isDirectory() || isSkipped(name)) {
                continue;
            }
            if (ARCHIVE_EXTENSIONS.contains(extension(name))) {
                throw nested(archive, name);
            }
            toRead.add(e);
        }
        return toRead;
    }

    private static List<ArchiveEntry> inflate(ZipFile zf, List<ZipEntry> toRead, String archive, long fileSize,
                                              UploadLimits limits) throws IOException {
        List<ArchiveEntry> result = new ArrayList<>(toRead.size());
        byte[] chunk = new byte[CHUNK];
        long total = 0;
        for (ZipEntry e : toRead) {
            String name = e.getName();
            // The compressed size bounds how many raw bytes ZipFile feeds the inflater for this
            // entry, so entryBytes / csize only grows while reading: crossing the limit early is
            // final.
            long compressed = Math.max(1, e.getCompressedSize());
            CRC32 crc = new CRC32();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long entryBytes = 0;
            try (InputStream in = zf.getInputStream(e)) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    entryBytes += n;
                    total += n;
                    if (total > limits.maxArchiveBytes()) {
                        throw new InputRejectedException(Kind.TOO_LARGE, "Archive " + archive
                                + " inflates to more than " + limits.maxArchiveBytes()
                                + " bytes (the limit), stopped at entry '" + printable(name) + "'");
                    }
                    if (entryBytes > RATIO_GRACE_BYTES && entryBytes > limits.maxCompressionRatio() * compressed) {
                        throw new InputRejectedException(Kind.TOO_LARGE, "Entry '" + printable(name)
                                + "' in archive " + archive + " expands more than "
                                + fmt(limits.maxCompressionRatio()) + " times (" + compressed
                                + " compressed bytes gave over " + entryBytes + "); this looks like a zip bomb");
                    }
                    // Against the real file size: overlapping entries can share one compressed
                    // stream, so the per-entry sizes alone would not catch them.
                    if (total > RATIO_GRACE_BYTES && total > limits.maxCompressionRatio() * fileSize) {
                        throw new InputRejectedException(Kind.TOO_LARGE, "Archive " + archive
                                + " expands more than " + fmt(limits.maxCompressionRatio()) + " times its size of "
                                + fileSize + " bytes (reached " + total + " bytes at entry '" + printable(name)
                                + "'); this looks like a zip bomb");
                    }
                    if (entryBytes > MAX_ENTRY_IN_MEMORY) {
                        throw new InputRejectedException(Kind.TOO_LARGE, "Entry '" + printable(name)
                                + "' in archive " + archive + " is larger than 2 GiB");
                    }
                    crc.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
            // ZipFile checks neither size nor CRC; a mismatch means corruption or a forged header.
            if (entryBytes != e.getSize() || crc.getValue() != e.getCrc()) {
                throw new InputRejectedException(Kind.MALFORMED, "Entry '" + printable(name) + "' in archive "
                        + archive + " is corrupt: its data does not match the size/CRC recorded in the archive");
            }
            byte[] bytes = out.toByteArray();
            if (isArchiveContent(bytes)) {
                throw nested(archive, name);
            }
            result.add(new ArchiveEntry(name, bytes));
        }
        return result;
    }

    private static void checkName(String name, String archive) {
        String why = unsafeReason(name);
        if (why != null) {
            throw new InputRejectedException(Kind.UNSAFE, "Archive " + archive + " has an unsafe entry name '"
                    + printable(name) + "': " + why);
        }
    }

    /** Returns why the name is unsafe, or null. Package-private for tests. */
    static String unsafeReason(String name) {
        if (name.isEmpty()) {
            return "empty name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0) {
                return "contains a NUL character";
            }
            if (Character.isISOControl(c)) {
                return "contains a control character";
            }
            // Bidirectional overrides make a name display differently from what it is.
            if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
                return "contains a bidirectional-override character";
            }
            if (c == '\\') {
                return "contains a backslash (Windows path separator)";
            }
        }
        if (name.startsWith("/")) {
            return "absolute path";
        }
        if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
            return "absolute Windows path (drive letter)";
        }
        String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) {
                return "path traversal ('..')";
            }
            // '.' and empty segments let two different names mean the same file, which would
            // defeat the duplicate check.
            if (segment.equals(".") || segment.isEmpty()) {
                return "'.' or empty path segment";
            }
        }
        return null;
    }

    private static boolean isSkipped(String name) {
        String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        String[] segments = path.split("/");
        if (segments[0].equals("__MACOSX")) {
            return true;
        }
        for (String segment : segments) {
            if (segment.startsWith(".")) {
                return true;
            }
        }
        return JUNK_FILES.contains(segments[segments.length - 1].toLowerCase(Locale.ROOT));
    }

    private static boolean isArchiveContent(byte[] b) {
        return startsWith(b, 'P', 'K', 3, 4)          // zip, npz, jar
                || startsWith(b, 'P', 'K', 5, 6)       // empty zip
                || startsWith(b, 'P', 'K', 7, 8)       // spanned zip
                || startsWith(b, 0x1F, 0x8B)           // gzip
                || startsWith(b, 'B', 'Z', 'h')        // bzip2
                || startsWith(b, 0xFD, '7', 'z', 'X', 'Z', 0) // xz
                || startsWith(b, 0x28, 0xB5, 0x2F, 0xFD)      // zstd
                || startsWith(b, '7', 'z', 0xBC, 0xAF, 0x27, 0x1C)
                || startsWith(b, 'R', 'a', 'r', '!', 0x1A, 0x07)
                || hasMagicAt(b, 257, 'u', 's', 't', 'a', 'r'); // tar
    }

    private static boolean startsWith(byte[] b, int... magic) {
        return hasMagicAt(b, 0, magic);
    }

    private static boolean hasMagicAt(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String extension(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        return dot > slash ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    private static InputRejectedException tooManyEntries(String archive, int count, UploadLimits limits) {
        return new InputRejectedException(Kind.TOO_LARGE, "Archive " + archive + " has at least " + count
                + " entries; the limit is " + limits.maxArchiveEntries());
    }

    private static InputRejectedException nested(String archive, String name) {
        return new InputRejectedException(Kind.UNSAFE, "Archive " + archive + " contains another archive '"
                + printable(name) + "'; nested archives are not accepted, put the images in one flat ZIP");
    }

    /** Names go into messages shown to users; keep control characters from reaching logs/UIs raw. */
    static String printable(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), 200));
        for (int i = 0; i < name.length() && i < 200; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (name.length() > 200) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static String fmt(double ratio) {
        return ratio == Math.rint(ratio) ? String.valueOf((long) ratio) : String.valueOf(ratio);
    }
}
