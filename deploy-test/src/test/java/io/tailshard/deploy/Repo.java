package io.tailshard.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository this module sits in: deploy/, the tiers' default configs, the Dockerfile. */
final class Repo {
  static final Path ROOT = find();

  static final String LB_DEFAULT_CONFIG = "lb-tier/src/main/resources/tailshard/lb-tier-default.yaml";
  static final String SAMPLING_DEFAULT_CONFIG = "sampling-tier/src/main/resources/tailshard/sampling-tier-default.yaml";
  static final String KUSTOMIZE_DIR = "deploy/kubernetes";

  private Repo() {}

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(String relative) {
    try {
      return Files.readString(path(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + relative + " in " + ROOT, e);
    }
  }

  /** Walks up from the working directory (the module's, under Maven) to the repository root. */
  private static Path find() {
    Path p = Path.of("").toAbsolutePath();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("pom.xml")) && Files.isDirectory(q.resolve(KUSTOMIZE_DIR))) {
        return q;
      }
    }
    throw new IllegalStateException("no repository root (pom.xml beside " + KUSTOMIZE_DIR + ") above " + p);
  }
}
