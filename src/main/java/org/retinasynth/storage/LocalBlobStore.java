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
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.retinasynth.common.ContentHash;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Blob store on local disk, laid out as {@code root/ab/cd/abcd…}. A blob is written to a temp
 * file in the same file system, forced to disk and then renamed into place, so readers see either
 * nothing or the whole blob — never a torn one, even if the process is killed mid-write.
 *
 * <p>The garbage collector's delete moves a blob into {@code root/trash} before it decides, so that
 * a writer re-putting the same bytes at that moment either touched the file first (and the
 * collector sees the new time and moves it back) or finds it gone and writes it anew. A process
 * killed in between leaves the blob in the trash, and start-up puts it back for the next sweep.
 */
@Component
@ConditionalOnProperty(name = "retinasynth.storage.type", havingValue = "local", matchIfMissing = true)
public class LocalBlobStore implements BlobStore {

    private static final Pattern LEVEL = Pattern.compile("[0-9a-f]{2}");

    private final Path root;
    private final Path tmp;
    private final Path trash;

    public LocalBlobStore(StorageProperties properties) {
        this.root = properties.root().toAbsolutePath().normalize();
        this.tmp = root.resolve("tmp");
        this.trash = root.resolve("trash");
        try {
            Files.createDirectories(tmp);
            Files.createDirectories(trash);
            clearLeftoverTempFiles();
            restoreTrash();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare blob store at " + root, e);
        }
    }

    @Override
    public String put(byte[] bytes) {
        String key = ContentHash.sha256(bytes);
        Path target = pathOf(key);
        if (freshen(target)) {
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
    public Stream<StoredBlob> list() {
        // only the two hex levels of the layout: tmp and trash hold no blob a reader may see
        return children(root).filter(LocalBlobStore::isLevel)
                .flatMap(d -> children(d).filter(LocalBlobStore::isLevel))
                .flatMap(LocalBlobStore::children)
                .filter(f -> ContentKeys.isKey(f.getFileName().toString()) && f.equals(pathOf(f.getFileName().toString())))
                .flatMap(f -> stat(f).stream());
    }

    @Override
    public boolean deleteIfOlderThan(String sha256, Instant cutoff) {
        Path target = pathOf(sha256);
        Path held = trash.resolve(sha256);
        try {
            try {
                Files.move(target, held, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                return false;
            }
            // A writer that re-put these bytes before the move touched the very file now held here;
            // one that comes after it finds no file and writes a new one. So the held file's time
            // tells whether any writer still wants the blob.
            if (!Files.getLastModifiedTime(held).toInstant().isBefore(cutoff)) {
                Files.move(held, target, StandardCopyOption.ATOMIC_MOVE);
                return false;
            }
            Files.delete(held);
            return true;
        } catch (IOException e) {
            throw new StorageException("could not delete blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long totalBytes() {
        try (Stream<StoredBlob> blobs = list()) {
            return blobs.mapToLong(StoredBlob::bytes).sum();
        }
    }

    /** Marks an existing blob as just written; false if there is none, so the caller writes it. */
    private static boolean freshen(Path target) {
        try {
            Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new StorageException("could not touch blob " + target.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private Path pathOf(String key) {
        return root.resolve(ContentKeys.relativePath(key));
    }

    /** A blob left here by a sweep killed before it decided goes back; the next sweep decides again. */
    private void restoreTrash() throws IOException {
        try (Stream<Path> files = Files.list(trash)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (ContentKeys.isKey(name)) {
                    Path target = pathOf(name);
                    Files.createDirectories(target.getParent());
                    Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    deleteQuietly(p);
                }
            }
        }
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

    private static boolean isLevel(Path dir) {
        return LEVEL.matcher(dir.getFileName().toString()).matches();
    }

    private static Stream<Path> children(Path dir) {
        try {
            return Files.list(dir);
        } catch (NoSuchFileException e) {
            return Stream.empty();
        } catch (IOException e) {
            throw new StorageException("could not list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Optional<StoredBlob> stat(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return Optional.of(new StoredBlob(p.getFileName().toString(), a.size(), a.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // deleted meanwhile
        } catch (IOException e) {
            throw new StorageException("could not read " + p + ": " + e.getMessage(), e);
        }
    }
}
