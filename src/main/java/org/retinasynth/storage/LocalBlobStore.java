package org.retinasynth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.stream.Stream;
import org.retinasynth.common.ContentHash;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Blob store on local disk, laid out as {@code root/ab/cd/abcd…}. A blob is written to a temp
 * file in the same file system, forced to disk and then renamed into place, so readers see either
 * nothing or the whole blob — never a torn one, even if the process is killed mid-write.
 */
@Component
@ConditionalOnProperty(name = "retinasynth.storage.type", havingValue = "local", matchIfMissing = true)
public class LocalBlobStore implements BlobStore {

    private final Path root;
    private final Path tmp;

    public LocalBlobStore(StorageProperties properties) {
        this.root = properties.root().toAbsolutePath().normalize();
        this.tmp = root.resolve("tmp");
        try {
            Files.createDirectories(tmp);
            clearLeftoverTempFiles();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare blob store at " + root, e);
        }
    }

    @Override
    public String put(byte[] bytes) {
        String key = ContentHash.sha256(bytes);
        Path target = pathOf(key);
        if (Files.exists(target)) {
            return key;
        }
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(tmp, key.substring(0, 8), ".part");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return key;
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new StorageException("could not store blob " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> get(String sha256) {
        try {
            return Optional.of(Files.readAllBytes(pathOf(sha256)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("could not read blob " + sha256, e);
        }
    }

    @Override
    public InputStream open(String sha256) {
        try {
            return Files.newInputStream(pathOf(sha256));
        } catch (IOException e) {
            throw new StorageException("could not open blob " + sha256, e);
        }
    }

    @Override
    public boolean exists(String sha256) {
        return Files.exists(pathOf(sha256));
    }

    @Override
    public void delete(String sha256) {
        deleteQuietly(pathOf(sha256));
    }

    @Override
    public long totalBytes() {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.startsWith(tmp))
                    .mapToLong(LocalBlobStore::sizeOf).sum();
        } catch (IOException e) {
            throw new StorageException("could not size blob store", e);
        }
    }

    private Path pathOf(String key) {
        return root.resolve(ContentKeys.relativePath(key));
    }

    /** Temp files are only ever unreferenced partial writes of a process that died. */
    private void clearLeftoverTempFiles() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            files.forEach(LocalBlobStore::deleteQuietly);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: an unreferenced file costs only disk space
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // deleted meanwhile
        }
    }
}
