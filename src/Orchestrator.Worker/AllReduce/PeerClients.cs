using System.Collections.Concurrent;
using Orchestrator.Transport.Client;

namespace Orchestrator.Worker.AllReduce;

/// <summary>
/// gRPC channels to peers, shared by every exchange, all with the cluster's bearer token: per address one for gradient
/// pushes, which asks the peer to serve them in place when the options use the direct HTTP/2 client
/// (<see cref="GrpcChannelOptions.AskInPlace"/>), and one for everything else (state transfers).
/// </summary>
public sealed class PeerClients(GrpcChannelOptions options) : IDisposable
{
    private readonly GrpcChannelOptions _pushOptions = WithInPlace(options);
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _pushChannels = new();

    public CallInvoker For(Uri address) => _channels.GetOrAdd(address, a => new GrpcChannel(a, options)).CreateCallInvoker();

    /// <summary>For <c>PushGradients</c> only: a connection served in place answers nothing else.</summary>
    public CallInvoker ForPushes(Uri address) => _pushChannels.GetOrAdd(address, a => new GrpcChannel(a, _pushOptions)).CreateCallInvoker();

    public void Dispose()
    {
        foreach (GrpcChannel channel in _channels.Values.Concat(_pushChannels.Values)) channel.Dispose();
        _channels.Clear();
        _pushChannels.Clear();
    }

    private static GrpcChannelOptions WithInPlace(GrpcChannelOptions options)
    {
        GrpcChannelOptions push = options.Clone();
        push.AskInPlace = options.DirectHttp2;
        return push;
    }
}
