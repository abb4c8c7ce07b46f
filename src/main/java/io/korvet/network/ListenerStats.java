package io.korvet.network;

/**
 * A snapshot of the listener's load: what operators and leak tests look at.
 *
 * @param openConnections client connections currently open
 * @param inFlightRequests requests read but not yet answered, over all connections
 * @param queuedRequestBytes the bytes of those requests ({@code queued.max.request.bytes} bounds them)
 * @param queuedRequestBytesLimit the bound in force ({@link Long#MAX_VALUE} when unbounded)
 */
public record ListenerStats(int openConnections, int inFlightRequests, long queuedRequestBytes, long queuedRequestBytesLimit) {
}
