package io.tickstream.fanout;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.tickstream.fanout.impl.server.FanoutRole;

/**
 * The fanout's dependency rules, checked on its compiled classes in every test run: a back arrow or a cycle fails the
 * build the day it appears. The stages, top to bottom (each may use only those below it):
 * <pre>
 *   verticle    FanoutVerticle: wires the node once
 *   server      HTTP, upgrade, admission, TLS, rebalancing, the node
 *   loop        one dispatcher per event loop: routing, snapshot, late copies
 *   session     one client's subscriptions, conflation and send state
 *   source      Kafka and the express lane in: encoded ticks and batches
 *   transport   WebSocket on the channel, on Vert.x, SockJS: frames out, {@code Inbound} in
 *   metrics     the node's meters; reads loops only through {@code LoopStats}
 *   access      client keys, leases, origins (used by session and server)
 * </pre>
 * {@code io.tickstream.fanout.impl} itself holds only the node's configuration, which every stage reads.
 */
@AnalyzeClasses(packages = "io.tickstream.fanout", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String IMPL = "io.tickstream.fanout.impl";

  @ArchTest
  static final ArchRule stagesHaveNoCycles = slices().matching(IMPL + ".(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule stagesDependOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("verticle").definedBy(resideInAPackage("io.tickstream.fanout").and(simpleName("FanoutVerticle")))
      .layer("api").definedBy(resideInAPackage("io.tickstream.fanout").and(not(simpleName("FanoutVerticle"))))
      .layer("server").definedBy(IMPL + ".server..")
      .layer("loop").definedBy(IMPL + ".loop..")
      .layer("session").definedBy(IMPL + ".session..")
      .layer("source").definedBy(IMPL + ".source..")
      .layer("transport").definedBy(IMPL + ".transport..")
      .layer("metrics").definedBy(IMPL + ".metrics..")
      .layer("access").definedBy(IMPL + ".access..")
      .layer("config").definedBy(IMPL)
      .whereLayer("verticle").mayNotBeAccessedByAnyLayer()
      .whereLayer("server").mayOnlyBeAccessedByLayers("verticle")
      .whereLayer("loop").mayOnlyBeAccessedByLayers("verticle", "server")
      .whereLayer("session").mayOnlyBeAccessedByLayers("verticle", "server", "loop")
      .whereLayer("source").mayOnlyBeAccessedByLayers("verticle", "server", "loop", "session")
      .whereLayer("transport").mayOnlyBeAccessedByLayers("verticle", "server", "loop", "session", "source")
      .whereLayer("metrics")
      .mayOnlyBeAccessedByLayers("verticle", "server", "loop", "session", "source", "transport")
      .whereLayer("access").mayOnlyBeAccessedByLayers("verticle", "server", "session")
      .whereLayer("config")
      .mayOnlyBeAccessedByLayers("verticle", "server", "loop", "session", "source", "transport", "metrics")
      // The launcher's role names its verticle's class (Main-Verticle); it never calls it.
      .ignoreDependency(FanoutRole.class, FanoutVerticle.class);

  @ArchTest
  static final ArchRule noSiblingRole = noClasses().should().dependOnClassesThat()
      .resideInAnyPackage("io.tickstream.ingest..", "io.tickstream.local..", "io.tickstream.simulator..",
          "io.tickstream.loadgen..")
      .because("the fanout meets the ingest only through Kafka and the cluster, and is imported by no tool");
}
