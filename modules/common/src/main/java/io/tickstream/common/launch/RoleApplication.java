package io.tickstream.common.launch;

import io.tickstream.common.config.ConfigException;
import io.tickstream.common.launch.impl.RoleCommandLine;
import io.tickstream.common.launch.impl.RoleHooks;
import io.tickstream.common.logging.Logging;
import io.vertx.launcher.application.ExitCodes;
import io.vertx.launcher.application.VertxApplication;

import java.io.PrintWriter;
import java.util.Optional;

/**
 * The {@code Main-Class} of every role jar ({@code ./tickstream ingest}, {@code ./tickstream fanout}): Vert.x's
 * {@link VertxApplication} with the jar's {@code Main-Verticle}, configured the tickstream way.
 *
 * <pre>
 *   java -jar tickstream-fanout-verticle-all.jar --port 8081 -conf '{"fanout.drain-window":"5s"}' -instances 4
 *   java -cp ... io.tickstream.common.launch.RoleApplication io.tickstream.fanout.FanoutVerticle --port 8081
 * </pre>
 *
 * <ul>
 *   <li>Vert.x launcher options (one dash: {@code -conf}, {@code -instances}, {@code -cluster},
 *   {@code -cluster-host}, {@code -cluster-port}, {@code -cluster-public-host}, {@code -cluster-public-port},
 *   {@code -options}, {@code -deployment-options}) go to {@link VertxApplication} as they are.</li>
 *   <li>tickstream's flags (two dashes, {@code --help}, {@code --config FILE}) and {@code TICKSTREAM_*}
 *   variables work as for every other tickstream command. Precedence, lowest first: defaults, {@code -conf},
 *   {@code --config}, environment, flags. The verticle is deployed with exactly the resolved values.</li>
 *   <li>Clustered by default (as if {@code -cluster} were given) with tickstream's Hazelcast cluster manager
 *   built from the {@code cluster.*} settings; {@code --cluster.enabled=false} runs a plain Vert.x.
 *   {@code -cluster-host} and {@code -cluster-public-host} are further spellings of {@code --cluster.interface}
 *   and {@code --cluster.public-address}; {@code -cluster-port} is the event bus port, the Hazelcast port is
 *   {@code --cluster.port}.</li>
 *   <li>{@code -instances N} never deploys the verticle N times: it sets the role's
 *   {@link Role#instancesSetting() instances setting}, or is refused when N &gt; 1 for a role without one.</li>
 *   <li>SIGTERM or Ctrl-C closes Vert.x, which undeploys the verticle first (the fanout drains its clients).</li>
 * </ul>
 *
 * <p>{@code main} parses and checks the command line, starts Vert.x and deploys the verticle on the calling thread,
 * then returns; the node runs on Vert.x's threads until a signal. Exit codes: 0 after {@code --help}; 2 for a bad
 * command line, before anything starts; 11 if Vert.x could not start or join the cluster; 15 if the verticle failed
 * to start; 143 after SIGTERM (the JVM's, once the shutdown hook has closed Vert.x); 70 when a fanout node's Kafka
 * consumer kept failing ({@code fanout.consumer-max-failures}) and the node drained and gave up.
 */
public final class RoleApplication extends VertxApplication {

  private RoleApplication(RoleCommandLine commandLine) {
    // Usage on failure would be VertxApplication's, not ours: command-line errors are reported before this.
    super(commandLine.launcherArgs(), new RoleHooks(commandLine, System.out, System.err), false, true);
  }

  public static void main(String[] args) {
    Optional<RoleCommandLine> commandLine;
    try {
      commandLine = RoleCommandLine.parse(args, RoleCommandLine.mainVerticle(RoleApplication.class), System.getenv(),
          new PrintWriter(System.out, true));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(ExitCodes.USAGE);
      return;
    }
    if (commandLine.isPresent()) {
      Logging.apply(commandLine.get().config());
      new RoleApplication(commandLine.get()).launch();
    }
  }
}
