package org.retinasynth.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;
import org.retinasynth.dataset.InputRejectedException.Kind;

/**
 * Parses a labels CSV that maps image file names to grades.
 *
 * <p>Public datasets name their columns differently (APTOS {@code id_code,diagnosis}, EyePACS
 * {@code image,level}), so columns are recognised by a few aliases, case-insensitively. A broken
 * file or missing column rejects the whole upload; a broken row only produces a {@link RowError},
 * so the user sees every bad row at once instead of fixing them one upload at a time. Grades stay
 * text here because only the caller knows the dataset's class names.
 */
public final class LabelsCsv {

    /** One data row; {@code line} is the 1-based physical line it starts on. */
    public record Row(int line, String filename, String gradeText, String split, String quality, String device,
                      String patient, String eye) {

        /** A row without patient or eye. */
        public Row(int line, String filename, String gradeText, String split, String quality, String device) {
            this(line, filename, gradeText, split, quality, device, null, null);
        }
    }

    /** A row that could not be used, with the reason shown to the user. */
    public record RowError(int line, String reason) {
    }

    /**
     * Result of {@link #parse}: the good rows, the bad ones, and which header columns were used
     * (as spelled in the file, for messages).
     */
    public record Parsed(List<Row> rows, List<RowError> errors, String filenameColumn, String gradeColumn) {
        public Parsed {
            rows = List.copyOf(rows);
            errors = List.copyOf(errors);
        }
    }

    public static final long MAX_BYTES = 64L << 20;
    public static final int MAX_ROWS = 1_000_000;

    /** Aliases in priority order: when a file has several, the first listed wins. */
    private static final List<String> FILENAME_COLUMNS = List.of("filename", "file", "image", "id_code", "path", "name");
    private static final List<String> GRADE_COLUMNS = List.of("grade", "level", "diagnosis", "label", "dr_grade", "class");
    private static final Map<String, String> SPLITS = Map.of(
            "train", "train", "val", "val", "validation", "val", "test", "test");
    private static final List<String> PATIENT_COLUMNS = List.of("patient", "patient_id", "subject");
    private static final List<String> EYE_COLUMNS = List.of("eye", "laterality");
    /** Clinical spellings too: OD (oculus dexter) is the right eye, OS the left. */
    private static final Map<String, String> EYES = Map.of(
            "l", "left", "left", "left", "os", "left", "r", "right", "right", "right", "od", "right");
    public static final int MAX_PATIENT_LENGTH = 200;
    private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "jpe", "tif", "tiff");

    private LabelsCsv() {
    }

    /** Same as {@link #parse(byte[], String)} with the file called "labels CSV" in messages. */
    public static Parsed parse(byte[] csv) {
        return parse(csv, "labels CSV");
    }

    /**
     * @param name how the file is called in messages, e.g. its upload name
     * @throws InputRejectedException TOO_LARGE (bytes, rows), MALFORMED (not UTF-8, binary, broken
     *                                quoting) or BAD_LABELS (no header, missing filename/grade column)
     */
    public static Parsed parse(byte[] csv, String name) {
        String file = "'" + name + "'";
        if (csv.length > MAX_BYTES) {
            throw new InputRejectedException(Kind.TOO_LARGE, "Labels file " + file + " is " + csv.length
                    + " bytes; the limit is " + MAX_BYTES + " bytes");
        }
        String text = decodeUtf8(csv, file);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw new InputRejectedException(Kind.MALFORMED, "Labels file " + file
                    + " contains NUL characters (line " + lineAt(text, nul) + "); it looks like a binary file, not a CSV");
        }
        CSVFormat format = CSVFormat.DEFAULT.builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setTrim(true)
                .setIgnoreEmptyLines(true)
                // Duplicate and blank header names are resolved (or refused) below with a clearer
                // message than commons-csv's.
                .setDuplicateHeaderMode(DuplicateHeaderMode.ALLOW_ALL)
                .setAllowMissingColumnNames(true)
                .get();
        try (CSVParser parser = CSVParser.parse(text, format)) {
            List<String> header = parser.getHeaderNames();
            if (header.isEmpty()) {
                throw new InputRejectedException(Kind.BAD_LABELS, "Labels file " + file + " is empty; expected a"
                        + " header row naming a file column (" + String.join("/", FILENAME_COLUMNS)
                        + ") and a grade column (" + String.join("/", GRADE_COLUMNS) + ")");
            }
            int fileCol = column(header, FILENAME_COLUMNS, "file name", file, true);
            int gradeCol = column(header, GRADE_COLUMNS, "grade", file, true);
            int splitCol = column(header, List.of("split"), "split", file, false);
            int qualityCol = column(header, List.of("quality"), "quality", file, false);
            int deviceCol = column(header, List.of("device"), "device", file, false);
            int patientCol = column(header, PATIENT_COLUMNS, "patient", file, false);
            int eyeCol = column(header, EYE_COLUMNS, "eye", file, false);
            return readRows(parser, text, header.size(),
                    new int[] {fileCol, gradeCol, splitCol, qualityCol, deviceCol, patientCol, eyeCol}, file, header);
        } catch (IOException | UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
            // commons-csv reports broken quoting as an (unchecked) IO problem with the line inside.
            Throwable cause = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
            throw new InputRejectedException(Kind.MALFORMED, "Labels file " + file + " is not a valid CSV ("
                    + cause.getMessage() + ")", e);
        }
    }

    private static Parsed readRows(CSVParser parser, String text, int columns, int[] cols, String file,
                                   List<String> header) {
        int fileCol = cols[0];
        int gradeCol = cols[1];
        int splitCol = cols[2];
        List<Row> rows = new ArrayList<>();
        List<RowError> errors = new ArrayList<>();
        Map<String, Integer> lineByKey = new HashMap<>();
        Map<String, String> nameByKey = new HashMap<>();
        LineIndex lines = new LineIndex(text);
        int count = 0;
        for (CSVRecord record : parser) {
            if (++count > MAX_ROWS) {
                throw new InputRejectedException(Kind.TOO_LARGE, "Labels file " + file + " has more than "
                        + MAX_ROWS + " rows");
            }
            // Spreadsheets export trailing ",,,," rows; they are blank lines, not broken rows.
            if (record.stream().allMatch(String::isEmpty)) {
                continue;
            }
            int line = lines.lineOf(firstVisible(text, record.getCharacterPosition()));
            if (record.size() != columns) {
                errors.add(new RowError(line, "has " + record.size() + " fields but the header has " + columns));
                continue;
            }
            String filename = record.get(fileCol);
            String grade = record.get(gradeCol);
            if (filename.isEmpty()) {
                errors.add(new RowError(line, "empty " + header.get(fileCol)));
                continue;
            }
            if (grade.isEmpty()) {
                errors.add(new RowError(line, "empty " + header.get(gradeCol) + " for '" + filename + "'"));
                continue;
            }
            String split = null;
            if (splitCol >= 0 && !record.get(splitCol).isEmpty()) {
                split = SPLITS.get(record.get(splitCol).toLowerCase(Locale.ROOT));
                if (split == null) {
                    errors.add(new RowError(line, "split '" + record.get(splitCol) + "' for '" + filename
                            + "' is not one of train, val, validation, test"));
                    continue;
                }
            }
            String patient = optional(record, cols[5]);
            if (patient != null && patient.length() > MAX_PATIENT_LENGTH) {
                errors.add(new RowError(line, header.get(cols[5]) + " for '" + filename + "' is longer than "
                        + MAX_PATIENT_LENGTH + " characters"));
                continue;
            }
            String eye = optional(record, cols[6]);
            if (eye != null) {
                String canonical = EYES.get(eye.toLowerCase(Locale.ROOT));
                if (canonical == null) {
                    errors.add(new RowError(line, header.get(cols[6]) + " '" + eye + "' for '" + filename
                            + "' is not one of left, right, L, R, OS, OD"));
                    continue;
                }
                eye = canonical;
            }
            // Rows are matched to images by key, so two names with the same key are ambiguous even
            // when spelled differently (10_left vs 10_left.jpeg).
            String key = key(filename);
            Integer first = lineByKey.putIfAbsent(key, line);
            if (first != null) {
                String other = nameByKey.get(key);
                errors.add(new RowError(line, other.equals(filename)
                        ? "duplicate file name '" + filename + "' (first on line " + first + ")"
                        : "file name '" + filename + "' matches the same image as '" + other + "' on line " + first));
                continue;
            }
            nameByKey.put(key, filename);
            rows.add(new Row(line, filename, grade, split, optional(record, cols[3]), optional(record, cols[4]),
                    patient, eye));
        }
        return new Parsed(rows, errors, header.get(fileCol), header.get(gradeCol));
    }

    /**
     * Normalises a file name for matching labels to images: directory and image extension
     * (png, jpg, jpeg, jpe, tif, tiff; any case) removed, otherwise unchanged and case-sensitive.
     * {@code "train/10_left.jpeg"} and {@code "10_left"} both give {@code "10_left"}. Only image
     * extensions are removed, so an id containing a dot ({@code "img.001"}) still matches
     * {@code "img.001.png"}.
     */
    public static String key(String filename) {
        String base = filename.strip();
        int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        base = base.substring(slash + 1);
        int dot = base.lastIndexOf('.');
        if (dot > 0 && IMAGE_EXTENSIONS.contains(base.substring(dot + 1).toLowerCase(Locale.ROOT))) {
            base = base.substring(0, dot);
        }
        return base;
    }

    private static String optional(CSVRecord record, int col) {
        if (col < 0) {
            return null;
        }
        String v = record.get(col);
        return v.isEmpty() ? null : v;
    }

    /** Index of the first alias present in the header, or -1 (or BAD_LABELS if required). */
    private static int column(List<String> header, List<String> aliases, String role, String file,
                              boolean required) {
        for (String alias : aliases) {
            int found = -1;
            for (int i = 0; i < header.size(); i++) {
                if (header.get(i) != null && header.get(i).equalsIgnoreCase(alias)) {
                    if (found >= 0) {
                        throw new InputRejectedException(Kind.BAD_LABELS, "Labels file " + file + " has the column '"
                                + alias + "' twice (columns " + (found + 1) + " and " + (i + 1) + ")");
                    }
                    found = i;
                }
            }
            if (found >= 0) {
                return found;
            }
        }
        if (required) {
            throw new InputRejectedException(Kind.BAD_LABELS, "Labels file " + file + " has no " + role
                    + " column: expected one of " + String.join(", ", aliases) + " (any case), found "
                    + Arrays.toString(header.toArray()));
        }
        return -1;
    }

    private static String decodeUtf8(byte[] csv, String file) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(csv)).toString();
        } catch (MalformedInputException e) {
            int offset = firstInvalidUtf8(csv);
            throw new InputRejectedException(Kind.MALFORMED, "Labels file " + file + " is not valid UTF-8 (first bad"
                    + " byte at offset " + offset + "); save it as UTF-8, e.g. \"CSV UTF-8\" in Excel", e);
        } catch (CharacterCodingException e) {
            throw new InputRejectedException(Kind.MALFORMED, "Labels file " + file + " is not valid UTF-8", e);
        }
    }

    private static int firstInvalidUtf8(byte[] csv) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(csv);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            var result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isUnderflow()) {
                return -1;
            }
            out.clear();
        }
    }

    /**
     * commons-csv reports a record as starting where the previous one ended, i.e. before any
     * skipped blank lines; users count lines from the first visible character.
     */
    private static long firstVisible(String text, long position) {
        int i = (int) position;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int lineAt(String text, int offset) {
        return new LineIndex(text).lineOf(offset);
    }

    /** Maps character offsets to 1-based line numbers; '\n', '\r\n' and a lone '\r' end a line. */
    private static final class LineIndex {
        private final int[] starts;

        LineIndex(String text) {
            int[] s = new int[1024];
            int n = 1;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'))) {
                    if (n == s.length) {
                        s = Arrays.copyOf(s, n * 2);
                    }
                    s[n++] = i + 1;
                }
            }
            starts = Arrays.copyOf(s, n);
        }

        int lineOf(long offset) {
            int i = Arrays.binarySearch(starts, (int) offset);
            return (i >= 0 ? i : -i - 2) + 1;
        }
    }
}
