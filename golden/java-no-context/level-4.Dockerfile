# No build context: what the file says is all dfslim knows.
from maven:3.9-eclipse-temurin-21 as build
copy . /opt/app
workdir /opt/app
# tests run in the build
run mvn -B clean package
env SPRING_PROFILES_ACTIVE=prod

from gcr.io/distroless/java21-debian12:nonroot
env SPRING_PROFILES_ACTIVE=prod
workdir /opt/app
copy --chown=nonroot:nonroot --from=build /opt/app/target/app.jar /opt/app/app.jar
expose 8080
env JDK_JAVA_OPTIONS="-Xmx512m -XX:+UseG1GC"
cmd ["/opt/app/app.jar", "--server.port=8080"]
