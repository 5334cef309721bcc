package com.example.hello;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.net.ssl.SSLContext;

/** A tiny HTTP service on the JDK's built-in server (module jdk.httpserver), no framework. */
public final class App {
  private App() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/", ex -> reply(ex, greeting()));
    // The JVM's flags (module java.management): proves a rewrite kept -Xmx256m.
    server.createContext(
        "/jvm",
        ex -> reply(ex, "jvm args: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + "\n"));
    // What an HTTPS client would get: EC keys and ECDHE suites come from the
    // jdk.crypto.ec module, which jdeps does not report (a security provider).
    server.createContext("/tls", ex -> reply(ex, tls()));
    server.start();
    System.out.println("hello-service listening on :" + port);
  }

  static String greeting() throws IOException {
    try (InputStream in = App.class.getResourceAsStream("/greeting.txt")) {
      String text = in == null ? "no greeting.txt" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return text + " on java " + Runtime.version().feature() + "\n";
    }
  }

  static String tls() {
    String ec;
    try {
      KeyPairGenerator.getInstance("EC").generateKeyPair();
      ec = "yes";
    } catch (NoSuchAlgorithmException e) {
      ec = "no";
    }
    long ecdhe;
    try {
      ecdhe = Arrays.stream(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites())
          .filter(s -> s.contains("ECDHE"))
          .count();
    } catch (NoSuchAlgorithmException e) {
      ecdhe = -1;
    }
    return "tls: ec=" + ec + " ecdhe_suites=" + ecdhe + "\n";
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
