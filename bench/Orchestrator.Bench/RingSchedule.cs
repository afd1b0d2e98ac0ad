namespace Orchestrator.Bench;

/// <summary>
/// Which segment a ring member sends and receives at each step of a ring all-reduce: steps 0 to n − 2 reduce-scatter,
/// the next n − 1 all-gather, and each step sends what the one before received. Shared by both rings of the bench.
/// </summary>
internal static class RingSchedule
{
    // Reduce-scatter step t sends segment (rank - t) and receives (rank - t - 1); all-gather step s = t - (n - 1) sends
    // (rank + 1 - s) and receives (rank - s).
    public static int Sent(int rank, int world, int step) =>
        RawSockets.Wrap(step < world - 1 ? rank - step : rank + 1 - (step - (world - 1)), world);

    public static int Received(int rank, int world, int step) =>
        RawSockets.Wrap(step < world - 1 ? rank - step - 1 : rank - (step - (world - 1)), world);

    /// <summary>The step at which <paramref name="rank"/> receives <paramref name="segment"/> in the given phase.</summary>
    public static int ReceivingStep(int rank, int world, bool reduceScatter, int segment) =>
        reduceScatter ? RawSockets.Wrap(rank - 1 - segment, world) : world - 1 + RawSockets.Wrap(rank - segment, world);
}
