package org.retinasynth.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test that needs more than the JVM it runs in: a Spring context, a child service process,
 * a container or PostgreSQL. Such tests are slow and need the machine's resources, so surefire
 * leaves them out and failsafe runs them in {@code verify}. Inherited, so every subclass of a
 * marked base (such as {@link ApiTestSupport}) is one too.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag(IntegrationTest.TAG)
public @interface IntegrationTest {

    String TAG = "integration";
}
