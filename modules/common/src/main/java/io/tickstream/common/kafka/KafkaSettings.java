package io.tickstream.common.kafka;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How every role reaches Kafka. */
public final class KafkaSettings {

  public static final Setting<List<String>> BOOTSTRAP_SERVERS = Setting.ofList("kafka.bootstrap-servers",
      List.of("127.0.0.1:9092"), "Kafka brokers to bootstrap from, host:port, comma-separated.");
  public static final Setting<String> CLIENT_ID = Setting.ofString("kafka.client-id", "tickstream",
      "Prefix of the Kafka client ids, shown in broker logs and quotas.");

  public static final List<Setting<?>> ALL = List.of(BOOTSTRAP_SERVERS, CLIENT_ID);

  private KafkaSettings() {
  }

  /** Client properties common to producers, consumers and admin clients. */
  public static Map<String, Object> clientProperties(Config config, String role) {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", String.join(",", config.get(BOOTSTRAP_SERVERS)));
    props.put("client.id", config.get(CLIENT_ID) + "-" + role);
    return props;
  }
}
