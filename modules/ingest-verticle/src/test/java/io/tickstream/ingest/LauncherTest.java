package io.tickstream.ingest;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingest as its jar runs it ({@code RoleApplication}, the Vert.x launcher main, deploying {@link IngestVerticle})
 * refuses {@code -instances 2}: two ingest verticles in one process would each open every exchange connection and
 * write every tick. The multi-process cluster test of the local stack runs an ingest through the same main.
 */
class LauncherTest {

  @Test
  void moreThanOneInstanceIsRefusedWithExitCode2BeforeAnythingStarts() throws Exception {
    Path log = Path.of("target/launcher-ingest-instances.log");
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), "io.tickstream.common.launch.RoleApplication", IngestVerticle.class.getName(),
        "--admin-port=-1", "-instances", "2").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(2);
      assertThat(Files.readString(log)).contains("tickstream ingest: -instances 2 is not supported: tickstream ingest runs "
          + "one instance of its verticle per process");
    } finally {
      p.destroyForcibly();
    }
  }
}
