package io.tickstream.ingest;

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
import io.tickstream.ingest.impl.IngestRole;

/**
 * The ingest's dependency rules, checked on its compiled classes in every test run: the verticle wires the engine,
 * the engine ({@code impl}) reads only the module's settings and metric names, and nothing imports a sibling role.
 * Stages split out of {@code impl} later must stay free of cycles.
 */
@AnalyzeClasses(packages = "io.tickstream.ingest", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String IMPL = "io.tickstream.ingest.impl";

  @ArchTest
  static final ArchRule stagesHaveNoCycles = slices().matching(IMPL + ".(*)..").should().beFreeOfCycles()
      .allowEmptyShould(true);

  @ArchTest
  static final ArchRule dependOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("verticle").definedBy(resideInAPackage("io.tickstream.ingest").and(simpleName("IngestVerticle")))
      .layer("api").definedBy(resideInAPackage("io.tickstream.ingest").and(not(simpleName("IngestVerticle"))))
      .layer("impl").definedBy(IMPL + "..")
      .whereLayer("verticle").mayNotBeAccessedByAnyLayer()
      .whereLayer("impl").mayOnlyBeAccessedByLayers("verticle")
      // The launcher's role names its verticle's class (Main-Verticle); it never calls it.
      .ignoreDependency(IngestRole.class, IngestVerticle.class);

  @ArchTest
  static final ArchRule noSiblingRole = noClasses().should().dependOnClassesThat()
      .resideInAnyPackage("io.tickstream.fanout..", "io.tickstream.local..", "io.tickstream.simulator..",
          "io.tickstream.loadgen..")
      .because("the ingest meets the fanout only through Kafka and the cluster, and is imported by no tool");
}
