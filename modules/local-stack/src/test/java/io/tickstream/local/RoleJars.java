package io.tickstream.local;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The role jars as {@code mvn package} leaves them ({@code modules/<role>/target/tickstream-<role>-<version>-all.jar}),
 * started the way a container starts them: {@code java -jar}, configured by the environment only.
 *
 * <p>The jars exist once the reactor has packaged the role modules ({@code ./mvnw verify}, which CI runs, builds them
 * before this module's tests). A test run without them ({@code mvn test}) skips the tests that need them, except
 * under {@code CI=true}, where a missing jar fails.
 */
final class RoleJars {

  static final String VERSION = "0.1.0-SNAPSHOT";

  private RoleJars() {
  }

  /** The repository's root: this module's tests run in {@code modules/local-stack}. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    return dir.getFileName().toString().equals("local-stack") ? dir.getParent().getParent() : dir;
  }

  /** The fat jar of {@code module} (e.g. {@code fanout-verticle}); skips (fails under CI) when it is not built. */
  static Path jar(String module) {
    Path jar = root().resolve("modules/" + module + "/target/tickstream-" + module + "-" + VERSION + "-all.jar");
    requireOrSkip(Files.isRegularFile(jar), jar + " is not built: run ./mvnw package -DskipTests (./mvnw verify builds it)");
    return jar;
  }

  /** An assumption outside CI, an assertion under {@code CI=true}, where nothing may be skipped silently. */
  static void requireOrSkip(boolean condition, String message) {
    if (!condition && "true".equals(System.getenv("CI"))) {
      throw new AssertionError(message + " (CI=true: required)");
    }
    Assumptions.assumeTrue(condition, message);
  }

  /**
   * {@code java -jar jar args} with nothing but the environment {@code env} on top of this JVM's, and the JVM
   * flags {@code jvmFlags} (none for the plain-jar test; the image's flags otherwise). Output goes to {@code log}.
   */
  static Process launch(Path jar, List<String> jvmFlags, Map<String, String> env, List<String> args, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmFlags);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    // Only what the test says: no TICKSTREAM_* variable of the developer's shell leaks in.
    builder.environment().keySet().removeIf(k -> k.startsWith("TICKSTREAM_") || k.equals("JAVA_TOOL_OPTIONS")
        || k.equals("JDK_JAVA_OPTIONS"));
    builder.environment().putAll(env);
    return builder.start();
  }

  static String output(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
