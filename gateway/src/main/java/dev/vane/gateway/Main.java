package dev.vane.gateway;

public final class Main {
  public static void main(String[] args) {
  }
}
