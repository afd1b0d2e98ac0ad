namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Splits a buffer of <see cref="Length"/> floats into one segment per member (segment r is reduced by rank r) and each
/// segment into chunks of at most <see cref="ChunkElements"/>.
/// </summary>
public sealed class SegmentLayout
{
    public SegmentLayout(long length, int members, int chunkElements)
    {
        (Length, Members, ChunkElements) = (length, members, chunkElements);
        long longest = (length + members - 1) / members;
        ChunksPerSegment = (int)Math.Max(1, (longest + chunkElements - 1) / chunkElements);
    }

    public long Length { get; }
    public int Members { get; }
    public int ChunkElements { get; }

    /// <summary>Chunks in every segment (the last ones of a short segment may be empty).</summary>
    public int ChunksPerSegment { get; }

    public long SegmentStart(int segment) => Length * segment / Members;

    public long SegmentLength(int segment) => SegmentStart(segment + 1) - SegmentStart(segment);

    /// <summary>Element range of chunk <paramref name="chunk"/> of <paramref name="segment"/>.</summary>
    public (long Offset, int Count) Chunk(int segment, int chunk)
    {
        long start = SegmentStart(segment) + (long)chunk * ChunkElements;
        long end = Math.Min(SegmentStart(segment + 1), start + ChunkElements);
        return (start, (int)Math.Max(0, end - start));
    }
}
