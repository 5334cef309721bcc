# No build context: what the file says is all dfslim knows.
from maven:3.9-eclipse-temurin-21 as build
copy . /opt/app
workdir /opt/app
# tests run in the build
run mvn -B clean package
env SPRING_PROFILES_ACTIVE=prod

from eclipse-temurin:21-jre
env SPRING_PROFILES_ACTIVE=prod
workdir /opt/app
copy --from=build /opt/app/target/app.jar /opt/app/app.jar
expose 8080
cmd java -Xmx512m -XX:+UseG1GC -jar /opt/app/app.jar --server.port=8080
