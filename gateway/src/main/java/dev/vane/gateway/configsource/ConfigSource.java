package dev.vane.gateway.configsource;

import dev.vane.config.ConfigException;
import dev.vane.config.VaneConfig;
import java.util.function.Consumer;

/**
 * Where a running gateway's configuration comes from after startup. A source hands over only complete, validated
 * configs ({@code onChange}) and reports rejected ones ({@code onError}) while the current one keeps serving; the
 * gateway swaps what it is given. A file polled for changes today; an admin API or a shared store can be another
 * source without the gateway changing.
 */
public interface ConfigSource extends AutoCloseable {
  /** Starts delivering changes. */
  void start(Consumer<VaneConfig> onChange, Consumer<ConfigException> onError);

  /** Stops delivering changes. */
  @Override
  void close();
}
