package org.retinasynth.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Every kind of model the service knows, by the {@code format} its saved description declares: its
 * config record, how a config is validated, how a fresh model is built and how a saved one is
 * opened. A model travels as one ZIP of its saved directory (parameters, {@code model.json}, in a
 * checkpoint Adam's moments), so that a checkpoint or a finished model is a single
 * content-addressed blob that any worker can load or a user download; {@link #load} picks the
 * entry from the archive's own description.
 *
 * <p>A new kind of model is a block, a config, a {@link TorchModel} subclass holding its objective,
 * and one line in {@link #ENTRIES}.
 */
public final class ModelRegistry {

    /** What can be put into an archive: a model's saved directory, with or without Adam's moments. */
    public interface Storable {
        /** Parameters and description with {@code provenance}, no optimiser state. */
        void save(Path dir, Map<String, Object> provenance);

        /** What {@link #save} writes plus the optimiser state, so that training continues exactly. */
        void saveCheckpoint(Path dir, Map<String, Object> provenance);
    }

    /** Builds a fresh model. */
    @FunctionalInterface
    public interface Factory<C, M> {
        /** @param device {@code cpu}, {@code cuda}, {@code cuda:N}, or null for the default device */
        M create(C config, long seed, String device);
    }

    /**
     * One registered kind of model.
     *
     * @param format        the {@code format} written into {@code model.json}
     * @param formatVersion the one version of that format this code reads and writes
     * @param validation    returns the config when it is valid, else throws {@link IllegalArgumentException}
     * @param loader        opens a saved directory on a device (null: the default device)
     */
    public record Entry<C, M extends TorchModel<C>>(String format, int formatVersion, Class<M> modelType,
                                                    Class<C> configType, UnaryOperator<C> validation,
                                                    Factory<C, M> factory, BiFunction<Path, String, M> loader) {

        /** A fresh model from a validated config. */
        public M create(C config, long seed, String device) {
            return factory.create(validation.apply(config), seed, device);
        }
    }

    public static final Entry<VaeConfig, VaeModel> VAE = new Entry<>("retinasynth-vae", 1, VaeModel.class,
            VaeConfig.class, VaeConfig::validate, VaeModel::create, VaeModel::load);
    public static final Entry<ClassifierConfig, ClassifierModel> CLASSIFIER = new Entry<>("retinasynth-classifier", 1,
            ClassifierModel.class, ClassifierConfig.class, ClassifierConfig::validate, ClassifierModel::create,
            ClassifierModel::load);

    public static final Entry<EncoderClassifierConfig, EncoderClassifier> ENCODER_CLASSIFIER = new Entry<>(
            "retinasynth-encoder-classifier", 1, EncoderClassifier.class, EncoderClassifierConfig.class,
            EncoderClassifierConfig::validate, EncoderClassifier::create, EncoderClassifier::load);

    private static final List<Entry<?, ?>> ENTRIES = List.of(VAE, CLASSIFIER, ENCODER_CLASSIFIER);

    private ModelRegistry() {
    }

    /** All registered kinds. */
    public static List<Entry<?, ?>> entries() {
        return ENTRIES;
    }

    /** The entry of a stored format. */
    public static Entry<?, ?> forFormat(String format) {
        for (Entry<?, ?> e : ENTRIES) {
            if (e.format().equals(format)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown model format '" + format + "'; known: "
                + ENTRIES.stream().map(Entry::format).toList());
    }

    /** A finished model as one ZIP: parameters and description with {@code provenance}, no optimiser state. */
    public static byte[] archive(Storable model, Map<String, Object> provenance) {
        return zip(dir -> model.save(dir, provenance));
    }

    /** A training checkpoint as one ZIP: the model with Adam's state, so that a resumed job continues exactly. */
    public static byte[] checkpoint(Storable model, Map<String, Object> provenance) {
        return zip(dir -> model.saveCheckpoint(dir, provenance));
    }

    /** Opens an archive of whatever registered kind it declares. */
    public static TorchModel<?> load(byte[] archive, String device) {
        return unzip(archive, dir -> forFormat(SavedModels.format(dir)).loader().apply(dir, device));
    }

    /**
     * Opens an archive that must hold a {@code type}: an archive of another kind is refused with
     * {@link IllegalArgumentException} before anything is loaded. Only flat entry names are accepted.
     */
    public static <M> M load(byte[] archive, Class<M> type, String device) {
        return unzip(archive, dir -> {
            Entry<?, ?> entry = forFormat(SavedModels.format(dir));
            if (!type.isAssignableFrom(entry.modelType())) {
                throw new IllegalArgumentException("the archive holds a " + entry.format() + " model, not a "
                        + type.getSimpleName());
            }
            return type.cast(entry.loader().apply(dir, device));
        });
    }

    private static byte[] zip(Consumer<Path> write) {
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

    private interface DirReader<T> {
        T read(Path dir);
    }

    private static <T> T unzip(byte[] archive, DirReader<T> open) {
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
            return open.read(dir);
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
