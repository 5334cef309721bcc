FROM gradle:8-jdk17
WORKDIR /home/gradle/project
COPY . .
RUN gradle build --no-daemon
EXPOSE 8080
CMD ["java", "-Xmx256m", "-jar", "build/libs/app.jar"]
