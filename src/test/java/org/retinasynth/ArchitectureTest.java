package org.retinasynth;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Holds the arrows of shared/DESIGN.md in place: data flows one way, the API edge is a leaf. */
@AnalyzeClasses(packages = "org.retinasynth", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule nothingImportsTheApi = noClasses().that().resideOutsideOfPackage("org.retinasynth.api..")
            .should().dependOnClassesThat().resideInAPackage("org.retinasynth.api..");

    @ArchTest
    static final ArchRule storageKnowsNoCapability = noClasses().that().resideInAPackage("org.retinasynth.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("org.retinasynth.dataset..", "org.retinasynth.security..", "org.retinasynth.api..");

    @ArchTest
    static final ArchRule datasetDoesNotReachUpstream = noClasses().that().resideInAPackage("org.retinasynth.dataset..")
            .should().dependOnClassesThat().resideInAnyPackage("org.retinasynth.api..");

    @ArchTest
    static final ArchRule securityKnowsNoCapability = noClasses().that().resideInAPackage("org.retinasynth.security..")
            .should().dependOnClassesThat().resideInAnyPackage("org.retinasynth.dataset..", "org.retinasynth.api..");

    @ArchTest
    static final ArchRule corruptionIsPure = noClasses().that().resideInAPackage("org.retinasynth.corruption..")
            .should().dependOnClassesThat().resideInAnyPackage("org.retinasynth.dataset..", "org.retinasynth.model..",
                    "org.retinasynth.training..", "org.retinasynth.storage..", "org.retinasynth.security..",
                    "org.retinasynth.api..");

    /** NDArrays stay inside the model package: what crosses its border is plain Java. */
    @ArchTest
    static final ArchRule modelKnowsNoCapability = noClasses().that().resideInAPackage("org.retinasynth.model..")
            .should().dependOnClassesThat().resideInAnyPackage("org.retinasynth.dataset..",
                    "org.retinasynth.training..", "org.retinasynth.storage..", "org.retinasynth.api..");

    /** Data flows one way: generation reads datasets and trained models, never the other way round. */
    @ArchTest
    static final ArchRule nothingUpstreamKnowsGeneration = noClasses().that().resideInAnyPackage(
                    "org.retinasynth.dataset..", "org.retinasynth.training..", "org.retinasynth.model..",
                    "org.retinasynth.corruption..", "org.retinasynth.storage..", "org.retinasynth.jobs..")
            .should().dependOnClassesThat().resideInAPackage("org.retinasynth.generation..");

    @ArchTest
    static final ArchRule djlStaysInTheModel = noClasses().that().resideOutsideOfPackage("org.retinasynth.model..")
            .should().dependOnClassesThat().resideInAPackage("ai.djl..");

    /** The object-store SDK is an implementation detail of one backend. */
    @ArchTest
    static final ArchRule awsSdkStaysInStorage = noClasses().that().resideOutsideOfPackage("org.retinasynth.storage..")
            .should().dependOnClassesThat().resideInAPackage("software.amazon.awssdk..");
}
