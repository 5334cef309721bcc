//! The Java transforms on the shapes they must refuse or handle, each with
//! a build context written for the case (golden/java-* has the full
//! rewrites at every level).

use dfslim::analysis::BuildContext;
use dfslim::pipeline::{self, Run, Selection, Status};
use std::fs;
use std::path::Path;

/// A context directory with these files.
fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    dir
}

fn run(text: &str, level: u8, dir: Option<&Path>) -> Run {
    let ctx = dir.map(BuildContext::load);
    let sel = Selection {
        level,
        ..Selection::default()
    };
    let r = pipeline::run(text, &sel, ctx.as_ref()).unwrap();
    let again = pipeline::run(&r.output, &sel, ctx.as_ref()).unwrap();
    assert_eq!(again.output, r.output, "not a fixed point:\n{}", r.output);
    r
}

fn said(r: &Run, id: &str) -> (String, String) {
    let s = r.steps.iter().find(|s| s.id == id).unwrap();
    match &s.status {
        Status::Applied { message, notes, .. } => (
            "applied".into(),
            format!(
                "{message} | {}",
                notes
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        ),
        Status::Refused(m) => ("refused".into(), m.to_string()),
        Status::Skipped(m) => ("skipped".into(), m.to_string()),
        Status::NotApplicable(m) => ("n/a".into(), m.to_string()),
    }
}

fn assert_said(r: &Run, id: &str, what: &str, part: &str) {
    let (w, m) = said(r, id);
    assert_eq!(w, what, "{id}: {m}\n--- output:\n{}", r.output);
    assert!(m.contains(part), "{id}: {m:?} lacks {part:?}");
}

/// A plain app: no libraries, nothing loaded by name.
const POM: &str = "<project><modelVersion>4.0.0</modelVersion><groupId>x</groupId><artifactId>app</artifactId><version>1.0</version></project>";
const MAIN: &str = "package x;\npublic class Main { public static void main(String[] a) { System.out.println(\"hi\"); } }\n";

fn plain(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![("pom.xml", POM), ("src/main/java/x/Main.java", MAIN)];
    files.extend_from_slice(extra);
    context(&files)
}

#[test]
fn a_jdk_that_only_runs_a_jar_becomes_the_same_versions_jre() {
    let jar = "COPY app.jar /app.jar\nENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n";
    for (from, to) in [
        (
            "eclipse-temurin:17-jdk-jammy",
            "eclipse-temurin:17-jre-jammy",
        ),
        ("eclipse-temurin:21", "eclipse-temurin:21-jre"),
        (
            "eclipse-temurin:17.0.9_9-jdk",
            "eclipse-temurin:17.0.9_9-jre",
        ),
        ("openjdk:17-jdk-slim", "eclipse-temurin:17-jre"),
        ("openjdk:8-jdk-alpine", "eclipse-temurin:8-jre-alpine"),
        ("maven:3.8.5-openjdk-17", "eclipse-temurin:17-jre"),
        ("gradle:8-jdk21-alpine", "eclipse-temurin:21-jre-alpine"),
        ("adoptopenjdk:11-jdk-hotspot", "eclipse-temurin:11-jre"),
        (
            "ibm-semeru-runtimes:open-17-jdk",
            "ibm-semeru-runtimes:open-17-jre",
        ),
        (
            "public.ecr.aws/docker/library/openjdk:17",
            "public.ecr.aws/docker/library/eclipse-temurin:17-jre",
        ),
    ] {
        let r = run(&format!("FROM {from}\n{jar}"), 1, None);
        assert!(
            r.output.starts_with(&format!("FROM {to}\n")),
            "{from}: {}",
            r.output
        );
    }
    // Already a JRE; a vendor without JRE images.
    let r = run(&format!("FROM eclipse-temurin:17-jre\n{jar}"), 1, None);
    assert_said(&r, "java-jre-base", "n/a", "a JRE already");
    let r = run(&format!("FROM amazoncorretto:17\n{jar}"), 1, None);
    assert_said(&r, "java-jre-base", "n/a", "not an image dfslim maps");
}

#[test]
fn the_jre_is_refused_where_the_jdk_or_the_old_image_is_needed() {
    let jar = "COPY app.jar /app.jar\nENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n";
    for (df, why) in [
        (
            format!("FROM eclipse-temurin:17\nRUN javac Main.java\n{jar}"),
            "runs `javac`, a JDK tool",
        ),
        (
            format!("FROM eclipse-temurin:17\n{jar}HEALTHCHECK CMD jcmd 1 VM.uptime || exit 1\n"),
            "runs `jcmd`",
        ),
        (
            format!("FROM eclipse-temurin:17 AS base\n{jar}FROM base\nRUN ./mvnw package\n"),
            "runs `./mvnw`",
        ),
        (
            format!("FROM openjdk:17-jdk-slim\nENV PATH=/usr/local/openjdk-17/bin:$PATH\n{jar}"),
            "names /usr/local/openjdk-17",
        ),
        (
            format!("FROM openjdk:11\nRUN git clone https://example.com/x.git\n{jar}"),
            "runs `git`",
        ),
        (format!("FROM adoptopenjdk:11-jdk-openj9\n{jar}"), "OpenJ9"),
        (format!("FROM openjdk:19-ea-jdk\n{jar}"), "early-access"),
        (
            format!("FROM openjdk:18-jdk\n{jar}"),
            "no JRE image for Java 18",
        ),
        (format!("FROM openjdk\n{jar}"), "names no Java version"),
    ] {
        let r = run(&df, 1, None);
        assert_said(&r, "java-jre-base", "refused", why);
    }
    // A digest pin with no engine to re-pin it.
    let r = run(
        &format!(
            "FROM eclipse-temurin:17-jdk@sha256:{}\n{jar}",
            "a".repeat(64)
        ),
        1,
        None,
    );
    assert_said(&r, "java-jre-base", "refused", "pinned");
}

const SHAPE_A: &str =
    "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\n";

#[test]
fn the_split_needs_a_jar_it_can_name() {
    let dir = plain(&[]);
    for (cmd, why) in [
        (
            "CMD [\"java\", \"-jar\", \"target/*.jar\"]",
            "no shell expands the glob",
        ),
        (
            "CMD [\"java\", \"-cp\", \"target/classes\", \"x.Main\"]",
            "runs a main class",
        ),
        ("CMD [\"./run.sh\"]", "not `java -jar`"),
        (
            "CMD java $JAVA_OPTS -jar target/app-1.0.jar",
            "needs a shell",
        ),
        (
            "CMD [\"/usr/lib/jvm/java-17-openjdk-amd64/bin/java\", \"-jar\", \"target/app-1.0.jar\"]",
            "by its path",
        ),
        (
            "CMD [\"mvn\", \"spring-boot:run\"]",
            "does not make a Spring Boot jar",
        ),
    ] {
        let r = run(&format!("{SHAPE_A}{cmd}\n"), 2, Some(dir.path()));
        assert_said(&r, "java-multi-stage", "refused", why);
    }
    // A shell-form glob is what the build file says it is.
    let r = run(
        &format!("{SHAPE_A}CMD java -jar target/*.jar\n"),
        2,
        Some(dir.path()),
    );
    assert!(
        r.output.contains("COPY --from=builder /app/target/app-1.0.jar /app/app-1.0.jar\nCMD java -jar /app/app-1.0.jar\n"),
        "{}",
        r.output
    );
    // Packages the app may use at run time stay with it.
    let r = run(
        &format!(
            "{SHAPE_A}RUN apt-get update && apt-get install -y fontconfig\nCMD [\"java\", \"-jar\", \"target/app-1.0.jar\"]\n"
        ),
        2,
        Some(dir.path()),
    );
    assert_said(&r, "java-multi-stage", "refused", "installs fontconfig");
    // A jar the context copied in is not built here.
    let r = run(
        "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY app.jar .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"app.jar\"]\n",
        2,
        Some(dir.path()),
    );
    assert_said(
        &r,
        "java-multi-stage",
        "refused",
        "copied in from the build context",
    );
}

#[test]
fn spring_boot_run_becomes_java_jar_on_the_repackaged_jar() {
    let boot = r#"<project><parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.5</version></parent>
        <artifactId>shop</artifactId><version>2.0.0</version>
        <build><finalName>${project.artifactId}</finalName><plugins><plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build></project>"#;
    let dir = context(&[("pom.xml", boot)]);
    let df = format!("{SHAPE_A}CMD [\"./mvnw\", \"spring-boot:run\"]\n");
    let r = run(&df.replace("mvn -B", "./mvnw -B"), 2, Some(dir.path()));
    assert!(
        r.output
            .ends_with("COPY --from=builder /app/target/shop.jar /app/shop.jar\nCMD [\"java\", \"-jar\", \"/app/shop.jar\"]\n"),
        "{}",
        r.output
    );
    // Options dfslim cannot carry to a java command.
    let r = run(
        &format!("{SHAPE_A}CMD mvn spring-boot:run -Dspring-boot.run.profiles=dev\n"),
        2,
        Some(dir.path()),
    );
    assert_said(
        &r,
        "java-multi-stage",
        "refused",
        "-Dspring-boot.run.profiles=dev",
    );
    // Gradle's bootRun: bootJar's name-version.jar.
    let g = context(&[
        ("settings.gradle", "rootProject.name = 'shop'\n"),
        (
            "build.gradle",
            "plugins {\n  id 'java'\n  id 'org.springframework.boot' version '3.2.5'\n}\nversion = '0.1.0'\n",
        ),
    ]);
    let r = run(
        "FROM gradle:8-jdk17\nWORKDIR /src\nCOPY . .\nRUN gradle bootJar --no-daemon\nCMD [\"gradle\", \"bootRun\"]\n",
        2,
        Some(g.path()),
    );
    assert!(
        r.output.contains(
            "COPY --from=builder /src/build/libs/shop-0.1.0.jar /src/shop-0.1.0.jar\nCMD [\"java\", \"-jar\", \"/src/shop-0.1.0.jar\"]"
        ),
        "{}",
        r.output
    );
}

#[test]
fn the_manifests_class_path_comes_along() {
    let pom = r#"<project><artifactId>app</artifactId><version>1.0</version><build><plugins>
        <plugin><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest>
        <addClasspath>true</addClasspath><classpathPrefix>lib/</classpathPrefix><mainClass>x.Main</mainClass>
        </manifest></archive></configuration></plugin></plugins></build></project>"#;
    let dir = context(&[("pom.xml", pom)]);
    let r = run(
        &format!("{SHAPE_A}CMD [\"java\", \"-jar\", \"target/app-1.0.jar\"]\n"),
        2,
        Some(dir.path()),
    );
    assert!(
        r.output
            .contains("COPY --from=builder /app/target/lib /app/lib\n"),
        "{}",
        r.output
    );
}

/// The runtime a level-2 split leaves, for level 4.
const SPLIT: &str = "FROM maven:3.9-eclipse-temurin-17 AS builder\nWORKDIR /app\nCOPY . .\nRUN mvn package\n\nFROM eclipse-temurin:17-jre\nWORKDIR /app\nCOPY --from=builder /app/target/app-1.0.jar /app/app-1.0.jar\nEXPOSE 8080\n";

#[test]
fn jlink_is_refused_when_jdeps_cannot_see_everything() {
    let cmd = "CMD [\"java\", \"-jar\", \"/app/app-1.0.jar\"]\n";
    let df = format!("{SPLIT}{cmd}");
    let lib = POM.replace(
        "</version>",
        "</version><dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>42.7.3</version></dependency></dependencies>",
    );
    for (files, why) in [
        (
            vec![
                ("pom.xml", lib.as_str()),
                ("src/main/java/x/Main.java", MAIN),
            ],
            "depends on org.postgresql:postgresql",
        ),
        (
            vec![
                ("pom.xml", POM),
                (
                    "src/main/java/x/Main.java",
                    "class Main { Object d = Class.forName(\"org.h2.Driver\"); }",
                ),
            ],
            "loads classes by name (Class.forName)",
        ),
        (
            vec![
                ("pom.xml", POM),
                (
                    "src/main/java/x/Main.java",
                    "class Main { Object s = java.util.ServiceLoader.load(Runnable.class); }",
                ),
            ],
            "ServiceLoader",
        ),
        (
            vec![
                ("pom.xml", POM),
                ("src/main/kotlin/Main.kt", "fun main() {}"),
            ],
            "is not Java",
        ),
        (vec![("pom.xml", POM)], "no Java sources"),
        (
            vec![("src/main/java/x/Main.java", MAIN)],
            "no pom.xml or build.gradle was found",
        ),
    ] {
        let dir = context(&files);
        let r = run(&df, 4, Some(dir.path()));
        assert_said(&r, "java-jlink", "refused", why);
        // distroless java keeps every module instead.
        assert_said(
            &r,
            "java-distroless",
            "applied",
            "distroless/java17-debian12",
        );
    }
    let r = run(&df, 4, None);
    assert_said(&r, "java-jlink", "refused", "no build context was read");
    let dir = plain(&[]);
    for (df, why) in [
        (
            format!(
                "{SPLIT}CMD [\"java\", \"-javaagent:/otel.jar\", \"-jar\", \"/app/app-1.0.jar\"]\n"
            ),
            "loads an agent",
        ),
        (
            SPLIT.replace(
                "maven:3.9-eclipse-temurin-17",
                "maven:3.9-eclipse-temurin-17-alpine",
            ) + cmd,
            "alpine's (musl)",
        ),
        (
            SPLIT.replace(
                "maven:3.9-eclipse-temurin-17",
                "maven:3.9-eclipse-temurin-21",
            ) + cmd,
            "has Java 21, the runtime Java 17",
        ),
        (
            SPLIT.replace("RUN mvn package\n", "RUN mvn package\nUSER 1000\n") + cmd,
            "runs as 1000",
        ),
        (SPLIT.replace("17", "11") + cmd, "from Java 17 on"),
    ] {
        let r = run(&df, 4, Some(dir.path()));
        assert_said(&r, "java-jlink", "refused", why);
    }
}

#[test]
fn jlink_adds_what_flags_and_sources_load_by_name() {
    let dir = plain(&[(
        "src/main/java/x/Zip.java",
        "class Zip { void f() throws Exception { java.nio.file.FileSystems.newFileSystem(java.nio.file.Path.of(\"a.zip\")); java.util.Locale l = java.util.Locale.forLanguageTag(\"de\"); } }",
    )]);
    let r = run(
        &format!(
            "{SPLIT}CMD java -Dcom.sun.management.jmxremote -Dfile.encoding=UTF-8 --add-modules jdk.incubator.vector -jar /app/app-1.0.jar\n"
        ),
        5,
        Some(dir.path()),
    );
    assert!(
        r.output.contains(
            "\"$(cat /tmp/jre-modules),jdk.crypto.ec,jdk.management.agent,jdk.incubator.vector,jdk.zipfs,jdk.localedata\""
        ),
        "{}",
        r.output
    );
    // The shell form became exec form: java-base has no shell.
    assert!(
        r.output.ends_with("CMD [\"java\", \"-Dcom.sun.management.jmxremote\", \"-Dfile.encoding=UTF-8\", \"--add-modules\", \"jdk.incubator.vector\", \"-jar\", \"/app/app-1.0.jar\"]\n"),
        "{}",
        r.output
    );
    assert!(r.output.contains("--strip-debug --output /opt/jre"));
}

#[test]
fn distroless_takes_the_flags_into_jdk_java_options() {
    let dir = context(&[("pom.xml", &POM.replace("</version>", "</version><dependencies><dependency><groupId>com.google.code.gson</groupId><artifactId>gson</artifactId><version>2.10</version></dependency></dependencies>"))]);
    let r = run(
        &format!(
            "{SPLIT}ENV JDK_JAVA_OPTIONS=-Dapp.mode=prod\nCMD [\"java\", \"-Xmx256m\", \"-jar\", \"/app/app-1.0.jar\", \"--verbose\"]\n"
        ),
        4,
        Some(dir.path()),
    );
    assert!(
        r.output.ends_with(
            "ENV JDK_JAVA_OPTIONS=\"-Dapp.mode=prod -Xmx256m\"\nCMD [\"/app/app-1.0.jar\", \"--verbose\"]\n"
        ),
        "{}",
        r.output
    );
    for (tail, why) in [
        (
            "EXPOSE 80\nCMD [\"java\", \"-jar\", \"/app/app-1.0.jar\"]\n",
            "EXPOSEs port 80",
        ),
        (
            "USER app\nCMD [\"java\", \"-jar\", \"/app/app-1.0.jar\"]\n",
            "USER app",
        ),
        (
            "CMD [\"java\", \"-cp\", \"/app/app-1.0.jar\", \"x.Main\"]\n",
            "runs a main class",
        ),
        (
            "CMD [\"java\", \"-Dgreeting=hello world\", \"-jar\", \"/app/app-1.0.jar\"]\n",
            "will not move into JDK_JAVA_OPTIONS",
        ),
        (
            "HEALTHCHECK CMD curl -f http://localhost:8080/ || exit 1\nCMD [\"java\", \"-jar\", \"/app/app-1.0.jar\"]\n",
            "HEALTHCHECK",
        ),
        (
            "RUN mkdir -p /app/logs\nCMD [\"java\", \"-jar\", \"/app/app-1.0.jar\"]\n",
            "no shell",
        ),
    ] {
        let r = run(&format!("{SPLIT}{tail}"), 4, Some(dir.path()));
        assert_said(&r, "java-distroless", "refused", why);
    }
    // An exec-form ENTRYPOINT running java replaces distroless's and stays.
    let r = run(
        "FROM eclipse-temurin:21-jre\nCOPY --from=x /app /app\nENTRYPOINT [\"java\", \"-cp\", \"app:app/lib/*\", \"x.Main\"]\n",
        4,
        None,
    );
    assert_said(&r, "java-distroless", "applied", "java21-debian12");
    assert!(
        r.output
            .starts_with("FROM gcr.io/distroless/java21-debian12:nonroot\nWORKDIR /\n"),
        "{}",
        r.output
    );
}

#[test]
fn strip_completes_a_users_own_jlink() {
    let df = "FROM eclipse-temurin:21-jdk AS jre\nRUN jlink --add-modules java.base,java.logging --output /jre\n\nFROM debian:bookworm-slim\nCOPY --from=jre /jre /opt/jre\nCMD [\"/opt/jre/bin/java\", \"-version\"]\n";
    let r = run(df, 5, None);
    assert!(
        r.output.contains(
            "RUN jlink --add-modules java.base,java.logging --strip-debug --no-header-files --no-man-pages --output /jre\n"
        ),
        "{}",
        r.output
    );
    let slim = df.replace("eclipse-temurin:21-jdk", "openjdk:17-jdk-slim");
    let r = run(&slim, 5, None);
    assert_said(&r, "java-strip", "applied", "--strip-java-debug-attributes");
    let r = run(&r.output, 5, None);
    assert_said(&r, "java-strip", "n/a", "stripped already");
}
