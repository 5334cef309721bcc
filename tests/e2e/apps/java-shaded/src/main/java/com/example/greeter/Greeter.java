package com.example.greeter;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.lang3.StringUtils;

/**
 * An HTTP service with a library (commons-lang3, shaded into the jar) that
 * reads its greeting from config/greeting.txt in the working directory.
 */
public final class Greeter {
  private Greeter() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/", ex -> reply(ex, greeting()));
    server.createContext(
        "/jvm",
        ex -> reply(ex, "jvm args: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + "\n"));
    server.start();
    System.out.println("greeter listening on :" + port);
  }

  static String greeting() throws IOException {
    Path file = Path.of("config", "greeting.txt");
    String text = Files.exists(file) ? Files.readString(file).trim() : "no config/greeting.txt";
    return StringUtils.capitalize(text) + "\n";
  }

  private static void reply(HttpExchange ex, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
