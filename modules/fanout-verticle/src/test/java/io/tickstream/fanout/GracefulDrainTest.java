package io.tickstream.fanout;

import io.tickstream.kafka.broker.junit.KafkaBrokerExtension;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Undeploy (what SIGTERM becomes): readiness false, upgrades refused, serverShutdown, then 1012 for everyone. */
@ExtendWith(KafkaBrokerExtension.class)
class GracefulDrainTest {

  @Test
  void undeployTurnsReadinessFalseRefusesUpgradesAndClosesEveryClientWith1012AfterServerShutdown() {
    try (FanoutFixture node = FanoutFixture.create("drain", new JsonObject().put("fanout.drain-window", "5s"))) {
      node.produce("DRAINUSDT", 1);
      node.deploy();
      assertThat(node.admin("/health/ready").status()).isEqualTo(200);
      TestClient raw = node.connect("/ws/drainusdt@bookTicker");
      TestClient combined = node.connect("/stream?streams=drainusdt@bookTicker");
      raw.next();
      combined.next();

      Future<Void> undeployed = node.vertx.undeploy(node.deploymentId);
      await().atMost(Duration.ofSeconds(10)).until(() -> !node.verticle.ready());

      JsonObject notice = raw.next();
      assertThat(notice.getString("e")).isEqualTo("serverShutdown");
      assertThat(notice.getLong("E")).isPositive();
      JsonObject wrapped = combined.next();
      assertThat(wrapped.getString("stream")).isEqualTo("!serverShutdown");
      assertThat(wrapped.getJsonObject("data").getString("e")).isEqualTo("serverShutdown");

      await().atMost(Duration.ofSeconds(20)).until(() -> raw.closeStatus != null && combined.closeStatus != null);
      assertThat(raw.closeStatus).isEqualTo((short) 1012);
      assertThat(combined.closeStatus).isEqualTo((short) 1012);
      FanoutFixture.await(undeployed);
    }
  }

  @Test
  void readinessIsFalseAndUpgradesAreRefusedWhileDraining() {
    // A drain delay holds every close back, so the node is certainly still draining when it is probed.
    JsonObject config = new JsonObject().put("fanout.drain-delay", "30s").put("fanout.drain-window", "1s");
    try (FanoutFixture node = FanoutFixture.create("drain503", config)) {
      node.produce("HOLDUSDT", 1);
      node.deploy();
      TestClient holder = node.connect("/ws/holdusdt@bookTicker");
      holder.next();
      Future<Void> undeployed = node.vertx.undeploy(node.deploymentId);
      await().atMost(Duration.ofSeconds(10)).until(() -> !node.verticle.ready());
      assertThat(holder.next().getString("e")).isEqualTo("serverShutdown");

      assertThat(node.admin("/health/ready").status()).isEqualTo(503);
      assertThat(node.get("/ws/holdusdt@bookTicker", true).status()).isEqualTo(503);
      assertThat(holder.closeStatus).as("nobody is closed before the drain delay").isNull();

      // The drain ends early once every client has gone.
      FanoutFixture.await(holder.ws.close());
      FanoutFixture.await(undeployed);
    }
  }
}
