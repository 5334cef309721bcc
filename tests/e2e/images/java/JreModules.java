// Prints, comma-separated, the modules OpenJDK's legacy JRE image is linked from
// (make/Images.gmk in jdk17u: JRE_MODULES = BOOT_MODULES + PLATFORM_MODULES +
// jdk.jdwp.agent, the loader lists in make/conf/module-loader-map.conf): the system
// modules the boot loader (null) or the platform loader defines, read from the JDK
// itself, whose build compiled that map in. Run with `--add-modules ALL-SYSTEM` so
// every system module is resolved. Used by temurin-jre.Dockerfile.
import java.util.TreeSet;

public class JreModules {
    public static void main(String[] args) {
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        TreeSet<String> names = new TreeSet<>();
        for (Module m : ModuleLayer.boot().modules()) {
            ClassLoader l = m.getClassLoader();
            if (l == null || l == platform) {
                names.add(m.getName());
            }
        }
        names.add("jdk.jdwp.agent");
        System.out.println(String.join(",", names));
    }
}
