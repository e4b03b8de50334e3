package io.tickstream.common.launch.impl;

import io.tickstream.common.config.Config;
import io.tickstream.common.config.Setting;
import io.tickstream.common.launch.Role;

import java.util.List;
import java.util.Optional;

/** Two roles for the launcher tests (registered in test resources): one that takes -instances, one that does not. */
final class DemoRoles {

  static final Setting<Integer> PORT = Setting.ofInt("demo.port", 9000, 0, 65535, "Port.");
  static final Setting<Integer> INSTANCES = Setting.ofInt("demo.instances", 0, 0, 64, "Server instances; 0: one per core.");
  static final Setting<String> MODE = Setting.ofString("demo.mode", "plain", "Mode.");

  private DemoRoles() {
  }

  public static final class Scalable implements Role {
    @Override
    public String name() {
      return "demo";
    }

    @Override
    public String verticle() {
      return "io.tickstream.demo.ScalableVerticle";
    }

    @Override
    public List<Setting<?>> settings() {
      return List.of(PORT, INSTANCES, MODE);
    }

    @Override
    public Optional<Setting<Integer>> instancesSetting() {
      return Optional.of(INSTANCES);
    }

    @Override
    public String banner(Config config) {
      return "demo on " + config.get(PORT);
    }
  }

  public static final class Single implements Role {
    @Override
    public String name() {
      return "single";
    }

    @Override
    public String verticle() {
      return "io.tickstream.demo.SingleVerticle";
    }

    @Override
    public List<Setting<?>> settings() {
      return List.of(PORT);
    }

    @Override
    public Optional<Setting<Integer>> instancesSetting() {
      return Optional.empty();
    }

    @Override
    public String banner(Config config) {
      return "single";
    }
  }
}
