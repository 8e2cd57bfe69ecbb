package org.retinasynth.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh, empty PostgreSQL database for a test: in a Testcontainers container when a Docker
 * engine is present, otherwise on the local server at 127.0.0.1:5432 (a new database per call,
 * dropped at JVM exit). If neither can be reached the test fails: it never passes without one.
 */
public final class PostgresDatabases {

    public record Coordinates(String url, String username, String password) {
    }

    private static final String LOCAL_HOST = System.getenv().getOrDefault("RETINASYNTH_TEST_PG_HOST", "127.0.0.1:5432");
    private static final String LOCAL_USER = System.getenv().getOrDefault("RETINASYNTH_TEST_PG_USER", "postgres");
    private static final String LOCAL_PASSWORD = System.getenv().getOrDefault("RETINASYNTH_TEST_PG_PASSWORD", "");
    private static PostgreSQLContainer container;

    private PostgresDatabases() {
    }

    /**
     * A fresh database as the datasource of a {@code @SpringBootTest}, with its own data dir and no
     * first key printed; returns the coordinates for tests that also connect directly.
     */
    public static Coordinates register(org.springframework.test.context.DynamicPropertyRegistry registry,
                                       String dataDirPrefix) throws java.io.IOException {
        Coordinates db = fresh();
        registry.add("spring.datasource.url", db::url);
        registry.add("spring.datasource.username", db::username);
        registry.add("spring.datasource.password", db::password);
        registry.add("retinasynth.data-dir", java.nio.file.Files.createTempDirectory(dataDirPrefix)::toString);
        registry.add("retinasynth.security.print-first-key", () -> "false");
        return db;
    }

    public static synchronized Coordinates fresh() {
        if (dockerAvailable()) {
            if (container == null) {
                container = new PostgreSQLContainer("postgres:16-alpine");
                container.start();
            }
            return create("jdbc:postgresql://" + container.getHost() + ":" + container.getFirstMappedPort(),
                    container.getUsername(), container.getPassword(), container.getDatabaseName());
        }
        return create("jdbc:postgresql://" + LOCAL_HOST, LOCAL_USER, LOCAL_PASSWORD, "test");
    }

    private static Coordinates create(String base, String user, String password, String adminDb) {
        String name = "rs_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(base + "/" + adminDb, user, password);
             Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("No PostgreSQL for this test: no Docker engine for Testcontainers and "
                    + "the server at " + base + " refused (" + e.getMessage() + "). Start PostgreSQL or set "
                    + "RETINASYNTH_TEST_PG_HOST/_USER/_PASSWORD.", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(base, user, password, adminDb, name)));
        return new Coordinates(base + "/" + name, user, password);
    }

    private static void drop(String base, String user, String password, String adminDb, String name) {
        try (Connection c = DriverManager.getConnection(base + "/" + adminDb, user, password);
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        } catch (SQLException ignored) {
            // the container or server is going away anyway
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }
}
