namespace Orchestrator.Worker.AllReduce;

/// <summary>What <see cref="GradientMailbox.Deliver(ReadOnlySequence{byte})"/> did with a pushed chunk.</summary>
/// <param name="Accepted">False when its exchange was already over and the chunk was dropped.</param>
/// <param name="Bytes">Its data's length.</param>
public readonly record struct DeliveredChunk(bool Accepted, long Bytes);
