package io.tickstream.common.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documentation cites only what a clone holds: every relative Markdown link resolves to a file or folder inside
 * the repository, and nothing names the development-only {@code shared/} folder beside it.
 */
class DocumentationLinksTest {

  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  @Test
  void everyRelativeLinkResolvesInsideTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path doc : markdown()) {
      Matcher m = LINK.matcher(Files.readString(doc));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*") || target.startsWith("#")) {
          continue;
        }
        Path resolved = doc.getParent().resolve(target.replaceAll("#.*$", "")).normalize();
        if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
          broken.add(ROOT.relativize(doc) + " -> " + target);
        }
      }
    }
    assertThat(broken).as("links to files outside the repository or missing").isEmpty();
  }

  @Test
  void nothingCitesTheDevelopmentOnlySharedFolder() throws IOException {
    for (Path doc : markdown()) {
      assertThat(Files.readString(doc)).as(ROOT.relativize(doc).toString()).doesNotContain("shared/notes")
          .doesNotContain("shared/spec").doesNotContain("../shared");
    }
  }

  private static List<Path> markdown() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> !ROOT.relativize(p).toString().matches("(.*/)?(target|node_modules|\\.git)/.*"))
          .toList();
    }
  }
}
