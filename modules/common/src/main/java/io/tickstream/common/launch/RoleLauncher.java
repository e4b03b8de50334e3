package io.tickstream.common.launch;

import io.tickstream.common.cluster.ClusterSettings;
import io.tickstream.common.cluster.HazelcastCluster;
import io.tickstream.common.config.Config;
import io.tickstream.common.config.ConfigException;
import io.tickstream.common.config.Setting;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@code main} of a role process ({@code ./tickstream ingest}, {@code ./tickstream fanout}): parses the
 * role's settings from flags, {@code --config FILE} and {@code TICKSTREAM_*} variables, deploys its verticle
 * with them, prints one line saying what runs where, and on SIGTERM or Ctrl-C undeploys the verticle (so it
 * drains and closes what it holds) before the JVM exits.
 *
 * <p>Every role also takes the {@link ClusterSettings}: with {@code cluster.enabled} (the default) the verticle
 * runs on a clustered Vert.x that joins the other nodes through Hazelcast, otherwise on a plain one.
 *
 * <p>Exit codes: 0 after a clean stop or {@code --help}, 1 if the verticle failed to start, 2 for a bad
 * command line.
 */
public final class RoleLauncher {

  /** How long the verticle may take to start, and to stop on SIGTERM (the fanout drains within it). */
  public static final long TIMEOUT_SECONDS = 120;

  private RoleLauncher() {
  }

  /**
   * Runs a role until the process is told to stop.
   *
   * @param command    the command as users type it, e.g. {@code tickstream ingest}
   * @param rolePrefix settings starting with this prefix also take their flag without it
   * @param settings   every setting the role reads
   * @param verticle   makes the role's verticle
   * @param banner     the line printed once the verticle runs
   */
  public static void run(String command, String rolePrefix, Collection<? extends Setting<?>> settings, String[] args,
                         Supplier<? extends Deployable> verticle, Function<Config, String> banner) throws InterruptedException {
    PrintWriter out = new PrintWriter(System.out, true);
    Optional<Config> parsed;
    try {
      parsed = Config.fromArgs(command, rolePrefix, withCluster(settings), args, System.getenv(), out);
    } catch (ConfigException e) {
      System.err.println(command + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    if (parsed.isEmpty()) {
      return;
    }
    Vertx vertx;
    try {
      vertx = HazelcastCluster.vertx(parsed.get(), new VertxOptions().setPreferNativeTransport(true))
          .await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println(command + ": cannot join the cluster: " + e.getMessage());
      System.exit(1);
      return;
    }
    String id;
    try {
      // Flags and file are already merged; the verticle applies the environment again, which changes nothing.
      id = vertx.deployVerticle(verticle.get(), new DeploymentOptions().setConfig(parsed.get().toJson()))
          .await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println(command + ": start failed: " + e.getMessage());
      vertx.close();
      System.exit(1);
      return;
    }
    out.println(banner.apply(parsed.get()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.undeploy(id).await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println(command + ": clean stop failed: " + e.getMessage());
      }
      // Awaited from this (non-Vert.x) thread, so nothing is dispatched to an event loop that is shutting down.
      try {
        vertx.close().await(20, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Exiting anyway.
      }
      stopped.countDown();
    }, command.replace(' ', '-') + "-shutdown"));
    stopped.await();
  }

  /** The role's settings and the cluster ones, each once. */
  public static List<Setting<?>> withCluster(Collection<? extends Setting<?>> settings) {
    List<Setting<?>> all = new ArrayList<>(settings);
    for (Setting<?> s : ClusterSettings.ALL) {
      if (all.stream().noneMatch(a -> a.key().equals(s.key()))) {
        all.add(s);
      }
    }
    return all;
  }
}
