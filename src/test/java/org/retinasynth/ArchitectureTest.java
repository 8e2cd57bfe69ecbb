package org.retinasynth;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/** Holds the package arrows in place: data flows one way, the API edge is a leaf. */
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

    /**
     * A cycle between two packages makes them one unit in all but name. Job kinds meet the queue
     * only through {@code JobHandler}, so the queue's wiring to its handlers is Spring's, not a class
     * dependency, and is not what this rule sees.
     */
    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("org.retinasynth.(*)..").should().beFreeOfCycles();

    /** Metrics only compute: training scores epochs with them, so they must not reach back into any job. */
    @ArchTest
    static final ArchRule metricsArePure = noClasses().that().resideInAPackage("org.retinasynth.metrics..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.retinasynth.jobs..",
                    "org.retinasynth.training..", "org.retinasynth.study..", "org.retinasynth.model..",
                    "org.retinasynth.dataset..");

    @ArchTest
    static final ArchRule modelKnowsNoJobs = noClasses().that().resideInAPackage("org.retinasynth.model..")
            .should().dependOnClassesThat().resideInAnyPackage("org.retinasynth.jobs..", "org.retinasynth.api..",
                    "org.retinasynth.study..", "org.retinasynth.training..");

    /** Every capability exchanges images, so the image type may not depend on any of them. */
    @ArchTest
    static final ArchRule imageIsALeaf = noClasses().that().resideInAPackage("org.retinasynth.image..")
            .should().dependOnClassesThat(resideInAPackage("org.retinasynth..")
                    .and(not(resideInAPackage("org.retinasynth.image.."))));

    /**
     * DJL turns the constant of {@code x.mul(0.5f)} into a tensor over Java memory that the garbage
     * collector may free while autograd still needs it; {@code model.Scalar} allocates it in libtorch.
     */
    @ArchTest
    static final ArchRule constantFactorsGoThroughScalar = noClasses().should().callMethodWhere(
            new DescribedPredicate<JavaMethodCall>("NDArray mul/div/pow/maximum/minimum with a Number") {
                @Override
                public boolean test(JavaMethodCall call) {
                    AccessTarget.MethodCallTarget t = call.getTarget();
                    return Set.of("mul", "div", "pow", "maximum", "minimum").contains(t.getName())
                            && t.getOwner().isAssignableTo("ai.djl.ndarray.NDArray")
                            && t.getRawParameterTypes().size() == 1
                            && t.getRawParameterTypes().get(0).isEquivalentTo(Number.class);
                }
            }).because("autograd may keep the constant after the collector has freed it");
}
