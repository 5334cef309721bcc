package com.example.hello;

import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class AppTest {
  @Test
  public void greetingComesFromTheClasspath() throws Exception {
    assertTrue(App.greeting().startsWith("hello from greeting.txt"));
  }

  @Test
  public void tlsHasEllipticCurves() {
    assertTrue(App.tls().contains("ec=yes"));
  }
}
