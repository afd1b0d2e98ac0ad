using System.Buffers;
using System.IO.Pipelines;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>What a connection driven with blocking I/O writes, gathered and sent by a blocking write on flush.</summary>
internal sealed class BlockingFrameWriter(Stream transport) : PipeWriter
{
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private bool _completed;

    public bool HasPending => _pending.WrittenCount > 0;

    public override void Advance(int bytes) => _pending.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null) => _completed = true;

    /// <summary>Sends what is pending before returning.</summary>
    public void Flush()
    {
        transport.Write(_pending.WrittenSpan);
        _pending.ResetWrittenCount();
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Flush();
        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: _completed));
    }
}
