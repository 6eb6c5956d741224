package dev.vane.gateway.configstore;

import dev.vane.config.Redaction;

/**
 * The store could not be reached or did not answer in time (HTTP 503). The message never holds a credential: it
 * goes through {@link Redaction#text}, and so does the cause's text where it is shown.
 */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(Redaction.text(message), cause);
  }
}
