# openjdk:17 is Oracle Linux: microdnf, and JAVA_HOME under /usr/java.
FROM openjdk:17
RUN microdnf install -y fontconfig && microdnf clean all
ENV PATH=/usr/java/openjdk-17/bin:$PATH
COPY target/report-service.jar /srv/report-service.jar
ENTRYPOINT ["java", "-jar", "/srv/report-service.jar"]
