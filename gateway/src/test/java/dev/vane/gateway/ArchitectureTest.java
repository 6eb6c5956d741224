package dev.vane.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The shape of the house, checked on the compiled classes of every module: no package cycles (a package and its
 * own {@code internal} subpackage count as one), pure cores, and a gateway root that holds only the entry points.
 */
class ArchitectureTest {
  static final JavaClasses VANE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.vane");

  /** One slice per package, with {@code x.internal} folded into {@code x}. */
  static final SliceAssignment PACKAGES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      String p = c.getPackageName();
      if (p.endsWith(".internal")) {
        p = p.substring(0, p.length() - ".internal".length());
      }
      return SliceIdentifier.of(p);
    }

    @Override
    public String getDescription() {
      return "packages (x.internal counted with x)";
    }
  };

  @Test
  void noPackageDependsOnItselfThroughOthers() {
    slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(VANE);
  }

  @Test
  void theCoresImportNoNetworkLibrary() {
    noClasses().that().resideInAnyPackage("dev.vane.router..", "dev.vane.stats..", "dev.vane.config..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..", "io.lettuce..")
        .check(VANE);
  }

  @Test
  void theGatewayRootHoldsOnlyTheEntryPoints() {
    classes().that().resideInAPackage("dev.vane.gateway")
        .should().haveNameMatching("dev\\.vane\\.gateway\\.(Main|Gateway|Demo)(\\$.*)?")
        .check(VANE);
  }
}
