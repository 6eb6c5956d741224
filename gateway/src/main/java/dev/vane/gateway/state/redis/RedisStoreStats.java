package dev.vane.gateway.state.redis;

/**
 * Counters of a {@link RedisStickyStore} since it was created; every field only grows.
 *
 * @param hits               lookups answered from the local cache: {@code peek} calls that found an assignment,
 *                           plus {@code claim} calls that found one they may not replace
 * @param misses             {@code peek} calls that found no assignment in the local cache
 * @param claims             first-write-wins scripts sent to Redis (by {@code claim} and by draining the outage
 *                           queue)
 * @param provisionalAnswers claims answered locally, without Redis's verdict, with the caller's candidate (or an arm
 *                           cached meanwhile): because Redis was not connected, did not answer within the command
 *                           timeout, or failed. Two instances racing on a new unit may then serve it different arms
 *                           until Redis's verdict arrives
 * @param timeouts           the provisional answers given because a connected Redis did not answer within the
 *                           command timeout (a busy or paused Redis, not an outage)
 * @param overruled          provisional answers whose unit Redis later gave another arm (another instance, or an
 *                           earlier assignment, had won): the unit was served one arm, then the other from its next
 *                           request on; 0 when every provisional answer turned out to be Redis's arm too
 * @param queued             claims put in the outage queue, to be written when Redis answers again
 * @param dropped            claims not queued because the queue was full (or that Redis rejected for good); their
 *                           units keep the hashed arm locally until the cache entry expires
 * @param reconnects         times the connection to Redis was re-established after it had been lost
 */
public record RedisStoreStats(long hits, long misses, long claims, long provisionalAnswers, long timeouts,
    long overruled, long queued, long dropped, long reconnects) {

  /** Cache hit ratio = hits / (hits + misses), or 0 when there were no lookups. */
  public double hitRatio() {
    long lookups = hits + misses;
    return lookups == 0 ? 0 : (double) hits / lookups;
  }
}
