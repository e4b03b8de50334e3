package io.tickstream.kafka.broker.junit;

import java.util.concurrent.atomic.AtomicInteger;

import io.tickstream.kafka.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a Kafka broker: one per test JVM, started lazily by the first test class that uses this extension,
 * shared by every later one and closed when the whole run ends.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)
 * class MyKafkaTest {
 *   @Test
 *   void roundTrip(@BootstrapServers String bootstrapServers) { ... }
 *
 *   @Test
 *   void other() {
 *     String servers = KafkaBrokerExtension.bootstrapServers();
 *   }
 * }
 * }</pre>
 *
 * <p>Why shared: a broker takes one to two seconds to start and a few hundred megabytes to hold, so one per class
 * would dominate the run. The price is that tests share state; give each test its own topic names.
 *
 * <p>The broker lives in the root {@link ExtensionContext.Store}, which JUnit closes (it is {@link AutoCloseable})
 * after the last test of the run. Parallel test classes are safe: the store computes the value once and every other
 * caller blocks until it is ready.
 *
 * <p><b>Using a broker that is already running:</b> if the system property or environment variable
 * {@value #EXTERNAL_BROKER} is set (property first) to a {@code bootstrap.servers} list, no broker is started and
 * tests get that list instead, e.g. {@code TICKSTREAM_TEST_KAFKA=127.0.0.1:9092 ./mvnw verify} against
 * {@code java -jar tickstream-kafka-broker-*-all.jar}. Parameters of type {@link EmbeddedKafkaBroker} then cannot be
 * resolved, since there is no embedded broker.
 *
 * <p>Resolvable parameters: {@code @BootstrapServers String}, {@link EmbeddedKafkaBroker} (fails with an external
 * broker) and {@code Optional<EmbeddedKafkaBroker>} (empty with an external broker).
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {

  /** System property, or else environment variable, naming an already running broker to use. */
  public static final String EXTERNAL_BROKER = "TICKSTREAM_TEST_KAFKA";

  private static final Namespace NAMESPACE = Namespace.create(KafkaBrokerExtension.class);
  private static final String STORE_KEY = "broker";
  private static final AtomicInteger STARTS = new AtomicInteger();
  private static volatile String bootstrapServers;

  /** Called by JUnit; tests register the extension with {@code @ExtendWith}. */
  public KafkaBrokerExtension() {
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    shared(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == EmbeddedKafkaBroker.class || isOptionalBroker(parameterContext)
        || (type == String.class && parameterContext.isAnnotated(BootstrapServers.class));
  }

  /** {@code Optional<EmbeddedKafkaBroker>}: empty when {@value #EXTERNAL_BROKER} points at another broker. */
  private static boolean isOptionalBroker(ParameterContext parameterContext) {
    return parameterContext.getParameter().getType() == java.util.Optional.class
        && parameterContext.getParameter().getParameterizedType() instanceof java.lang.reflect.ParameterizedType p
        && p.getActualTypeArguments()[0] == EmbeddedKafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    SharedBroker shared = shared(extensionContext);
    if (parameterContext.getParameter().getType() == String.class) {
      return shared.bootstrapServers();
    }
    if (isOptionalBroker(parameterContext)) {
      return java.util.Optional.ofNullable(shared.broker());
    }
    if (shared.broker() == null) {
      throw new ParameterResolutionException("No embedded broker: " + EXTERNAL_BROKER + " points the tests at "
          + shared.bootstrapServers() + "; ask for @BootstrapServers String instead");
    }
    return shared.broker();
  }

  /**
   * The shared broker's {@code bootstrap.servers}.
   *
   * @throws IllegalStateException if no test class using this extension has started yet in this JVM
   */
  public static String bootstrapServers() {
    String servers = bootstrapServers;
    if (servers == null) {
      throw new IllegalStateException("KafkaBrokerExtension has not run yet: add @ExtendWith(KafkaBrokerExtension.class)");
    }
    return servers;
  }

  /** How many embedded brokers this extension has started in this JVM: 1 in a normal run, 0 with an external one. */
  public static int startCount() {
    return STARTS.get();
  }

  private static SharedBroker shared(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(STORE_KEY, key -> SharedBroker.start(), SharedBroker.class);
  }

  /** What the root store holds: the servers to use and, unless external, the broker to close at the end. */
  private record SharedBroker(String bootstrapServers, EmbeddedKafkaBroker broker) implements AutoCloseable {

    static SharedBroker start() {
      String external = externalBroker();
      SharedBroker shared;
      if (external != null) {
        shared = new SharedBroker(external, null);
      } else {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
        STARTS.incrementAndGet();
        shared = new SharedBroker(broker.bootstrapServers(), broker);
      }
      KafkaBrokerExtension.bootstrapServers = shared.bootstrapServers();
      return shared;
    }

    @Override
    public void close() {
      KafkaBrokerExtension.bootstrapServers = null;
      if (broker != null) {
        broker.close();
      }
    }

    private static String externalBroker() {
      String value = System.getProperty(EXTERNAL_BROKER);
      if (value == null || value.isBlank()) {
        value = System.getenv(EXTERNAL_BROKER);
      }
      return value == null || value.isBlank() ? null : value.strip();
    }
  }
}
