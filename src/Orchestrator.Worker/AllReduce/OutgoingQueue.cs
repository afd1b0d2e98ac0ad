namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// What one member sends to one other during an exchange, in order, taken by a sending thread that blocks until the
/// next chunk is queued: the thread that queued it wakes the sender directly, with no thread-pool hop between. The
/// queue completes by itself once <paramref name="planned"/> chunks were added, so the sender ends with its last write
/// rather than waiting to be told that the exchange is over.
/// </summary>
internal sealed class OutgoingQueue(int planned)
{
    private readonly Queue<OutgoingChunk> _chunks = new();
    private int _added;
    private bool _completed;
    private Exception? _failure;

    public void Add(OutgoingChunk chunk)
    {
        lock (_chunks)
        {
            if (_completed) return;
            _chunks.Enqueue(chunk);
            _completed = ++_added == planned;
            Monitor.Pulse(_chunks);
        }
    }

    /// <summary>Nothing more comes: the sender takes what is queued, then ends, or with <paramref name="failure"/> throws it.</summary>
    public void Complete(Exception? failure = null)
    {
        lock (_chunks)
        {
            if (_completed) return;
            _completed = true;
            _failure = failure;
            Monitor.PulseAll(_chunks);
        }
    }

    /// <summary>Whether it completed (chunks may still be queued).</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_chunks) return _completed;
        }
    }

    /// <summary>The next queued chunk, without waiting.</summary>
    public bool TryRead(out OutgoingChunk chunk)
    {
        lock (_chunks) return _chunks.TryDequeue(out chunk!);
    }

    /// <summary>The chunks in order as they are queued, until the queue completes; cancellation throws.</summary>
    public IEnumerable<OutgoingChunk> Take(CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration wake = cancellationToken.Register(() =>
        {
            lock (_chunks) Monitor.PulseAll(_chunks);
        });
        while (WaitForChunk(cancellationToken))
            while (TryRead(out OutgoingChunk chunk)) yield return chunk;
    }

    /// <summary>Blocks until a chunk is queued (true) or the queue completed empty (false, or its failure thrown).</summary>
    private bool WaitForChunk(CancellationToken cancellationToken)
    {
        lock (_chunks)
        {
            while (_chunks.Count == 0 && !_completed && !cancellationToken.IsCancellationRequested) Monitor.Wait(_chunks);
            cancellationToken.ThrowIfCancellationRequested();
            if (_chunks.Count > 0) return true;
            return _failure is null ? false : throw _failure;
        }
    }
}
