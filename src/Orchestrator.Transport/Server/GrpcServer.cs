using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Orchestrator.Transport.Server;

/// <summary>A Kestrel host that serves the given services over gRPC and nothing else.</summary>
public sealed class GrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private Uri? _address;
    private bool _started;

    public GrpcServer(GrpcServerOptions options, params IEnumerable<ServiceDefinition> services)
    {
        Dispatcher = new GrpcRequestDispatcher(options, services);
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => KestrelGrpcConfiguration.Apply(kestrel, options));
        if (options.Certificate is not null) builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        // Read straight into a buffer instead of first waiting for data with a 1-byte peek: half the receive system
        // calls on a stream of tensor chunks, for a 4 KiB block held per idle connection.
        builder.Services.Configure<SocketTransportOptions>(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(new LargeBlockMemoryPoolFactory(options.MemoryBlockSize));
        if (options.LoggerFactory is not null) builder.Services.AddSingleton(options.LoggerFactory);
        _app = builder.Build();
        _app.Run(Dispatcher.HandleAsync);
    }

    public GrpcRequestDispatcher Dispatcher { get; }

    /// <summary>The bound address, with the real port when the options asked for port 0. Known once started.</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("the server has not started");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
        var addresses = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        _address = new Uri(addresses.Single());
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_started) return;
        _started = false;
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
