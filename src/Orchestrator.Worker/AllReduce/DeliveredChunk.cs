namespace Orchestrator.Worker.AllReduce;

/// <summary>A pushed chunk once <see cref="GradientMailbox.Deliver(System.Buffers.ReadOnlySequence{byte})"/> handed it on (or dropped it, when its exchange was over).</summary>
/// <param name="Bytes">Its data's length.</param>
public readonly record struct DeliveredChunk(long Bytes);
