package dev.mlops.pipeline;

import dev.mlops.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The code identity of a step body in cache keys when no explicit version is given: the SHA-256
 * of the bytecode of the body's class, or — for a lambda, whose class is generated at run time —
 * of the class that declares the lambda (so any change to that class invalidates the cache:
 * conservative, never stale). A class whose bytecode cannot be read falls back to its name.
 *
 * <p>Thread-safe.
 */
final class CodeVersion {
  private static final ConcurrentHashMap<Class<?>, String> CACHE = new ConcurrentHashMap<>();

  private CodeVersion() {}

  static String of(Step step) {
    if (step.codeVersion().isPresent()) {
      return "explicit:" + step.codeVersion().get();
    }
    return step.body().map(b -> CACHE.computeIfAbsent(b.getClass(), CodeVersion::digest)).orElse("none");
  }

  private static String digest(Class<?> type) {
    String name = type.getName();
    int lambda = name.indexOf("$$Lambda");
    Class<?> declaring = type;
    if (lambda >= 0) {
      try {
        declaring = Class.forName(name.substring(0, lambda), false, type.getClassLoader());
      } catch (ClassNotFoundException e) {
        return "class:" + name.substring(0, lambda);
      }
    }
    String resource = declaring.getName().replace('.', '/') + ".class";
    ClassLoader loader = declaring.getClassLoader() == null ? ClassLoader.getSystemClassLoader() : declaring.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        return "class:" + declaring.getName();
      }
      return "bytecode:" + Digest.of(in.readAllBytes()).hex();
    } catch (IOException e) {
      return "class:" + declaring.getName();
    }
  }
}
