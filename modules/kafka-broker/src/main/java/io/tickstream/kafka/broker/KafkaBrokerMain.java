package io.tickstream.kafka.broker;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link EmbeddedKafkaBroker} as its own process, for the local stack and for tests pointed at it with
 * {@code TICKSTREAM_TEST_KAFKA}:
 *
 * <pre>
 * java -jar tickstream-kafka-broker-0.1.0-SNAPSHOT-all.jar [--port 9092] [--controller-port 9093]
 *     [--log-dir DIR] [--host 127.0.0.1] [--partitions 1]
 * </pre>
 *
 * <p>Prints {@value #READY_MESSAGE}{@code host:port} on standard output once clients can connect, so scripts can
 * wait for that line; everything else goes to standard error. SIGTERM or Ctrl-C closes the broker cleanly through a
 * shutdown hook. Exit status 2 means bad arguments, 1 that the broker did not start.
 *
 * <p>This class must not hold an slf4j logger: the logging configuration is chosen in {@link #main} before Kafka
 * creates its first logger.
 */
public final class KafkaBrokerMain {

  /** Client port when {@code --port} is absent: Kafka's well-known port. */
  public static final int DEFAULT_PORT = 9092;
  /** Controller port when {@code --controller-port} is absent: the one next to Kafka's well-known port. */
  public static final int DEFAULT_CONTROLLER_PORT = 9093;
  /** The line printed once the broker is ready, followed by its bootstrap servers. */
  public static final String READY_MESSAGE = "Kafka broker ready at ";

  static final int EXIT_BAD_ARGUMENTS = 2;
  static final int EXIT_START_FAILED = 1;
  private static final String LOGBACK_CONFIG_PROPERTY = "logback.configurationFile";
  private static final String LOGBACK_CONFIG = "io/tickstream/kafka/broker/kafka-broker-main-logback.xml";
  /**
   * Kafka's dependencies bring the Log4j 2 API without an implementation, which then complains on stderr at
   * startup; naming its built-in simple logger (errors only, to stderr) explicitly keeps it quiet.
   */
  private static final String LOG4J_CONTEXT_FACTORY_PROPERTY = "log4j2.loggerContextFactory";
  private static final String LOG4J_SIMPLE_CONTEXT_FACTORY = "org.apache.logging.log4j.simple.SimpleLoggerContextFactory";
  static final String USAGE = """
      Usage: java -jar tickstream-kafka-broker-all.jar [options]
        --port N             client port (default %d, 0 = any free port)
        --controller-port N  KRaft controller port (default %d, 0 = any free port)
        --log-dir DIR        data directory, kept and reused (default: a temp dir deleted on exit)
        --host HOST          interface to bind and advertise (default %s)
        --partitions N       partitions of topics created without a count (default %d)
        --help               print this and exit
      """.formatted(DEFAULT_PORT, DEFAULT_CONTROLLER_PORT, EmbeddedKafkaBroker.DEFAULT_HOST,
      EmbeddedKafkaBroker.DEFAULT_PARTITIONS);

  private KafkaBrokerMain() {
  }

  /** Starts the broker, prints the ready line and keeps the process alive until it is terminated. */
  public static void main(String[] args) throws InterruptedException {
    Options options;
    EmbeddedKafkaBroker broker;
    try {
      options = Options.parse(args);
      broker = options.toBuilder().build();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(USAGE);
      System.exit(EXIT_BAD_ARGUMENTS);
      return;
    }
    if (options.help()) {
      System.out.print(USAGE);
      return;
    }
    setIfAbsent(LOGBACK_CONFIG_PROPERTY, LOGBACK_CONFIG);
    setIfAbsent(LOG4J_CONTEXT_FACTORY_PROPERTY, LOG4J_SIMPLE_CONTEXT_FACTORY);

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        broker.close();
      } finally {
        stopped.countDown();
      }
    }, "kafka-broker-shutdown"));
    try {
      broker.start();
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(EXIT_START_FAILED);
    }
    System.out.println(READY_MESSAGE + broker.bootstrapServers());
    // Kafka's threads would keep the JVM alive too, but blocking here does not depend on whether they are daemons.
    stopped.await();
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /** The parsed command line; {@code --name value} and {@code --name=value} are both accepted. */
  record Options(String host, int port, int controllerPort, Path logDir, int partitions, boolean help) {

    static Options parse(String... args) {
      String host = EmbeddedKafkaBroker.DEFAULT_HOST;
      int port = DEFAULT_PORT;
      int controllerPort = DEFAULT_CONTROLLER_PORT;
      Path logDir = null;
      int partitions = EmbeddedKafkaBroker.DEFAULT_PARTITIONS;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          return new Options(host, port, controllerPort, logDir, partitions, true);
        }
        String name = arg;
        String value;
        int equals = arg.indexOf('=');
        if (arg.startsWith("--") && equals > 0) {
          name = arg.substring(0, equals);
          value = arg.substring(equals + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("Missing value for " + arg);
        }
        switch (name) {
          case "--port" -> port = parseInt(name, value);
          case "--controller-port" -> controllerPort = parseInt(name, value);
          case "--log-dir" -> logDir = Path.of(value);
          case "--host" -> host = value;
          case "--partitions" -> partitions = parseInt(name, value);
          default -> throw new IllegalArgumentException("Unknown option: " + name);
        }
      }
      return new Options(host, port, controllerPort, logDir, partitions, false);
    }

    EmbeddedKafkaBroker.Builder toBuilder() {
      return EmbeddedKafkaBroker.builder()
          .host(host)
          .port(port)
          .controllerPort(controllerPort)
          .logDir(logDir)
          .partitions(partitions);
    }

    private static int parseInt(String name, String value) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " needs a number, not '" + value + "'", e);
      }
    }
  }
}
