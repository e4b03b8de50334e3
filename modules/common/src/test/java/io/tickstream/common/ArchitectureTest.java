package io.tickstream.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** {@code common} is the vocabulary, not a role: it imports no other module of ours. */
@AnalyzeClasses(packages = "io.tickstream.common", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule importsNoRole = noClasses().should().dependOnClassesThat()
      .resideInAnyPackage("io.tickstream.ingest..", "io.tickstream.fanout..", "io.tickstream.local..",
          "io.tickstream.simulator..", "io.tickstream.loadgen..", "io.tickstream.kafka..")
      .because("every role depends on common, so common depending on a role would tie them all together");
}
