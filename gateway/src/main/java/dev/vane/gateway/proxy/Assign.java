package dev.vane.gateway.proxy;

import dev.vane.router.Assigner;
import dev.vane.router.Assignment;
import dev.vane.router.Experiment;
import dev.vane.router.UnknownArmException;
import io.vertx.core.Context;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the experiment's arm for the request (override, targeting, sticky lookup, strategy, sticky claim: see
 * {@link Assigner}) and so its endpoint. An assignment answered off the event loop (a remote sticky store) hops back
 * before the request goes on; one that fails serves the control, as a coverage miss. An unknown override arm gets
 * 400.
 */
final class Assign implements ProxyStep {
  private static final Logger log = LoggerFactory.getLogger(Assign.class);

  private final Assigner assigner;
  private final Context context;

  Assign(Assigner assigner, Context context) {
    this.assigner = assigner;
    this.context = context;
  }

  @Override
  public void onRequest(Exchange x) {
    Experiment exp = x.experiment;
    if (exp == null) {
      x.proceed();
      return;
    }
    CompletableFuture<Assignment> f;
    try {
      f = assigner.assign(exp, x.view, x.unit).toCompletableFuture();
    } catch (UnknownArmException e) {
      x.answer(400, e.getMessage());
      return;
    }
    if (f.isDone()) {
      assigned(x, f.getNow(null));
    } else {
      f.whenComplete((a, t) -> context.runOnContext(v -> {
        if (t != null) {
          x.logged(() -> log.warn("assignment failed for experiment {}: {}", exp.id(), t.toString()));
          assigned(x, new Assignment(exp, exp.control(), Assignment.Reason.NOT_COVERED, x.unit));
        } else {
          assigned(x, a);
        }
      }));
    }
  }

  private static void assigned(Exchange x, Assignment a) {
    x.assignment = a;
    x.armCounters = x.counters.arm(a.arm().id());
    x.endpoint = x.snapshot.config().endpoints().get(a.arm().endpoint());
    x.mayFallback = x.experiment.fallbackToControl() && a.arm() != x.experiment.control();
    x.proceed();
  }
}
