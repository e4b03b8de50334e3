package io.tickstream.common.logging.impl;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.ILoggerFactory;

/**
 * Reloads Logback's own configuration (the {@code logback.xml} or {@code logback-test.xml} it found at start),
 * so that it reads changed system properties. Kept apart from {@link io.tickstream.common.logging.Logging} because
 * Logback is optional: this class is only loaded once {@link #isBound} said yes.
 */
public final class LogbackReload {

  private LogbackReload() {
  }

  /** Whether {@code factory} is Logback's; false, without loading Logback's classes, when Logback is absent. */
  public static boolean isBound(ILoggerFactory factory) {
    return factory.getClass().getName().equals("ch.qos.logback.classic.LoggerContext");
  }

  /** Resets {@code factory}, a Logback {@link LoggerContext}, and configures it again the way it started. */
  public static void reload(ILoggerFactory factory) {
    LoggerContext context = (LoggerContext) factory;
    context.reset();
    try {
      new ContextInitializer(context).autoConfig();
    } catch (JoranException e) {
      // Logback already printed what is wrong through its status manager; logging goes on with its defaults.
    }
  }
}
