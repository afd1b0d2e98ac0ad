using System.Threading.Channels;
using Orchestrator.Protocol.V1;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// Where gradient chunks pushed by peers wait for this worker's all-reduce. A peer may be ahead (its chunks arrive
/// before this worker opens the exchange) or behind (chunks of an attempt this worker has moved past): the first are
/// kept, the second dropped. Only the newest exchange opened per run, and the ones after it, are kept.
/// </summary>
public sealed class GradientMailbox
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ExchangeKey, Channel<GradientChunk>> _inboxes = [];
    private readonly Dictionary<string, ExchangeKey> _newestOpened = new(StringComparer.Ordinal);

    /// <summary>Chunks dropped because their exchange was already over.</summary>
    public long Dropped { get; private set; }

    /// <summary>Opens the inbox of <paramref name="key"/>, discarding every older exchange of its run.</summary>
    public ChannelReader<GradientChunk> Open(ExchangeKey key)
    {
        lock (_gate)
        {
            if (!_newestOpened.TryGetValue(key.RunId, out ExchangeKey newest) || newest.CompareTo(key) < 0) _newestOpened[key.RunId] = key;
            foreach (ExchangeKey old in _inboxes.Keys.Where(k => k.RunId == key.RunId && k.CompareTo(key) < 0).ToList()) Discard(old);
            return Inbox(key).Reader;
        }
    }

    /// <summary>Delivers a peer's chunk; false when its exchange is already over (the chunk is dropped).</summary>
    public bool Deliver(GradientChunk chunk)
    {
        var key = new ExchangeKey(chunk.RunId, chunk.Step, chunk.Attempt);
        lock (_gate)
        {
            if (_newestOpened.TryGetValue(key.RunId, out ExchangeKey newest) && key.CompareTo(newest) < 0)
            {
                Dropped++;
                return false;
            }
            return Inbox(key).Writer.TryWrite(chunk);
        }
    }

    /// <summary>Ends an exchange: its inbox and whatever is still in it go.</summary>
    public void Close(ExchangeKey key)
    {
        lock (_gate) Discard(key);
    }

    /// <summary>Forgets a run entirely (it ended or was cancelled).</summary>
    public void Forget(string runId)
    {
        lock (_gate)
        {
            foreach (ExchangeKey key in _inboxes.Keys.Where(k => k.RunId == runId).ToList()) Discard(key);
            _newestOpened.Remove(runId);
        }
    }

    private Channel<GradientChunk> Inbox(ExchangeKey key)
    {
        if (!_inboxes.TryGetValue(key, out Channel<GradientChunk>? inbox))
            _inboxes[key] = inbox = Channel.CreateUnbounded<GradientChunk>(new UnboundedChannelOptions { SingleReader = true });
        return inbox;
    }

    private void Discard(ExchangeKey key)
    {
        if (_inboxes.Remove(key, out Channel<GradientChunk>? inbox)) inbox.Writer.TryComplete();
    }
}
