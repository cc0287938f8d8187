package sh.stagehand.server;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The house's rules, checked on the compiled classes of every module (this module sees them all):
 * sh-core's floors import only downwards and its packages form no cycle; sh-spi depends on the JDK
 * alone; a provider, and sh-testkit's contract tests, depend on sh-spi and no core, and a provider
 * knows no other provider; the metadata store reaches core only through its model, its stores and
 * its lifecycle hook. README.md, "Modules", draws the floors.
 */
class ArchitectureTest
{
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("sh.stagehand");
    private static final List<String> PROVIDERS = List.of("sh.stagehand.docker..", "sh.stagehand.swarm..", "sh.stagehand.postgres..", "sh.stagehand.github..", "sh.stagehand.s3..");
    // A provider built on another: the Swarm runtime's nodes are Docker engines.
    private static final Map<String, String> BUILT_ON = Map.of("sh.stagehand.swarm..", "sh.stagehand.docker..");

    @Test
    void testCorePackagesFormNoCycle()
    {
        slices().matching("sh.stagehand.core.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void testCoreFloorsImportOnlyDownwards()
    {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                // Wiring, the services and what an account may do.
                .layer("top").definedBy("sh.stagehand.core")
                .layer("access").definedBy("sh.stagehand.core.access..")
                // Production's operations: backups taken, verified, downloaded, restored; imports.
                .layer("production").definedBy("sh.stagehand.core.production..")
                // Monitoring: the builds sampled, their series read.
                .layer("monitor").definedBy("sh.stagehand.core.monitor..")
                .layer("pipeline").definedBy("sh.stagehand.core.pipeline..")
                // The backups' storage format: a leaf that knows no pipeline.
                .layer("backup").definedBy("sh.stagehand.core.backup..")
                .layer("ground").definedBy("sh.stagehand.core.config..", "sh.stagehand.core.files..", "sh.stagehand.core.workspace..", "sh.stagehand.core.logs..",
                        "sh.stagehand.core.odoo..", "sh.stagehand.core.project..", "sh.stagehand.core.build..", "sh.stagehand.core.mail..", "sh.stagehand.core.store..",
                        "sh.stagehand.core.routing..")
                .whereLayer("top").mayNotBeAccessedByAnyLayer()
                .whereLayer("access").mayOnlyBeAccessedByLayers("top")
                .whereLayer("production").mayOnlyBeAccessedByLayers("top")
                .whereLayer("monitor").mayOnlyBeAccessedByLayers("top")
                .whereLayer("pipeline").mayOnlyBeAccessedByLayers("production", "top")
                .whereLayer("backup").mayOnlyBeAccessedByLayers("pipeline", "production", "top")
                .check(CLASSES);
    }

    @Test
    void testTheSpiDependsOnTheJdkAlone()
    {
        classes().that().resideInAPackage("sh.stagehand.spi..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("sh.stagehand.spi..", "java..")
                .check(CLASSES);
    }

    @Test
    void testProvidersAndTheirContractTestsDependOnTheSpiAlone()
    {
        // A provider author builds against sh-spi and runs sh-testkit's contract tests without sh-core.
        noClasses().that().resideInAnyPackage(Stream.concat(PROVIDERS.stream(), Stream.of("sh.stagehand.testkit..")).toArray(String[]::new))
                .should().dependOnClassesThat().resideInAnyPackage("sh.stagehand.core..", "sh.stagehand.store..", "sh.stagehand.server..")
                .check(CLASSES);
    }

    @Test
    void testTheMetadataStoreReachesCoreOnlyThroughItsModelAndStores()
    {
        noClasses().that().resideInAPackage("sh.stagehand.store..")
                .should().dependOnClassesThat().resideInAnyPackage("sh.stagehand.core.pipeline..", "sh.stagehand.core.production..", "sh.stagehand.core.backup..",
                        "sh.stagehand.core.routing..", "sh.stagehand.core.files..", "sh.stagehand.core.workspace..", "sh.stagehand.core.logs..", "sh.stagehand.server..")
                .orShould().dependOnClassesThat(resideInAPackage("sh.stagehand.core").and(not(simpleName("LifecycleManager"))))
                .check(CLASSES);
    }

    @Test
    void testProvidersKnowNoOtherProvider()
    {
        for (String provider : PROVIDERS) {
            noClasses().that().resideInAPackage(provider)
                    .should().dependOnClassesThat().resideInAnyPackage(PROVIDERS.stream()
                            .filter(other -> !other.equals(provider) && !other.equals(BUILT_ON.get(provider)))
                            .toArray(String[]::new))
                    .check(CLASSES);
        }
    }
}
