using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace Orchestrator.Transport.Server.InPlace;

/// <summary>What a connection driven from a blocking socket writes, gathered and sent by a blocking call on flush.</summary>
internal sealed class BlockingSocketWriter(Socket socket) : PipeWriter
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
        ReadOnlySpan<byte> pending = _pending.WrittenSpan;
        while (!pending.IsEmpty) pending = pending[socket.Send(pending)..];
        _pending.ResetWrittenCount();
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Flush();
        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: _completed));
    }
}
