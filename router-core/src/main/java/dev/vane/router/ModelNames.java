package dev.vane.router;

/** Model names carried in request paths. */
public final class ModelNames {
  private static final String V2 = "/v2/models/";

  private ModelNames() {}

  /**
   * The model in a KServe v2 / Open Inference Protocol path ({@code /v2/models/{name}[/versions/{v}]/...}), or null.
   */
  public static String fromPath(String path) {
    if (!path.startsWith(V2)) {
      return null;
    }
    int start = V2.length();
    int end = path.indexOf('/', start);
    if (end < 0) {
      end = path.length();
    }
    return end > start ? path.substring(start, end) : null;
  }

  /** Whether requests to this path name their model in the JSON body's {@code model} field (OpenAI style). */
  public static boolean modelInBody(String path) {
    return path.equals("/v1/chat/completions") || path.equals("/v1/completions") || path.equals("/v1/embeddings");
  }
}
