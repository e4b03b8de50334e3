package io.tickstream.common.launch.impl;

import io.tickstream.common.cluster.HazelcastCluster;
import io.tickstream.common.logging.Logging;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplicationHooks;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * What {@code RoleApplication} changes in VertxApplication's launch: the verticle gets the resolved tickstream
 * config instead of the bare {@code -conf}; a clustered Vert.x gets tickstream's Hazelcast cluster manager and event
 * bus address from the {@code cluster.*} settings; native transport is preferred unless {@code -options} says
 * otherwise; the verticle is deployed once ({@code -instances} went into the config); the banner is printed.
 *
 * <p>Every hook used here runs on the thread that called {@code launch()} (the main thread), one after the other;
 * none runs on a Vert.x thread, so the blocking wait in {@link #afterFailureToDeployVerticle} is allowed. Stopping
 * is VertxApplication's own: its shutdown hook closes Vert.x, which undeploys the verticle (the fanout drains its
 * clients) before it leaves the cluster.
 */
public final class RoleHooks implements VertxApplicationHooks {

  /** How long a failed start may take to close Vert.x (and leave the cluster) before the process exits. */
  private static final long CLOSE_TIMEOUT_SECONDS = 20;

  private final RoleCommandLine commandLine;
  private final PrintStream out;
  private final PrintStream err;

  public RoleHooks(RoleCommandLine commandLine, PrintStream out, PrintStream err) {
    this.commandLine = commandLine;
    this.out = out;
    this.err = err;
  }

  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject vertxOptions) {
    JsonObject options = vertxOptions == null ? new JsonObject() : vertxOptions;
    if (!options.containsKey("preferNativeTransport")) {
      options.put("preferNativeTransport", true);
    }
    return options;
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    // -conf is already in it, below --config, the environment and the flags.
    return commandLine.config().toResolvedJson();
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    VertxBuilder builder = Vertx.builder().with(options);
    io.vertx.core.transport.Transport transport = commandLine.role().transport(commandLine.config());
    if (transport != null) {
      builder = builder.withTransport(transport);
    }
    // Only used when clustered (VertxApplication builds a plain Vert.x otherwise), but creating it is cheap.
    return commandLine.clustered() ? builder.withClusterManager(HazelcastCluster.clusterManager(commandLine.config())) : builder;
  }

  @Override
  public void beforeStartingVertx(HookContext context) {
    if (commandLine.clustered()) {
      HazelcastCluster.eventBus(commandLine.config(), context.vertxOptions().getEventBusOptions());
    }
  }

  @Override
  public void beforeDeployingVerticle(HookContext context) {
    // RoleCommandLine turned -instances into the role's setting (or refused it): one verticle per process.
    context.deploymentOptions().setInstances(1);
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    Logging.announce(commandLine.config(), "io.tickstream." + commandLine.role().command(), out::println,
        commandLine.role().banner(commandLine.config()));
  }

  @Override
  public void afterFailureToStartVertx(HookContext context, Throwable t) {
    err.println(commandLine.role().command() + ": cannot start Vert.x" + (commandLine.clustered() ? " and join the cluster" : "")
        + ": " + (t == null ? "timed out" : t.getMessage()));
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable t) {
    err.println(commandLine.role().command() + ": start failed: " + (t == null ? "timed out" : t.getMessage()));
    try {
      // Leave the cluster before VertxApplication exits the JVM.
      context.vertx().close().await(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Exiting anyway.
    }
  }
}
