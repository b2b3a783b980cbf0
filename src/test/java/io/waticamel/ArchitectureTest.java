package io.waticamel;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package layers: task fields and outcomes at the bottom (action), the WATI protocol and
 * downloads above them, the typed action pipeline above those, then what keeps or stores actions
 * (reliability, media), and the configuration that wires them at the top; the meters beside the bottom, counted
 * from every layer. No cycles.
 */
@AnalyzeClasses(packages = "io.waticamel", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.waticamel.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule taskFieldsDependOnNothingOfOurs = noClasses().that().resideInAPackage("io.waticamel.action..")
            .should().dependOnClassesThat().resideInAnyPackage("io.waticamel.wati..", "io.waticamel.files..", "io.waticamel.pipeline..",
                    "io.waticamel.security..", "io.waticamel.reliability..", "io.waticamel.media..", "io.waticamel.config..",
                    "io.waticamel.http..");

    @ArchTest
    static final ArchRule watiProtocolKnowsNoCamelRoutes = noClasses().that().resideInAPackage("io.waticamel.wati..")
            .should().dependOnClassesThat().resideInAnyPackage("io.waticamel.pipeline..", "io.waticamel.reliability..",
                    "io.waticamel.media..", "io.waticamel.config..", "org.apache.camel..");

    @ArchTest
    static final ArchRule pipelineKnowsNothingAboveIt = noClasses().that().resideInAPackage("io.waticamel.pipeline..")
            .should().dependOnClassesThat().resideInAnyPackage("io.waticamel.reliability..", "io.waticamel.media..",
                    "io.waticamel.config..");

    /** The meters are counted from every layer: their bean knows only the outcomes and credentials it labels. */
    @ArchTest
    static final ArchRule metricsKnowNothingAboveThem = noClasses().that().resideInAPackage("io.waticamel.metrics..")
            .should().dependOnClassesThat().resideInAnyPackage("io.waticamel.pipeline..", "io.waticamel.reliability..",
                    "io.waticamel.events..", "io.waticamel.campaigns..", "io.waticamel.media..", "io.waticamel.security..",
                    "io.waticamel.config..", "org.apache.camel..");

    @ArchTest
    static final ArchRule onlyConfigurationWires = noClasses().that().resideOutsideOfPackages("io.waticamel.config..", "io.waticamel")
            .should().dependOnClassesThat().resideInAPackage("io.waticamel.config..");
}
