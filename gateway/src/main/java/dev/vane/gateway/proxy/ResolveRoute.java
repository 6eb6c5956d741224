package dev.vane.gateway.proxy;

import dev.vane.config.VaneConfig;
import dev.vane.router.Experiment;
import dev.vane.router.ModelNames;
import dev.vane.router.Route;

/**
 * Finds where a request goes: the model it names (KServe v2 path, or the {@code model} field of an OpenAI-style
 * body) against the model routes, else the longest path prefix, else {@code defaultEndpoint}, else 404. A route to an
 * endpoint sets {@link Exchange#endpoint}; a route to an experiment sets {@link Exchange#experiment} (the arm, and
 * so the endpoint, is chosen later). A malformed OpenAI-style body on a model-routed path gets 400.
 */
final class ResolveRoute implements ProxyStep {
  @Override
  public void onRequest(Exchange x) {
    VaneConfig cfg = x.snapshot.config();
    String path = x.target.path();
    String model = ModelNames.fromPath(path);
    if (model == null && cfg.routing().hasModelRoutes() && ModelNames.modelInBody(path) && x.body.length() > 0) {
      try {
        model = ModelBody.model(x.body.getBytes());
      } catch (IllegalArgumentException e) {
        x.answer(400, e.getMessage());
        return;
      }
    }
    x.view.model = model;
    Route route = cfg.routing().resolve(path, model);
    if (route == null) {
      String dflt = cfg.routing().defaultEndpoint();
      if (dflt == null) {
        x.answer(404, "no route for " + x.method + " " + path + (model != null ? " (model " + model + ")" : ""));
        return;
      }
      x.endpoint = cfg.endpoints().get(dflt);
    } else if (route.endpoint() != null) {
      x.route = route.id();
      x.endpoint = cfg.endpoints().get(route.endpoint());
    } else {
      x.route = route.id();
      Experiment exp = cfg.routing().experiment(route.experiment());
      x.experiment = exp;
      x.counters = x.snapshot.counters().get(exp.id());
    }
    x.proceed();
  }
}
