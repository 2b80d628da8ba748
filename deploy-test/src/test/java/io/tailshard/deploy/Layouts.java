package io.tailshard.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The kustomizations the tests render: the base and every directory under overlays/. */
final class Layouts {
  private Layouts() {}

  /** {@code base}, {@code overlays/dev}, {@code overlays/production}, ... (found, not listed). */
  static Stream<String> all() {
    List<String> dirs = new ArrayList<>();
    dirs.add("base");
    Path overlays = Repo.path(Repo.KUSTOMIZE_DIR).resolve("overlays");
    try (Stream<Path> s = Files.list(overlays)) {
      s.filter(p -> Files.isRegularFile(p.resolve("kustomization.yaml")))
          .map(p -> "overlays/" + p.getFileName())
          .sorted()
          .forEach(dirs::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dirs.stream();
  }
}
