package dev.vane.gateway.state.redis;

import java.util.Objects;

/**
 * Every Redis key Vane writes, and the one escaping of ids inside them.
 *
 * <p><b>Escaping.</b> Inside a key, {@code %} in an id is written {@code %25} and {@code :} is written {@code %3A},
 * so ids containing the separator cannot collide ({@code a:b} + {@code c} vs {@code a} + {@code b:c}). Inside a hash
 * tag, {@code {} and {@code }} are also escaped ({@code %7B}, {@code %7D}), so the tag is exactly the escaped id.
 *
 * <p><b>Hash tags (Redis Cluster).</b> Cluster hashes only the part of a key between its first {@code {} and the
 * next {@code }} when that part is not empty. Keys that must share a slot carry the same tag:
 * <ul>
 *   <li>Figures of one experiment carry {@code {<experiment>}} ({@code vane:{<exp>}:fig:...}): a flush writes each
 *       experiment's keys in one MULTI/EXEC and reads them in one pipeline, all on one slot.</li>
 *   <li>Sticky assignments ({@code vane:sticky:...}), feedback event ids ({@code vane:evt:...}) and the hourly
 *       attribution hashes ({@code vane:attr:<hour>}) carry none on purpose: every command and every transaction
 *       that touches one of them names that one key only (the claim script declares its single key), so its slot is
 *       the key's own, and hashing the whole key spreads one experiment's units and events over every shard instead
 *       of piling them onto the experiment's. Their ids are validated to hold no braces ({@code [A-Za-z0-9._-]} for
 *       experiments) except the unit and event ids, where a brace can only move the key to another slot.</li>
 *   <li>The versioned config and its audit log carry {@code {config}} ({@code vane:{config}:version},
 *       {@code vane:{config}:v:<n>}, {@code vane:{config}:audit}, channel {@code vane:{config}:changed}): the write
 *       script touches the latest number and two versions, all on one slot. An experiment named {@code config}
 *       shares the slot but none of the names (its keys go on with {@code :fig:}, {@code :lat:}, ...).</li>
 * </ul>
 */
public final class RedisKeys {
  /** Prefix of every key Vane writes. */
  public static final String PREFIX = "vane:";
  /** Prefix of every sticky assignment key. */
  public static final String STICKY = PREFIX + "sticky:";

  private static final long HOUR_MILLIS = 3_600_000L;

  private RedisKeys() {}

  /**
   * The key of a unit's sticky assignment: {@code vane:sticky:<experiment>:<salt>:<unit>}, each id escaped.
   */
  public static String sticky(String experiment, String salt, String unit) {
    Objects.requireNonNull(experiment, "experiment");
    Objects.requireNonNull(salt, "salt");
    Objects.requireNonNull(unit, "unit");
    if (plain(experiment) && plain(salt) && plain(unit)) {
      return STICKY + experiment + ':' + salt + ':' + unit; // the usual case: nothing to escape
    }
    StringBuilder sb = new StringBuilder(STICKY.length() + experiment.length() + salt.length() + unit.length() + 8);
    sb.append(STICKY);
    escape(sb, experiment);
    sb.append(':');
    escape(sb, salt);
    sb.append(':');
    escape(sb, unit);
    return sb.toString();
  }

  /**
   * What {@link #sticky} puts before the unit id for a plain experiment and salt, or null when either needs
   * escaping (the local cache hashes this prefix once per pair).
   */
  static String stickyPrefix(String experiment, String salt) {
    return plain(experiment) && plain(salt) ? STICKY + experiment + ':' + salt + ':' : null;
  }

  /** Whether {@code id} appears in a key as it is (holds no {@code %} and no {@code :}). */
  static boolean plain(String id) {
    return id.indexOf('%') < 0 && id.indexOf(':') < 0;
  }

  /** {@code id} escaped for a key. */
  public static String escape(String id) {
    if (plain(id)) {
      return id;
    }
    StringBuilder sb = new StringBuilder(id.length() + 8);
    escape(sb, id);
    return sb.toString();
  }

  private static void escape(StringBuilder sb, String id) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '%') {
        sb.append("%25");
      } else if (c == ':') {
        sb.append("%3A");
      } else {
        sb.append(c);
      }
    }
  }

  /** The hash tag of an experiment's keys, braces included: {@code {<experiment>}}. */
  public static String tag(String experiment) {
    return "{" + escape(experiment).replace("{", "%7B").replace("}", "%7D") + "}";
  }

  /** {@code vane:{<exp>}:<kind>:<version>}: the base of an experiment version's keys of one kind. */
  private static String versioned(String experiment, String kind, String version) {
    return PREFIX + tag(experiment) + ':' + kind + ':' + escape(version);
  }

  /** Experiment counters of a version: {@code vane:{<exp>}:fig:<ver>}. */
  public static String figures(String experiment, String version) {
    return versioned(experiment, "fig", version);
  }

  /** An arm's counters: {@code vane:{<exp>}:fig:<ver>:arm:<arm>}. */
  public static String armFigures(String experiment, String version, String arm) {
    return figures(experiment, version) + ":arm:" + escape(arm);
  }

  /** A shadow's counters: {@code vane:{<exp>}:fig:<ver>:shadow:<shadow>}. */
  public static String shadowFigures(String experiment, String version, String shadow) {
    return figures(experiment, version) + ":shadow:" + escape(shadow);
  }

  /** An arm's latency histograms, one field per instance: {@code vane:{<exp>}:lat:<ver>:arm:<arm>}. */
  public static String armLatency(String experiment, String version, String arm) {
    return versioned(experiment, "lat", version) + ":arm:" + escape(arm);
  }

  /** A shadow's latency histograms: {@code vane:{<exp>}:lat:<ver>:shadow:<shadow>}. */
  public static String shadowLatency(String experiment, String version, String shadow) {
    return versioned(experiment, "lat", version) + ":shadow:" + escape(shadow);
  }

  /** An arm's distinct units (HyperLogLog): {@code vane:{<exp>}:units:<ver>:arm:<arm>}. */
  public static String armUnits(String experiment, String version, String arm) {
    return versioned(experiment, "units", version) + ":arm:" + escape(arm);
  }

  /** An arm's outcome sums: {@code vane:{<exp>}:out:<ver>:arm:<arm>}. */
  public static String armOutcomes(String experiment, String version, String arm) {
    return versioned(experiment, "out", version) + ":arm:" + escape(arm);
  }

  /**
   * An arm's or shadow's response-metric sums and skips ({@code target} is {@code arm:<arm>} or
   * {@code shadow:<shadow>}, escaped): {@code vane:{<exp>}:resp:<ver>:<target>}.
   */
  public static String responses(String experiment, String version, String kind, String id) {
    return versioned(experiment, "resp", version) + ':' + kind + ':' + escape(id);
  }

  /** Its response-metric sketches, one field per metric and instance: {@code vane:{<exp>}:rsk:<ver>:<kind>:<id>}. */
  public static String responseSketches(String experiment, String version, String kind, String id) {
    return versioned(experiment, "rsk", version) + ':' + kind + ':' + escape(id);
  }

  /**
   * An arm's online calibration sums (bins and losses, per response metric):
   * {@code vane:{<exp>}:cal:<ver>:arm:<arm>}.
   */
  public static String calibration(String experiment, String version, String arm) {
    return versioned(experiment, "cal", version) + ":arm:" + escape(arm);
  }

  /**
   * The response figures' shared facts of an experiment version: the version's agreed start ({@code start}, epoch
   * ms) and the calibration's unjoined counts: {@code vane:{<exp>}:rmeta:<ver>}.
   */
  public static String responseMeta(String experiment, String version) {
    return versioned(experiment, "rmeta", version);
  }

  /** A slice dimension's exposures and sums: {@code vane:{<exp>}:slice:<ver>:<dimension>}. */
  public static String slice(String experiment, String version, String dimension) {
    return versioned(experiment, "slice", version) + ':' + escape(dimension);
  }

  /**
   * The time-series row of one minute ({@code resolution} {@code m}) or hour ({@code h}), as periods since the
   * epoch: {@code vane:{<exp>}:ts:<ver>:<resolution>:<period>}.
   */
  public static String series(String experiment, String version, String resolution, long period) {
    return versioned(experiment, "ts", version) + ':' + resolution + ':' + period;
  }

  /**
   * The stream of an experiment's exposure and feedback events for analysts: {@code vane:{<exp>}:events} (one
   * stream per experiment, in the experiment's slot; every version's events, told apart by their fields).
   */
  public static String events(String experiment) {
    return PREFIX + tag(experiment) + ":events";
  }

  /** A feedback event id seen for an experiment: {@code vane:evt:<exp>:<eventId>}. */
  public static String event(String experiment, String eventId) {
    return PREFIX + "evt:" + escape(experiment) + ':' + escape(eventId);
  }

  /** The hash tag every key of the versioned config and its audit log carries, so their scripts are single-slot. */
  public static final String CONFIG_TAG = "{config}";

  /** The latest config version number: {@code vane:{config}:version} (absent: no version yet). */
  public static String configLatest() {
    return PREFIX + CONFIG_TAG + ":version";
  }

  /** A config version (a hash: hash, author, time, message, summary, content): {@code vane:{config}:v:<n>}. */
  public static String configVersion(long number) {
    return PREFIX + CONFIG_TAG + ":v:" + number;
  }

  /** The pub/sub channel that carries each new config version's number: {@code vane:{config}:changed}. */
  public static String configChanged() {
    return PREFIX + CONFIG_TAG + ":changed";
  }

  /** The audit log's stream: {@code vane:{config}:audit}. */
  public static String audit() {
    return PREFIX + CONFIG_TAG + ":audit";
  }

  /** The hash of the attributions made in the hour of {@code epochMillis}: {@code vane:attr:<epoch hour>}. */
  public static String attributions(long epochMillis) {
    return PREFIX + "attr:" + Math.floorDiv(epochMillis, HOUR_MILLIS);
  }
}
