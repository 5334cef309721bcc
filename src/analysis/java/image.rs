//! Java images and their tags: which vendor, which Java feature version,
//! JDK or JRE, on which distribution. `eclipse-temurin:17-jdk-jammy`,
//! `openjdk:17` (Oracle Linux), `openjdk:11-jre-slim`,
//! `maven:3.9-eclipse-temurin-17`, `gradle:8-jdk17-alpine`,
//! `adoptopenjdk/openjdk11:latest`, `gcr.io/distroless/java17-debian12`...

use super::super::base::is_official;

/// Who made the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    /// eclipse-temurin: Adoptium's builds, the maintained successor of openjdk.
    Temurin,
    /// The deprecated openjdk image (frozen since 2022).
    OpenJdk,
    /// maven: a JDK with Maven.
    Maven,
    /// gradle: a JDK with Gradle.
    Gradle,
    /// adoptopenjdk and adoptopenjdk/openjdkNN: deprecated, Temurin's predecessor.
    AdoptOpenJdk,
    Corretto,
    /// ibm-semeru-runtimes: OpenJ9.
    Semeru,
    SapMachine,
    /// gcr.io/distroless/javaNN-*: a JRE, no shell, ENTRYPOINT `java -jar`.
    Distroless,
}

/// What Java the image holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// javac, jar, jlink, jdeps... and the runtime.
    Jdk,
    /// Only the runtime.
    Jre,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distro {
    Debian,
    Ubuntu,
    /// openjdk:12 and later by default, and the maven images made from them:
    /// microdnf, no apt-get.
    OracleLinux,
    Alpine,
    AmazonLinux,
    Ubi,
    Windows,
    Unknown,
}

/// A Java image, read from its repository and tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaImage {
    pub vendor: Vendor,
    /// The Java feature version (17), when the tag names one.
    pub feature: Option<u32>,
    pub kind: Kind,
    pub distro: Distro,
    /// The OpenJ9 JVM (its flags differ from HotSpot's).
    pub openj9: bool,
    /// An early-access build (`openjdk:19-ea`).
    pub early_access: bool,
}

/// The repositories of the Docker Official Java images.
const OFFICIAL: &[&str] = &[
    "eclipse-temurin",
    "openjdk",
    "maven",
    "gradle",
    "amazoncorretto",
    "ibm-semeru-runtimes",
    "sapmachine",
    "adoptopenjdk",
];

/// True when `repository` is one of the Docker Official Java images (or
/// `adoptopenjdk/openjdkNN`).
pub fn is_official_java(repository: &str) -> bool {
    OFFICIAL.iter().any(|n| is_official(repository, n)) || adopt_repo(repository).is_some()
}

/// `adoptopenjdk/openjdk11`, `adoptopenjdk/openjdk8-openj9`: (feature, openj9).
fn adopt_repo(repository: &str) -> Option<(u32, bool)> {
    let rest = repository.strip_prefix("adoptopenjdk/openjdk")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((digits.parse().ok()?, rest.contains("openj9")))
}

/// The leading number of a version token: `17`, `17.0.9_9`, `8u392` -> 17, 17, 8.
fn leading(token: &str) -> Option<u32> {
    let digits: String = token.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let rest = &token[digits.len()..];
    if !(rest.is_empty() || rest.starts_with(['.', '_', 'u', '+'])) {
        return None;
    }
    digits.parse().ok()
}

impl JavaImage {
    /// Reads `repository:tag` (the tag with variables expanded, or `None`).
    pub fn classify(repository: &str, tag: Option<&str>) -> Option<JavaImage> {
        let tag = tag.unwrap_or("latest").to_ascii_lowercase();
        let tokens: Vec<&str> = tag.split('-').collect();
        let has = |t: &str| tokens.contains(&t);
        let alpine = tokens.iter().any(|t| t.starts_with("alpine"));
        let windows = tokens
            .iter()
            .any(|t| t.starts_with("windowsservercore") || t.starts_with("nanoserver"));
        let kind = if has("jre") { Kind::Jre } else { Kind::Jdk };
        let first = tokens.first().copied().unwrap_or("");
        let mut img = JavaImage {
            vendor: Vendor::Temurin,
            feature: None,
            kind,
            distro: Distro::Unknown,
            openj9: has("openj9"),
            early_access: has("ea") || tokens.iter().any(|t| t.starts_with("ea+")),
        };
        let distro_of = |default: Distro| {
            if alpine {
                Distro::Alpine
            } else if windows {
                Distro::Windows
            } else if tokens.iter().any(|t| t.starts_with("ubi")) {
                Distro::Ubi
            } else if tokens
                .iter()
                .any(|t| matches!(*t, "noble" | "jammy" | "focal" | "bionic" | "xenial"))
            {
                Distro::Ubuntu
            } else if tokens.iter().any(|t| {
                matches!(
                    *t,
                    "slim" | "bookworm" | "bullseye" | "buster" | "stretch" | "trixie"
                )
            }) {
                Distro::Debian
            } else if tokens.iter().any(|t| t.starts_with("oracle")) {
                Distro::OracleLinux
            } else if tokens.iter().any(|t| t.starts_with("al2")) {
                Distro::AmazonLinux
            } else {
                default
            }
        };
        if let Some(rest) = repository.strip_prefix("gcr.io/distroless/java") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            img.vendor = Vendor::Distroless;
            img.feature = digits.parse().ok();
            img.kind = Kind::Jre;
            img.distro = Distro::Debian;
            return img.feature.map(|_| img);
        }
        if is_official(repository, "eclipse-temurin") {
            img.feature = leading(first);
            img.distro = distro_of(Distro::Ubuntu);
        } else if is_official(repository, "openjdk") {
            img.vendor = Vendor::OpenJdk;
            img.feature = leading(first);
            // openjdk:12 and later were Oracle Linux unless the tag said otherwise.
            let default = match img.feature {
                Some(f) if f >= 12 => Distro::OracleLinux,
                _ => Distro::Debian,
            };
            img.distro = distro_of(default);
        } else if is_official(repository, "maven") {
            img.vendor = Vendor::Maven;
            img.kind = Kind::Jdk;
            img.feature = tokens.iter().skip(1).find_map(|t| {
                t.chars()
                    .all(|c| c.is_ascii_digit())
                    .then(|| t.parse().ok())
                    .flatten()
            });
            let openjdk = has("openjdk") && !has("slim");
            let default = if has("amazoncorretto") {
                Distro::AmazonLinux
            } else if openjdk && img.feature.is_some_and(|f| f >= 12) {
                Distro::OracleLinux
            } else if has("temurin") || has("semeru") || has("sapmachine") {
                Distro::Ubuntu
            } else {
                Distro::Debian
            };
            img.distro = distro_of(default);
        } else if is_official(repository, "gradle") {
            img.vendor = Vendor::Gradle;
            img.kind = Kind::Jdk;
            img.feature = tokens.iter().find_map(|t| {
                let d = t.strip_prefix("jdk")?;
                (!d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
                    .then(|| d.parse().ok())
                    .flatten()
            });
            img.distro = distro_of(Distro::Ubuntu);
        } else if let Some((feature, openj9)) = adopt_repo(repository) {
            img.vendor = Vendor::AdoptOpenJdk;
            img.feature = Some(feature);
            img.openj9 |= openj9;
            img.distro = distro_of(Distro::Ubuntu);
        } else if is_official(repository, "adoptopenjdk") {
            img.vendor = Vendor::AdoptOpenJdk;
            img.feature = leading(first);
            img.distro = distro_of(Distro::Ubuntu);
        } else if is_official(repository, "amazoncorretto") {
            img.vendor = Vendor::Corretto;
            img.feature = leading(first);
            img.distro = distro_of(Distro::AmazonLinux);
        } else if is_official(repository, "ibm-semeru-runtimes") {
            img.vendor = Vendor::Semeru;
            img.openj9 = true;
            img.feature = tokens.get(1).and_then(|t| leading(t));
            img.distro = distro_of(Distro::Ubuntu);
        } else if is_official(repository, "sapmachine") {
            img.vendor = Vendor::SapMachine;
            img.feature = leading(first);
            img.distro = distro_of(Distro::Ubuntu);
        } else {
            return None;
        }
        Some(img)
    }

    pub fn is_jdk(&self) -> bool {
        self.kind == Kind::Jdk
    }

    /// True when the image has objcopy (binutils), which `jlink
    /// --strip-debug` runs: the Temurin JDK images install binutils for
    /// that (and so the maven and gradle images made from them), as does
    /// openjdk's Oracle Linux image; openjdk's slim images and the others
    /// are not known to.
    pub fn has_objcopy(&self) -> bool {
        if self.kind != Kind::Jdk || self.distro == Distro::Alpine {
            return false;
        }
        match self.vendor {
            Vendor::Temurin | Vendor::Gradle => true,
            Vendor::Maven => matches!(self.distro, Distro::Ubuntu | Distro::OracleLinux),
            Vendor::OpenJdk => self.distro == Distro::OracleLinux,
            _ => false,
        }
    }

    /// The package manager the image's distribution uses.
    pub fn package_manager(&self) -> Option<&'static str> {
        match self.distro {
            Distro::Debian | Distro::Ubuntu => Some("apt"),
            Distro::Alpine => Some("apk"),
            Distro::OracleLinux | Distro::AmazonLinux | Distro::Ubi => Some("yum"),
            _ => None,
        }
    }

    /// Where the image's JDK or JRE lives (its JAVA_HOME), when it differs
    /// from eclipse-temurin's `/opt/java/openjdk`: a file naming it would
    /// break on Temurin.
    pub fn own_java_home(&self) -> Option<String> {
        let f = self.feature?;
        match (self.vendor, self.distro) {
            (Vendor::OpenJdk | Vendor::Maven, Distro::OracleLinux) => {
                Some(format!("/usr/java/openjdk-{f}"))
            }
            (Vendor::OpenJdk, Distro::Alpine) => Some(format!("/opt/openjdk-{f}")),
            (Vendor::OpenJdk, _) => Some(format!("/usr/local/openjdk-{f}")),
            _ => None,
        }
    }
}

/// An eclipse-temurin tag with `jdk` turned into `jre` (or the other way):
/// `17` -> `17-jre`, `17-jdk-jammy` -> `17-jre-jammy`, `21-alpine` ->
/// `21-jre-alpine`. `None` when the tag does not start with a version.
pub fn temurin_kind(tag: &str, to: Kind) -> Option<String> {
    let (from_word, to_word) = match to {
        Kind::Jre => ("jdk", "jre"),
        Kind::Jdk => ("jre", "jdk"),
    };
    let mut tokens: Vec<String> = tag.split('-').map(str::to_string).collect();
    if let Some(t) = tokens
        .iter_mut()
        .find(|t| t.eq_ignore_ascii_case(from_word))
    {
        *t = to_word.to_string();
        return Some(tokens.join("-"));
    }
    if tokens.iter().any(|t| t.eq_ignore_ascii_case(to_word)) {
        return Some(tag.to_string());
    }
    let first = tokens.first()?;
    if leading(first).is_none() && !first.starts_with('$') {
        return None;
    }
    tokens.insert(1, to_word.to_string());
    Some(tokens.join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(repo: &str, tag: &str) -> JavaImage {
        JavaImage::classify(repo, Some(tag)).unwrap()
    }

    #[test]
    fn reads_java_images() {
        let t = c("eclipse-temurin", "17-jdk-jammy");
        assert_eq!(
            (t.vendor, t.feature, t.kind, t.distro),
            (Vendor::Temurin, Some(17), Kind::Jdk, Distro::Ubuntu)
        );
        assert_eq!(c("eclipse-temurin", "17").kind, Kind::Jdk);
        assert_eq!(c("eclipse-temurin", "21-jre-alpine").distro, Distro::Alpine);
        assert_eq!(c("eclipse-temurin", "8u392-b08-jre").feature, Some(8));
        let o = c("openjdk", "17");
        assert_eq!((o.distro, o.kind), (Distro::OracleLinux, Kind::Jdk));
        assert_eq!(o.own_java_home().as_deref(), Some("/usr/java/openjdk-17"));
        assert_eq!(c("openjdk", "17-jdk-slim").distro, Distro::Debian);
        assert_eq!(c("openjdk", "11").distro, Distro::Debian);
        assert_eq!(c("openjdk", "8-jre-alpine").kind, Kind::Jre);
        assert!(c("openjdk", "19-ea-jdk").early_access);
        let m = c("maven", "3.9-eclipse-temurin-17");
        assert_eq!((m.feature, m.distro), (Some(17), Distro::Ubuntu));
        assert!(m.has_objcopy());
        assert_eq!(c("maven", "3.8.5-openjdk-17").distro, Distro::OracleLinux);
        assert_eq!(c("maven", "3.6.3-jdk-8").feature, Some(8));
        assert_eq!(c("maven", "3.9").feature, None);
        assert_eq!(c("gradle", "8-jdk17").feature, Some(17));
        assert_eq!(c("gradle", "jdk21-alpine").distro, Distro::Alpine);
        let a = c("adoptopenjdk/openjdk11", "latest");
        assert_eq!((a.vendor, a.feature), (Vendor::AdoptOpenJdk, Some(11)));
        assert!(c("adoptopenjdk", "11-jdk-openj9").openj9);
        assert_eq!(c("ibm-semeru-runtimes", "open-17-jdk").feature, Some(17));
        let d = c("gcr.io/distroless/java17-debian12", "nonroot");
        assert_eq!((d.vendor, d.feature), (Vendor::Distroless, Some(17)));
        assert!(!c("openjdk", "17-jdk-slim").has_objcopy());
        assert!(c("openjdk", "17").has_objcopy());
        assert_eq!(JavaImage::classify("golang", Some("1.22")), None);
    }

    #[test]
    fn turns_jdk_tags_into_jre_tags() {
        assert_eq!(temurin_kind("17", Kind::Jre).as_deref(), Some("17-jre"));
        assert_eq!(
            temurin_kind("17-jdk-jammy", Kind::Jre).as_deref(),
            Some("17-jre-jammy")
        );
        assert_eq!(
            temurin_kind("21-alpine", Kind::Jre).as_deref(),
            Some("21-jre-alpine")
        );
        assert_eq!(
            temurin_kind("17.0.9_9-jdk", Kind::Jre).as_deref(),
            Some("17.0.9_9-jre")
        );
        assert_eq!(temurin_kind("17-jre", Kind::Jdk).as_deref(), Some("17-jdk"));
        assert_eq!(temurin_kind("latest", Kind::Jre), None);
    }
}
