package org.retinasynth.training;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.retinasynth.model.VaeModel;

/**
 * A saved model (DJL parameters + JSON config with provenance) as one ZIP, so that a checkpoint or
 * a finished model is a single content-addressed blob that any worker can load or a user download.
 * Public because generation samples from finished models.
 */
public final class ModelArchive {

    private ModelArchive() {
    }

    /** A finished model: parameters and description with {@code provenance}, no optimiser state. */
    public static byte[] save(VaeModel model, Map<String, Object> provenance) {
        return archive(dir -> model.save(dir, provenance));
    }

    /** A training checkpoint: the model with Adam's state, so that a resumed job continues exactly. */
    public static byte[] checkpoint(VaeModel model, Map<String, Object> provenance) {
        return archive(dir -> model.saveCheckpoint(dir, provenance));
    }

    private static byte[] archive(java.util.function.Consumer<Path> write) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("retinasynth-model-");
            write.accept(dir);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.list(dir)) {
                for (Path f : files.sorted().toList()) {
                    zip.putNextEntry(new ZipEntry(f.getFileName().toString()));
                    Files.copy(f, zip);
                    zip.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("could not archive the model", e);
        } finally {
            deleteTree(dir);
        }
    }

    /** Only flat entry names written by {@link #save} are accepted. */
    public static VaeModel load(byte[] archive, String device) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("retinasynth-model-");
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    String name = e.getName();
                    if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                        throw new IllegalStateException("unexpected entry in model archive: " + name);
                    }
                    Files.copy(zip, dir.resolve(name));
                }
            }
            return VaeModel.load(dir, device);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the model archive", e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder: the OS cleans it up
        }
    }
}
