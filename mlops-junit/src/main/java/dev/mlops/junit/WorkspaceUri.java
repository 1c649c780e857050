package dev.mlops.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Chooses the URI of the {@link dev.mlops.Workspace} that {@link MlopsExtension} injects. Put it on
 * a parameter, a method or a test class; the nearest one wins, and without any the extension's own
 * URI ({@code mem:} by default) is used.
 *
 * <p>{@value MlopsExtension#TEMP_DIR} in the URI is replaced with the absolute path of a fresh
 * temporary directory, deleted after the workspace is closed:
 *
 * <pre>{@code
 * @Test
 * void survivesRestart(@WorkspaceUri("file:{tempDir}") Workspace workspace) { ... }
 * }</pre>
 *
 * <p>The provider for the scheme must be on the test class path ({@code mlops-registry-fs} for
 * {@code file:}, {@code mlops-registry-s3} for {@code s3:}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
public @interface WorkspaceUri {
  /** @return the workspace URI, e.g. {@code mem:} or {@code file:{tempDir}} */
  String value();
}
