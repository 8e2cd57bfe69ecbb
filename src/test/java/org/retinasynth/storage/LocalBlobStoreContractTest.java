package org.retinasynth.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreContractTest extends BlobStoreContract {

    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return new LocalBlobStore(new StorageProperties(root));
    }
}
