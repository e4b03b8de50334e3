package io.tickstream.simulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13: a multipart upload to the admin routes ({@code /sim/*}) used to be written to {@code ./file-uploads} and
 * never deleted, a disk-fill for anyone who can reach the port. Nothing reaches the disk now.
 */
class NoUploadsTest extends SimulatorTestSupport {

  private static final Path UPLOADS = Path.of("file-uploads");

  @Test
  void aMultipartUploadToTheAdminRoutesLeavesNoFileOnDisk() throws Exception {
    List<Path> before = files();
    ExchangeSimulator sim = start(config());
    String boundary = "tickstreamBoundary";
    Buffer body = Buffer.buffer("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fill.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").appendBytes(new byte[32 * 1024])
        .appendString("\r\n--" + boundary + "--\r\n");
    for (String uri : List.of("/sim/symbols", "/sim/status", "/sim/anything")) {
      int status = httpClient.request(HttpMethod.POST, sim.port(), sim.host(), uri)
          .compose(req -> req.putHeader("Content-Type", "multipart/form-data; boundary=" + boundary).send(body)
              .map(resp -> resp.statusCode()))
          .await(10, TimeUnit.SECONDS);
      assertThat(status).as("answered %s", uri).isBetween(200, 499);
    }
    assertThat(files()).isEqualTo(before);
    if (before.isEmpty()) {
      assertThat(UPLOADS).doesNotExist();
    }
  }

  private static List<Path> files() throws Exception {
    if (!Files.exists(UPLOADS)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(UPLOADS)) {
      return s.sorted().toList();
    }
  }
}
