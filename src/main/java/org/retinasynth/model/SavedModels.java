package org.retinasynth.model;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The on-disk form every model shares: DJL parameters ({@value #PARAMETERS_FILE}, BatchNorm running
 * averages included, optimiser state not) and a JSON description ({@value #CONFIG_FILE}: format,
 * config, seed, versions, provenance), each written to a temp file and renamed into place.
 */
final class SavedModels {

    static final String PARAMETERS_FILE = "parameters.djl";
    static final String CONFIG_FILE = "model.json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SavedModels() {
    }

    /** What {@link #save} writes besides the parameters. */
    static Map<String, Object> description(String format, int version, Object config, long seed, long steps,
                                           long parameterCount, Engine engine, Map<String, Object> provenance) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", format);
        json.put("formatVersion", version);
        json.put("config", config);
        json.put("seed", seed);
        json.put("steps", steps);
        json.put("parameterCount", parameterCount);
        json.put("djlVersion", Engine.getDjlVersion());
        json.put("libtorchVersion", engine.getVersion());
        json.put("provenance", provenance == null ? Map.of() : provenance);
        return json;
    }

    static void save(Path dir, Block block, Map<String, Object> description) {
        try {
            Files.createDirectories(dir);
            Path params = dir.resolve(PARAMETERS_FILE + ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(params)))) {
                block.saveParameters(out);
            }
            Path cfg = dir.resolve(CONFIG_FILE + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(cfg.toFile(), description);
            Files.move(params, dir.resolve(PARAMETERS_FILE), StandardCopyOption.REPLACE_EXISTING);
            Files.move(cfg, dir.resolve(CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save " + description.get("format") + " to " + dir, e);
        }
    }

    /** The stored description, as every model reads it back. */
    record Description<C>(int formatVersion, C config, long seed, long steps, Map<String, Object> provenance) {
    }

    /** The {@code format} a saved model declares, or null when its description has none. */
    static String format(Path dir) {
        Object format = readRaw(dir.resolve(CONFIG_FILE)).get("format");
        return format instanceof String f ? f : null;
    }

    /**
     * Reads the description with its config as {@code configType}, refusing any other format or
     * version. A description without steps (older archives) counts as 0 steps.
     */
    @SuppressWarnings("unchecked")
    static <C> Description<C> read(Path dir, String format, int version, Class<C> configType) {
        Path file = dir.resolve(CONFIG_FILE);
        Map<?, ?> raw = readRaw(file);
        if (!format.equals(raw.get("format")) || !(raw.get("formatVersion") instanceof Number v)
                || v.intValue() != version) {
            throw new IllegalArgumentException(file + " is not a " + format + " model of format version " + version);
        }
        try {
            C config = JSON.convertValue(raw.get("config"), configType);
            long seed = ((Number) raw.get("seed")).longValue();
            long steps = raw.get("steps") instanceof Number n ? n.longValue() : 0;
            Map<String, Object> provenance = raw.get("provenance") instanceof Map<?, ?> p
                    ? (Map<String, Object>) p : Map.of();
            return new Description<>(version, config, seed, steps, provenance);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getOriginalMessage(), e);
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": no numeric seed", e);
        }
    }

    private static Map<?, ?> readRaw(Path file) {
        try {
            return JSON.readValue(file.toFile(), Map.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Initialises {@code block} on {@code manager} and overwrites its parameters with the saved ones;
     * trainable parameters collect gradients again. The manager is closed if anything fails.
     */
    static void loadParameters(Path dir, Block block, NDManager manager, Shape... inputShapes) {
        TorchRuntime.exclusiveRun(() -> {
            try {
                // the throw-away initial values are drawn from libtorch's global generator: without the
                // lock, a load in one thread shifts the draws of a seeded initialisation in another
                synchronized (TorchRuntime.SEED_LOCK) {
                    block.initialize(manager, DataType.FLOAT32, inputShapes);
                }
                List<NDArray> initial = new ArrayList<>();
                for (Pair<String, Parameter> p : block.getParameters()) {
                    initial.add(p.getValue().getArray());
                }
                try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                        Files.newInputStream(dir.resolve(PARAMETERS_FILE))))) {
                    block.loadParameters(manager, in);
                }
                initial.forEach(NDArray::close);
                for (Pair<String, Parameter> p : block.getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        p.getValue().getArray().setRequiresGradient(true);
                    }
                }
            } catch (IOException e) {
                manager.close();
                throw new UncheckedIOException("Cannot load model parameters from " + dir, e);
            } catch (MalformedModelException e) {
                manager.close();
                throw new IllegalArgumentException("Corrupt parameters in " + dir + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        });
    }
}
