package org.retinasynth.testsupport;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A multipart/form-data body for plain {@link java.net.http.HttpClient} requests, which
 * have no multipart support of their own; used where a real server in another process is called
 * (crash tests, load benchmark) rather than MockMvc.
 */
public final class MultipartBody {

    private static final String BOUNDARY = "----retinasynth-test";

    /** The value of the request's Content-Type header for a body built here. */
    public static final String CONTENT_TYPE = "multipart/form-data; boundary=" + BOUNDARY;

    private MultipartBody() {
    }

    public static HttpRequest.BodyPublisher file(String field, String filename, String contentType, byte[] bytes) {
        return files(field, Map.of(filename, bytes), contentType);
    }

    /** One part per file, all under the same field name, as a browser sends a multiple file input. */
    public static HttpRequest.BodyPublisher files(String field, Map<String, byte[]> files, String contentType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.forEach((filename, bytes) -> {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                    + filename + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        });
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return HttpRequest.BodyPublishers.ofByteArray(out.toByteArray());
    }
}
