using System.Collections.Concurrent;
using Orchestrator.Transport.Client;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// gRPC channels to peers' gRPC endpoints (state transfers), one per address, shared by every run, all with the
/// cluster's bearer token. Gradient pushes go over <see cref="PeerLanes"/> instead.
/// </summary>
public sealed class PeerClients(GrpcChannelOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();

    public CallInvoker For(Uri address) => _channels.GetOrAdd(address, a => new GrpcChannel(a, options)).CreateCallInvoker();

    public void Dispose()
    {
        foreach (GrpcChannel channel in _channels.Values) channel.Dispose();
        _channels.Clear();
    }
}
